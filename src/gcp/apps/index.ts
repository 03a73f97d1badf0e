export * from './tls-profile';
export * from './app-store';
export * from './hscn-ingress';
export * from './internet-edge';
export * from './specialist-app';
