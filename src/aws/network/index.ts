export * from './hub-network';
export * from './trust-spoke';
