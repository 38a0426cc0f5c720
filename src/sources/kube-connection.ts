/**
 * What a request to the Kubernetes API needs: where the server is, how to trust it, and who we are.
 * kube-config.ts makes one from a kubeconfig or the pod's service account; kube-http.ts sends
 * requests with it. Credentials are asked for at each request, not fixed at load: a bound service
 * account token is rotated by the kubelet and an exec plugin's token expires, so both are re-read.
 * @module
 */

export interface KubeConnection {
  /** `https://host:port`, possibly with a path prefix; `http://` is accepted as kubectl accepts it. */
  server: string;
  /** The context's namespace, when it names one. */
  namespace?: string;
  /** PEM of the certificate authorities the server's certificate must chain to; absent: the system's. */
  certificateAuthority?: string;
  insecureSkipTlsVerify?: boolean;
  /** The name the server's certificate is checked against, when not the server URL's host. */
  tlsServerName?: string;
  /**
   * The credentials for the next request. `refresh` is set after the server answered 401 to the
   * ones last given: a token file is read again and an exec plugin run again.
   */
  credentials(refresh?: boolean): Promise<KubeCredentials>;
}

export interface KubeCredentials {
  /** The Authorization header: `Bearer <token>` or `Basic <base64>`; absent: anonymous or certificate only. */
  authorization?: string;
  /** A client certificate and its key, PEM, for TLS client authentication. */
  clientCertificate?: { cert: string; key: string };
}

export const NO_CREDENTIALS: KubeCredentials = {};
