export * from './hub-network';
export * from './hscn-connection';
export * from './trust-spoke';
