import { IConstruct } from 'constructs';

// Acknowledgements of the third-party checks the backbone is tested against
// (cdk-nag's HIPAA Security and NIST 800-53 rev 5 packs, and the Control Tower
// rules of @cdklabs/cdk-validator-cfnguard), recorded where CDK's
// `Validations.of(scope).acknowledge()` records them (construct metadata
// `aws:cdk:acknowledged-rules`, read by cdk-nag and by CDK's policy
// validation for every resource under `scope`). Written directly so the
// library needs neither cdk-nag nor a recent aws-cdk-lib at run time. Not
// part of the jsii API.

/** `Validations.ACKNOWLEDGED_RULES_METADATA_KEY` of aws-cdk-lib. */
export const ACKNOWLEDGED_RULES_KEY = 'aws:cdk:acknowledged-rules';

/** The cdk-nag packs the backbone is checked against. */
export const NAG_PACKS = ['HIPAA.Security', 'NIST.800.53.R5'];

/** The policy-validation plugin name of @cdklabs/cdk-validator-cfnguard (its rule ids' namespace). */
export const GUARD_PLUGIN = 'cdk-validator-cfnguard';

/** Why a backbone role's grants are an AWS::IAM::Policy (cdk-nag IAMNoInlinePolicy). */
export const GRANT_POLICY_REASON = 'Grants made through the backbone\'s grant methods (the only way a role gets access) land in a CloudFormation-managed AWS::IAM::Policy attached to this one role, each scoped to the resources granted; a customer-managed policy would be shared and no narrower.';

/**
 * Acknowledges cdk-nag rules (by suffix, e.g. `S3BucketLoggingEnabled`, or
 * `IAMNoInlinePolicy`) in both packs, for every resource under `scope`.
 */
export function acknowledgeNag(scope: IConstruct, rules: string[], reason: string): void {
  const data: { [id: string]: string } = {};
  for (const pack of NAG_PACKS) for (const rule of rules) data[`Annotation::${pack}-${rule}`] = reason;
  scope.node.addMetadata(ACKNOWLEDGED_RULES_KEY, data);
}

/**
 * Acknowledges cfn-guard Control Tower rules (by guard rule name, e.g.
 * `s3_bucket_logging_enabled_check`) for every resource under `scope`.
 */
export function acknowledgeGuard(scope: IConstruct, rules: string[], reason: string): void {
  const data: { [id: string]: string } = {};
  for (const rule of rules) data[`${GUARD_PLUGIN}::${rule}`] = reason;
  scope.node.addMetadata(ACKNOWLEDGED_RULES_KEY, data);
}
