/**
 * A client-node KubeConfig pointing at the fake, for tests that use client-node as an independent
 * client (the fake's own tests, other actors in a test). client-node takes plain http only with
 * skipTLSVerify, which the kubeconfig file sets.
 */
import { KubeConfig } from '@kubernetes/client-node';
import { fakeKubeConfigFile, type FakeCredentials } from './kubeconfig.js';

export function fakeClientNodeConfig(options: FakeCredentials): KubeConfig {
  const config = new KubeConfig();
  config.loadFromString(fakeKubeConfigFile(options));
  return config;
}
