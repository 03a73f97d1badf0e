export * from './acknowledge';
export * from './check';
