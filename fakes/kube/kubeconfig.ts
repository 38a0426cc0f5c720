/**
 * A client-node KubeConfig pointing at the fake: plain http on loopback, which client-node only
 * allows with skipTLSVerify, and a static bearer token.
 */
import { KubeConfig } from '@kubernetes/client-node';

export function fakeKubeConfig(options: { server: string; token: string }): KubeConfig {
  const config = new KubeConfig();
  config.loadFromOptions({
    clusters: [{ name: 'kube-fake', server: options.server, skipTLSVerify: true }],
    users: [{ name: 'kube-fake-user', token: options.token }],
    contexts: [{ name: 'kube-fake', cluster: 'kube-fake', user: 'kube-fake-user', namespace: 'default' }],
    currentContext: 'kube-fake',
  });
  return config;
}

/** The same configuration as kubeconfig file text (JSON, which is valid YAML), for `--kubeconfig FILE`. */
export function fakeKubeConfigFile(options: { server: string; token: string }): string {
  return fakeKubeConfig(options).exportConfig();
}
