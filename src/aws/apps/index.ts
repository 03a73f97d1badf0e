export * from './app-store';
export * from './edge-network';
export * from './hscn-ingress';
export * from './ingress-firewall-rules';
export * from './internet-edge';
export * from './specialist-app';
