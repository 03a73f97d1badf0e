export * from './hub-network';
export * from './hub-firewall';
export * from './hub-dns';
export * from './hscn-gateway';
export * from './log-store';
export * from './spoke-subnet';
export * from './trust-spoke';
export * from './types';
