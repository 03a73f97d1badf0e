export * from './dicom-store';
export * from './dimse-gateway';
