/** TLS profile of an app's SSL policy (both TLS 1.2 minimum). */
export enum AppTlsProfile {
  /** Google's RESTRICTED profile: TLS 1.2+ with AES-GCM / ChaCha20 forward-secret suites only (PCI-grade). */
  RESTRICTED = 'RESTRICTED',
  /** Google's MODERN profile: TLS 1.2+ with a wider set of modern suites. */
  MODERN = 'MODERN',
}
