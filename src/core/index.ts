export * from './address-plan';
export * from './backbone-spec';
export * from './problem';
export * from './naming';
export * from './regions';
export * from './retention';
export * from './spec';
export * from './tags';
