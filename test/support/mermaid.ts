/**
 * Mermaid's own parser, in Node: `mermaid.parse` sanitises labels with DOMPurify, which needs a DOM
 * window, so a jsdom window is installed as the global one before Mermaid is loaded (this module
 * must be imported before anything else loads mermaid). The flowchart's vertices and edges are then
 * read from Mermaid's own diagram database, with labels decoded the way Mermaid's renderer decodes
 * them — so a test sees the text a reader would see.
 */
import { JSDOM } from 'jsdom';

const { window } = new JSDOM('');
Object.assign(globalThis, { window, document: window.document });
const { default: mermaid } = await import('mermaid');

export interface FlowVertex {
  id: string;
  /** As drawn: entities decoded, `<br>` as a newline. */
  text: string;
  classes: string[];
}

export interface FlowEdge {
  start: string;
  end: string;
  text: string;
  dotted: boolean;
}

export interface Flowchart {
  vertices: Map<string, FlowVertex>;
  edges: FlowEdge[];
}

/** Throws Mermaid's parse error when the text is not a valid diagram. */
export async function parseMermaid(text: string): Promise<string> {
  const result = await mermaid.parse(text);
  return result.diagramType;
}

interface FlowDb {
  getVertices(): Map<string, { id: string; text?: string; classes: string[] }>;
  getEdges(): { start: string; end: string; text?: string; stroke?: string }[];
}

export async function flowchartOf(text: string): Promise<Flowchart> {
  await mermaid.parse(text);
  // The only API that hands back the parsed diagram (parse() returns just its type); deprecated
  // for rendering pages, not for reading a diagram back.
  // eslint-disable-next-line @typescript-eslint/no-deprecated
  const diagram = await mermaid.mermaidAPI.getDiagramFromText(text);
  const db = diagram.db as unknown as FlowDb;
  const vertices = new Map<string, FlowVertex>();
  for (const [id, vertex] of db.getVertices()) vertices.set(id, { id, text: decode(vertex.text ?? id), classes: [...vertex.classes] });
  const edges = db.getEdges().map((edge) => ({ start: edge.start, end: edge.end, text: decode(edge.text ?? ''), dotted: edge.stroke === 'dotted' }));
  return { vertices, edges };
}

/** The fenced ```mermaid blocks of a Markdown text. */
export function mermaidBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/^```mermaid\n([\s\S]*?)^```$/gm)].map((match) => match[1] as string);
}

/**
 * Mermaid keeps `#name;` and `#123;` entity codes as placeholders while parsing and turns them into
 * HTML entities when it renders; the browser then decodes those. The same steps, with jsdom as the
 * browser.
 */
function decode(text: string): string {
  const html = text
    .replace(/ﬂ°°(\d+)¶ß/g, (_, code: string) => `&#${code};`)
    .replace(/ﬂ°(\w+)¶ß/g, (_, name: string) => `&${name};`)
    .replace(/<br\s*\/?>/g, '\n');
  const element = window.document.createElement('textarea');
  element.innerHTML = html;
  return element.value;
}
