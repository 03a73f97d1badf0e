export * from './clinical-store';
export * from './trust-backup';
