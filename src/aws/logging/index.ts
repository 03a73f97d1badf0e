export * from './central-log-store';
