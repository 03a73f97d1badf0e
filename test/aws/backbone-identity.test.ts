import { Match, Template } from 'aws-cdk-lib/assertions';
import { Backbone } from '../../src/aws/backbone';
import { newAwsApp } from '../../src/aws/synth';
import { scanStage } from '../support/aws-iam-scan';
import { smallSpec } from '../support/specs';

// The whole small backbone on AWS, built once: identity and keys wired in.
const spec = smallSpec();
const app = newAwsApp();
const backbone = new Backbone(app, 'Backbone', { spec });
const hub = Template.fromStack(backbone.hubStack);
const trust = (ods: string) => Template.fromStack(backbone.trustStack(ods));

test('no policy over the whole backbone allows every action on every resource; no admin policy on any role but break-glass', () => {
  expect(scanStage(app)).toEqual([]);
});

test.each(['REM', 'RBS', 'R0A'])('trust %s: a customer-managed key with rotation, retained on update and delete', (ods) => {
  const t = trust(ods);
  t.hasResource('AWS::KMS::Key', {
    Properties: { EnableKeyRotation: true, RotationPeriodInDays: 365 },
    UpdateReplacePolicy: 'Retain',
    DeletionPolicy: 'Retain',
  });
  t.hasResourceProperties('AWS::KMS::Alias', { AliasName: `alias/test-backbone-${ods.toLowerCase()}-key-prod` });
});

test('one role per app per trust it serves, each under the backbone permissions boundary', () => {
  const roles = (ods: string) => Object.values(trust(ods).findResources('AWS::IAM::Role', {
    Properties: { Tags: Match.arrayWith([{ Key: 'nhs-backbone:role', Value: 'workload' }]) },
  }));
  expect(roles('REM')).toHaveLength(2);
  expect(roles('RBS')).toHaveLength(1);
  for (const r of roles('REM')) expect(JSON.stringify(r.Properties.PermissionsBoundary)).toContain('test-backbone-hub-boundary-prod');
});

test('CI federation is pinned to the subject; break-glass use e-mails the security contact', () => {
  hub.hasResourceProperties('AWS::IAM::Role', {
    AssumeRolePolicyDocument: {
      Statement: [Match.objectLike({
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: {
          StringEquals: {
            'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
            'token.actions.githubusercontent.com:sub': 'repo:nhs-example/test-backbone:environment:prod',
          },
        },
        Effect: 'Allow',
      })],
    },
  });
  hub.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'security@test-backbone.nhs.uk' });
});
