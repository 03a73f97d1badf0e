import { Aws, Duration, RemovalPolicy, Tags, aws_iam as iam, aws_kms as kms, aws_s3 as s3 } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { BackboneSpec } from '../../core/backbone-spec';
import { RECORDS_CATEGORY_TAG } from '../../core/compliance';
import { BackboneError } from '../../core/errors';
import { NameKind } from '../../core/naming';
import { RecordsCategory } from '../../core/retention';
import { acknowledgeGuard, acknowledgeNag } from '../compliance/internal';
import { denyGrantsExceptForAwsServices } from '../identity/key-policy';

/** Props of the central log store. */
export interface CentralLogStoreProps {
  /** The validated backbone spec: `storage.logRetentionDays` sets the lock and the expiry. */
  readonly spec: BackboneSpec;
  /**
   * Days after which logs move to S3 Glacier Instant Retrieval (still
   * readable in milliseconds by an investigation); fewer than the retention.
   * @default 90
   */
  readonly coldAfterDays?: number;
}

/**
 * The backbone's central log archive on AWS (one S3 bucket in the hub
 * stack): VPC flow logs of every VPC, the hub firewall's alert and flow logs,
 * and the AuditTrail's CloudTrail logs (management events and the clinical
 * stores' object-level data events, which stand in for S3 server access logs)
 * land here.
 *
 * Encrypted with a customer-managed KMS key (rotated) and an S3 bucket key,
 * versioned, with S3 Object Lock in COMPLIANCE mode for the spec's
 * `storage.logRetentionDays`: no one, the account root included, can delete
 * or overwrite a log before then. Logs move to a colder tier after
 * `coldAfterDays` and expire at the retention (a delete marker, when the lock
 * has just ended; the locked version itself goes a day later as a noncurrent
 * version), so the archive never keeps logs longer than decided either.
 * Public access blocked, TLS 1.2+ only, no ACLs, kept when the stack is deleted.
 * Tagged `records-category: audit-log` (NHS-RET-1 checks the lock against the
 * category's one-year floor); its key refuses grants except to AWS services.
 *
 * Its name is deterministic (from the spec's naming), so trust stacks write to
 * it by name and ARN rather than through 209 cross-stack exports.
 */
export class CentralLogStore extends Construct {
  /** The bucket's name, derived from the spec alone. */
  public static bucketName(spec: BackboneSpec): string {
    return spec.naming.hub('logs', NameKind.S3_BUCKET);
  }

  /** The bucket's ARN in the deploying partition, derived from the spec alone. */
  public static bucketArn(spec: BackboneSpec): string {
    return `arn:${Aws.PARTITION}:s3:::${CentralLogStore.bucketName(spec)}`;
  }

  /** The log bucket. */
  public readonly bucket: s3.Bucket;
  /** The customer-managed key that encrypts it. */
  public readonly key: kms.Key;
  /** How long every log is locked and kept, in days. */
  public readonly retentionDays: number;
  /** Days after which logs move to the colder tier. */
  public readonly coldAfterDays: number;

  constructor(scope: Construct, id: string, props: CentralLogStoreProps) {
    super(scope, id);
    const { spec } = props;
    const name = CentralLogStore.bucketName(spec);
    const retentionDays = spec.storage.logRetentionDays ?? 365;
    const coldAfterDays = props.coldAfterDays ?? 90;
    if (!Number.isInteger(coldAfterDays) || coldAfterDays < 30 || coldAfterDays >= retentionDays) {
      throw BackboneError.of('coldAfterDays', `${coldAfterDays} is not allowed (whole days from 30 to ${retentionDays - 1}, under storage.logRetentionDays)`);
    }
    this.retentionDays = retentionDays;
    this.coldAfterDays = coldAfterDays;
    this.key = new kms.Key(this, 'Key', {
      alias: `alias/${spec.naming.hub('logs')}`,
      description: `nhs-backbone ${spec.name}: central log store`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // Log delivery (VPC flow logs, Network Firewall) writes with SSE-KMS.
    this.key.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'AllowLogDelivery',
      principals: [new iam.ServicePrincipal('delivery.logs.amazonaws.com')],
      actions: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:DescribeKey'],
      resources: ['*'],
      conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
    }));
    this.bucket = new s3.Bucket(this, 'Resource', {
      bucketName: name,
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: this.key,
      bucketKeyEnabled: true,
      versioned: true,
      objectLockEnabled: true,
      objectLockDefaultRetention: s3.ObjectLockRetention.compliance(Duration.days(retentionDays)),
      lifecycleRules: [
        {
          id: 'cold-then-expire',
          transitions: [{ storageClass: s3.StorageClass.GLACIER_INSTANT_RETRIEVAL, transitionAfter: Duration.days(coldAfterDays) }],
          // Not before the lock ends: expiry adds a delete marker at the retention;
          // the locked version, now noncurrent, is removed a day later.
          expiration: Duration.days(retentionDays),
          noncurrentVersionExpiration: Duration.days(1),
          abortIncompleteMultipartUploadAfter: Duration.days(7),
        },
        { id: 'remove-expired-delete-markers', expiredObjectDeleteMarker: true },
      ],
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    denyGrantsExceptForAwsServices(this.key);
    // NHS-RET-1 checks the lock against the audit-log category's floor.
    Tags.of(this.bucket).add(RECORDS_CATEGORY_TAG, RecordsCategory.AUDIT_LOG.id);
    acknowledgeNag(this.bucket, ['S3BucketLoggingEnabled'], 'This is the log archive: S3 cannot deliver server access logs to a bucket with Object Lock or SSE-KMS, nor usefully to itself; the backbone trail records reads, deletes and retention changes of archived logs as CloudTrail data events (AuditTrail), and bucket configuration changes as management events.');
    acknowledgeGuard(this.bucket, ['s3_bucket_logging_enabled_check'], 'This is the log archive: S3 cannot deliver server access logs to a bucket with Object Lock or SSE-KMS; the backbone trail records reads, deletes and retention changes of archived logs as CloudTrail data events (AuditTrail).');
    acknowledgeNag(this.bucket, ['S3BucketReplicationEnabled'], 'Logs are locked in compliance mode for the retention and kept in three zones; a copy in another account is the organisation\'s log archive account (e.g. Control Tower\'s), fed by an organisation trail, not something a workload account can protect from its own administrators.');
    acknowledgeGuard(this.bucket, ['s3_event_notifications_enabled_check'], 'Nothing consumes the log archive\'s object events: every flow-log, firewall and CloudTrail delivery would raise one; investigations query the archive (e.g. with Athena) instead.');
    const delivery = new iam.ServicePrincipal('delivery.logs.amazonaws.com');
    const sourceAccount = { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } };
    this.bucket.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'AWSLogDeliveryWrite',
      principals: [delivery],
      actions: ['s3:PutObject'],
      resources: [this.bucket.arnForObjects(`*/AWSLogs/${Aws.ACCOUNT_ID}/*`)],
      conditions: { StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control', 'aws:SourceAccount': Aws.ACCOUNT_ID } },
    }));
    this.bucket.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'AWSLogDeliveryAclCheck',
      principals: [delivery],
      actions: ['s3:GetBucketAcl', 's3:ListBucket'],
      resources: [this.bucket.bucketArn],
      conditions: sourceAccount,
    }));
  }
}
