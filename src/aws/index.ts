export * from './backbone';
export * from './network';
