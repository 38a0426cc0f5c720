// The local handler of the function `upload` (examples/serverless/ingress.yaml): the Lambda Node.js
// programming model, so the same file deploys to Lambda unchanged. It answers with what it received,
// which shows the event the ALB sends: the query as the client wrote it (not URL-decoded), lower-case
// header names, and a body that is base64-encoded unless it is text.
import { Buffer } from 'node:buffer';

export async function handler(event, context) {
  const body = event.isBase64Encoded ? Buffer.from(event.body, 'base64') : Buffer.from(event.body, 'utf8');
  const summary = {
    function: context.functionName,
    method: event.httpMethod,
    path: event.path,
    query: event.multiValueQueryStringParameters ?? event.queryStringParameters,
    contentType: (event.multiValueHeaders?.['content-type'] ?? [event.headers?.['content-type']])[0] ?? null,
    bodyBytes: body.length,
    isBase64Encoded: event.isBase64Encoded,
  };
  return {
    statusCode: 200,
    multiValueHeaders: { 'content-type': ['application/json'], 'x-served-by': ['lambda:upload'] },
    body: `${JSON.stringify(summary, null, 2)}\n`,
  };
}
