import { Stack, aws_iam as iam } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { BackboneSpec } from '../../core/backbone-spec';
import { BackboneError } from '../../core/errors';
import { Cloud, UkRegions } from '../../core/regions';
import { acknowledgeGuard, acknowledgeNag } from '../compliance/internal';

/**
 * Actions the boundary lets roles under it use at all (a ceiling: a role still
 * needs a grant for each). Service-wide where the service only touches the
 * role's own resources through grants; never `*`.
 */
const DEFAULT_ALLOWED_ACTIONS = [
  's3:*',
  'kms:*',
  'logs:*',
  'cloudwatch:*',
  'xray:*',
  'ecr:*',
  'ecs:*',
  // HealthImaging: DICOMweb grants to apps and to DIMSE gateways (each still scoped to one datastore).
  'medical-imaging:*',
  // A DIMSE gateway mounts and writes its EFS volume with IAM authorisation (the file system's
  // policy names the task role, and a boundary also caps what a resource policy grants a role).
  'elasticfilesystem:ClientMount',
  'elasticfilesystem:ClientWrite',
  'secretsmanager:GetSecretValue',
  'secretsmanager:DescribeSecret',
  'ssm:GetParameter',
  'ssm:GetParameters',
  'ssm:GetParametersByPath',
  'sts:AssumeRole',
  'sts:GetCallerIdentity',
  'sqs:*',
  'sns:*',
  'events:*',
  'dynamodb:*',
  'cloudformation:DescribeStacks',
  'cloudformation:DescribeStackEvents',
  'cloudformation:GetTemplate',
  // AWS Backup's service role (TrustBackup) copies recovery points to the backup account's vault.
  'backup:DescribeBackupVault',
  'backup:CopyIntoBackupVault',
  'tag:GetResources',
];

/**
 * Deletions of clinical data that no backbone role may ever make: HealthImaging
 * has no retention lock, so the boundary is what stops an image set (or a
 * whole DICOM store) being deleted; and no role may bypass a governance-mode
 * S3 lock.
 */
const CLINICAL_DELETION_ACTIONS = [
  'medical-imaging:DeleteImageSet',
  'medical-imaging:DeleteDatastore',
  's3:BypassGovernanceRetention',
];

/**
 * Global services (their API calls are made in us-east-1 or carry no region),
 * exempt from the region rule. From AWS's "deny access based on the requested
 * Region" SCP example.
 */
const GLOBAL_SERVICE_ACTIONS = [
  'iam:*',
  'sts:*',
  'organizations:*',
  'account:*',
  'route53:*',
  'route53domains:*',
  'cloudfront:*',
  'globalaccelerator:*',
  'waf:*',
  'support:*',
  'health:*',
  'budgets:*',
  'ce:*',
  'cur:*',
  'trustedadvisor:*',
  'pricing:*',
  'shield:*',
];

/** Props of the backbone's permissions boundary. */
export interface BackbonePermissionsBoundaryProps {
  /** The validated backbone spec. */
  readonly spec: BackboneSpec;
  /**
   * The ceiling of actions a role under the boundary may ever use (each still
   * needs a grant). `*` is refused by design: widen it service by service.
   * @default - storage, keys, logs, metrics, containers, HealthImaging, mounting and writing EFS, queues and topics, reading secrets and parameters, assuming roles, copying backups into a vault
   */
  readonly allowedActions?: string[];
}

/**
 * The permissions boundary every backbone role (workload identities, the CI
 * deploy role) is created under: an IAM managed policy in the hub stack with a
 * deterministic name, so trust stacks refer to it by ARN without exports.
 *
 * Whatever a role is granted later, it can never: create IAM users or access
 * keys; act outside the regions the spec's residency allows (global services
 * excepted); delete a HealthImaging image set or datastore, or bypass a
 * governance-mode S3 lock; schedule a key's deletion or disable a key or its rotation;
 * change S3 public access blocks; stop or delete a CloudTrail trail; or
 * change, detach or escape this boundary.
 */
export class BackbonePermissionsBoundary extends Construct {
  /** The boundary's managed policy name, derived from the spec alone. */
  public static policyName(spec: BackboneSpec): string {
    return spec.naming.hub('boundary');
  }

  /** The boundary's ARN in the account and partition of `scope`'s stack, derived from the spec alone. */
  public static arnFor(scope: Construct, spec: BackboneSpec): string {
    return Stack.of(scope).formatArn({ service: 'iam', region: '', resource: 'policy', resourceName: BackbonePermissionsBoundary.policyName(spec) });
  }

