export * from './acknowledge';
export * from './check';
export * from './plugin';
