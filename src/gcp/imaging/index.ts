export * from './dicom-store';
export * from './dimse-gateway';
export * from './gateway-identity';