  /**
   * The boundary, imported by name: for stacks other than the one that
   * defines it (e.g. a trust stack, which deploys after the hub stack).
   */
  public static fromSpec(scope: Construct, id: string, spec: BackboneSpec): iam.IManagedPolicy {
    return iam.ManagedPolicy.fromManagedPolicyName(scope, id, BackbonePermissionsBoundary.policyName(spec));
  }

  /** The managed policy. */
  public readonly policy: iam.ManagedPolicy;
  /** Its ARN. */
  public readonly policyArn: string;

  constructor(scope: Construct, id: string, props: BackbonePermissionsBoundaryProps) {
    super(scope, id);
    const { spec } = props;
    const allowed = props.allowedActions ?? DEFAULT_ALLOWED_ACTIONS;
    allowed.forEach((a, i) => {
      if (typeof a !== 'string' || !/^[a-z0-9-]+:[A-Za-z0-9*]+$/.test(a)) {
        throw BackboneError.of(`allowedActions[${i}]`, `${JSON.stringify(a)} is not an IAM action of one service (e.g. "s3:GetObject" or "s3:*"); "*" is never allowed`);
      }
    });
    const selfArn = BackbonePermissionsBoundary.arnFor(this, spec);
    const regions = UkRegions.allowedRegions(Cloud.AWS, spec.residency);

    this.policy = new iam.ManagedPolicy(this, 'Resource', {
      managedPolicyName: BackbonePermissionsBoundary.policyName(spec),
      description: `nhs-backbone ${spec.name}: permissions boundary of every backbone role`,
      statements: [
        new iam.PolicyStatement({
          sid: 'Ceiling',
          actions: allowed,
          resources: ['*'],
        }),
        new iam.PolicyStatement({
          sid: 'DenyLongLivedCredentials',
          effect: iam.Effect.DENY,
          actions: ['iam:CreateUser', 'iam:CreateAccessKey', 'iam:CreateLoginProfile', 'iam:UpdateLoginProfile'],
          resources: ['*'],
        }),
        new iam.PolicyStatement({
          sid: 'DenyOutsideAllowedRegions',
          effect: iam.Effect.DENY,
          notActions: GLOBAL_SERVICE_ACTIONS,
          resources: ['*'],
          conditions: { StringNotEquals: { 'aws:RequestedRegion': regions } },
        }),
        new iam.PolicyStatement({
          sid: 'DenyKeyDestruction',
          effect: iam.Effect.DENY,
          actions: ['kms:ScheduleKeyDeletion', 'kms:DisableKey', 'kms:DisableKeyRotation'],
          resources: ['*'],
        }),
        new iam.PolicyStatement({
          sid: 'DenyPublicAccessChanges',
          effect: iam.Effect.DENY,
          actions: ['s3:PutBucketPublicAccessBlock', 's3:PutAccountPublicAccessBlock'],
          resources: ['*'],
        }),
        new iam.PolicyStatement({
          sid: 'DenyClinicalDeletion',
          effect: iam.Effect.DENY,
          actions: CLINICAL_DELETION_ACTIONS,
          resources: ['*'],
        }),
        new iam.PolicyStatement({
          sid: 'DenyAuditTampering',
          effect: iam.Effect.DENY,
          actions: ['cloudtrail:StopLogging', 'cloudtrail:DeleteTrail'],
          resources: ['*'],
        }),
        new iam.PolicyStatement({
          sid: 'DenyBoundaryChanges',
          effect: iam.Effect.DENY,
          actions: ['iam:CreatePolicyVersion', 'iam:DeletePolicy', 'iam:DeletePolicyVersion', 'iam:SetDefaultPolicyVersion'],
          resources: [selfArn],
        }),
        new iam.PolicyStatement({
          sid: 'DenyBoundaryRemoval',
          effect: iam.Effect.DENY,
          actions: ['iam:DeleteRolePermissionsBoundary', 'iam:DeleteUserPermissionsBoundary'],
          resources: ['*'],
        }),
        new iam.PolicyStatement({
          sid: 'DenyRolesWithoutThisBoundary',
          effect: iam.Effect.DENY,
          actions: ['iam:CreateRole', 'iam:PutRolePermissionsBoundary', 'iam:PutUserPermissionsBoundary'],
          resources: ['*'],
          conditions: { StringNotEquals: { 'iam:PermissionsBoundary': selfArn } },
        }),
      ],
    });
    this.policyArn = this.policy.managedPolicyArn;
    const ceiling = 'This managed policy is a permissions boundary, not a grant: its service-wide statements (e.g. s3:*) are the ceiling of what a backbone role may ever be granted, and the role still needs a grant scoped to resources for each action. Its deny statements are the point of it.';
    acknowledgeNag(this, ['IAMPolicyNoStatementsWithFullAccess'], ceiling);
    acknowledgeGuard(this, ['iam_managed_policy_no_statements_with_full_access_check'], ceiling);
  }
}
