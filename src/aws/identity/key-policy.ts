import { aws_iam as iam, aws_kms as kms } from 'aws-cdk-lib';

// Key-policy statements shared by the backbone's KMS keys. Not re-exported
// from index.ts: not part of the jsii API.

/**
 * Adds the statement that refuses `kms:CreateGrant` on a key to every
 * principal unless the grant is for an AWS resource (AWS Backup, EFS,
 * HealthImaging make grants as they encrypt for their callers) or the caller
 * is an AWS service. Nobody, an administrator included, can hand themselves
 * or a workload lasting use of the key through a grant; only the key policy
 * and IAM decide (AWS Control Tower proactive control CT.KMS.PR.3).
 */
export function denyGrantsExceptForAwsServices(key: kms.Key): void {
  key.addToResourcePolicy(new iam.PolicyStatement({
    sid: 'DenyGrantsExceptForAwsServices',
    effect: iam.Effect.DENY,
    principals: [new iam.AnyPrincipal()],
    actions: ['kms:CreateGrant'],
    resources: ['*'],
    conditions: { BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' } },
  }));
}
