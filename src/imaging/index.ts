export * from './orthanc-gateway';
