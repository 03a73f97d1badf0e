export * from './permissions-boundary';
export * from './workload-identity';
export * from './customer-managed-key';
export * from './ci-federation';
export * from './cis2-sign-in';
export * from './break-glass';
