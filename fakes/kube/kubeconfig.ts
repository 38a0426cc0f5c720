/**
 * Ways to reach the fake without client-node: a kubeconfig file (plain http on loopback and a static
 * bearer token) and a connection object for ingress-bridge's own client. A process that uses only
 * these (the memory benchmark's controller) loads nothing of client-node; client-node-config.ts
 * has the client-node KubeConfig.
 */

export interface FakeCredentials {
  server: string;
  token: string;
}

/**
 * The shape of src/sources/kube-connection.ts's KubeConnection, declared here because the fakes
 * import no production code; TypeScript checks the two agree wherever a test passes one for the other.
 */
export interface FakeConnection {
  server: string;
  namespace: string;
  credentials(refresh?: boolean): Promise<{ authorization: string }>;
}

export function fakeConnection(options: FakeCredentials): FakeConnection {
  const credentials = { authorization: `Bearer ${options.token}` };
  return { server: options.server, namespace: 'default', credentials: () => Promise.resolve(credentials) };
}

/** kubeconfig file text (JSON, which is valid YAML), for `--kubeconfig FILE`. */
export function fakeKubeConfigFile(options: FakeCredentials): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'kube-fake', cluster: { server: options.server, 'insecure-skip-tls-verify': true } }],
    users: [{ name: 'kube-fake-user', user: { token: options.token } }],
    contexts: [{ name: 'kube-fake', context: { cluster: 'kube-fake', user: 'kube-fake-user', namespace: 'default' } }],
    'current-context': 'kube-fake',
  });
}
