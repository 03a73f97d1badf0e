export * from './backbone';
export * from './network';
export * from './identity';
export * from './storage';
export * from './imaging';
export * from './compliance';
export * from './apps';
