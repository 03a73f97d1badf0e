export * from './types';
export * from './clinical-store';
export * from './store-backup';
