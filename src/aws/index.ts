export * from './backbone';
export * from './logging';
export * from './network';
