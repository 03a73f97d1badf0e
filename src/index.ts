export * as core from './core';
export * as aws from './aws';
export * as azure from './azure';
export * as gcp from './gcp';
export * as imaging from './imaging';
