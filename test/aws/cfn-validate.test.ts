import { App } from 'aws-cdk-lib';
import { Backbone } from '../../src/aws/backbone';
import { smallSpec } from '../support/specs';

// The CLI turns CDK's built-in CloudFormation validation off for speed (see
// src/aws/synth.ts); this keeps it as a gate on a small backbone, with its
// findings treated as errors.
test('templates pass CDK built-in CloudFormation validation (schema and rules)', () => {
  const app = new App({
    analyticsReporting: false,
    context: { '@aws-cdk/core:validateAgainstDefaultRules': true, 'aws:cdk:disable-stack-trace': true },
  });
  new Backbone(app, 'Backbone', { spec: smallSpec() });
  expect(() => app.synth()).not.toThrow();
}, 60_000);
