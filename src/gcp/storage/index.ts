export * from './clinical-store';
export * from './service-key-ring';
export * from './log-archive';
export * from './backup';
