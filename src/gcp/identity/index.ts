export * from './workload-identity';
export * from './kms';
export * from './ci-federation';
export * from './cis2-edge';
export * from './break-glass';
