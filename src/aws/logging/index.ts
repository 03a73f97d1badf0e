export * from './central-log-store';
export * from './audit-trail';
