export * from './roles';
export * from './workload-identity';
export * from './trust-key-vault';
export * from './ci-federation';
export * from './cis2-sign-in';
export * from './break-glass';
