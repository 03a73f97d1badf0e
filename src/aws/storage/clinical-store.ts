import { Duration, RemovalPolicy, Stack, Tags, aws_iam as iam, aws_s3 as s3 } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { DAYS_PER_YEAR } from './internal';
import { BackboneSpec } from '../../core/backbone-spec';
import { RECORDS_CATEGORY_TAG } from '../../core/compliance';
import { BackboneError } from '../../core/errors';
import { NameKind } from '../../core/naming';
import { LockMode, RecordsCategory } from '../../core/retention';
import { StoreSpec } from '../../core/spec';
import { acknowledgeGuard, acknowledgeNag } from '../compliance/internal';
import { CustomerManagedKey } from '../identity/customer-managed-key';
import { requireWorkloadIdentity } from '../identity/internal';
import { IWorkloadIdentity } from '../identity/workload-identity';

/** Colder tiers a clinical store may move objects to (all keep data in three or more zones). */
const COLD_CLASSES = [
  s3.StorageClass.GLACIER_INSTANT_RETRIEVAL,
  s3.StorageClass.INFREQUENT_ACCESS,
  s3.StorageClass.INTELLIGENT_TIERING,
  s3.StorageClass.GLACIER,
  s3.StorageClass.DEEP_ARCHIVE,
].map((c) => c.value);

/** Actions the legal hold denies to every principal, the account root included. */
const LEGAL_HOLD_DENIED_ACTIONS = [
  's3:DeleteObject',
  's3:DeleteObjectVersion',
  's3:PutLifecycleConfiguration',
  's3:BypassGovernanceRetention',
];

/** Why a clinical store has no S3 server access log (cdk-nag and cfn-guard). */
const ACCESS_LOG_REASON = 'S3 server access logs cannot be delivered to a bucket with Object Lock or SSE-KMS, so they would need an unlocked, S3-encrypted log bucket; instead the backbone trail (AuditTrail) records every object-level call on the store as CloudTrail data events, naming the principal, in the locked, KMS-encrypted central log archive.';

/** Props of a clinical store. */
export interface ClinicalStoreProps {
  /** The validated backbone spec: its `storage.stores` entry named `storeName` gives category, lock, hold and cold tier. */
  readonly spec: BackboneSpec;
  /** The trust whose store this is. */
  readonly odsCode: string;
  /** The store's name, as in the spec's `storage.stores`. */
  readonly storeName: string;
  /**
   * The trust's own customer-managed key (in the same stack). Every object is
   * encrypted with it (SSE-KMS with an S3 bucket key).
   */
  readonly encryptionKey: CustomerManagedKey;
  /**
   * The colder tier objects (and noncurrent versions) move to after the
   * store's `coldAfterDays`. One-zone tiers are refused.
   * @default s3.StorageClass.GLACIER_INSTANT_RETRIEVAL - millisecond reads, so an old record opens as fast as a new one
   */
  readonly coldStorageClass?: s3.StorageClass;
}

/**
 * A trust's clinical record store on AWS: one S3 bucket per store in the
 * spec, named from the spec (`<backbone>-<ods>-store-<name>-<env>`).
 *
 * - SSE-KMS with the trust's own customer-managed key and an S3 bucket key;
 *   uploads naming any other key, or SSE-S3, are denied by the bucket policy.
 * - Versioned, with S3 Object Lock: every new object version is locked by
 *   default for the store's years (x 365 days, the same count as
 *   `RecordsCategory.minimumLockDays`) in the store's mode (compliance for
 *   every clinical category). This is the category's FLOOR: retention runs
 *   from an event in the patient's life (last seen, birth, death), so the
 *   application extends each record's lock with `PutObjectRetention`. The
 *   bucket policy denies any upload or `PutObjectRetention` that asks for
 *   less than the floor (`s3:object-lock-remaining-retention-days`) or, in a
 *   compliance store, for another mode (`s3:object-lock-mode`).
 * - Legal hold (spec `legalHold: true`): a bucket policy statement denies
 *   `s3:DeleteObject`, `s3:DeleteObjectVersion`, `s3:PutLifecycleConfiguration`
 *   and `s3:BypassGovernanceRetention` to every principal. Per-object holds
 *   are the application's, with `PutObjectLegalHold`.
 * - Block Public Access on all four settings, bucket-owner-enforced object
 *   ownership (no ACLs), TLS 1.2 or later only.
 * - Lifecycle: objects and noncurrent versions move to a colder tier after
 *   `coldAfterDays`; nothing expires (the application decides when a record
 *   may go, once its lock has passed); incomplete uploads are aborted after 7 days.
 * - Access logging: S3 server access logs cannot be delivered to a bucket
 *   with Object Lock nor one encrypted with SSE-KMS, so the backbone records
 *   every object read and write as CloudTrail data events in the KMS-encrypted,
 *   object-locked central log archive instead (see AuditTrail). Data events
 *   name the IAM principal; server access logs are best-effort and unsigned.
 * - Tagged `records-category` (the category's id), which the NHS compliance
 *   profile's NHS-RET-1 reads to check the lock against the category's floor.
 * - Object events (created, deleted, restored) go to the account's default
 *   EventBridge bus, so an app can extend a new record's retention on
 *   ObjectCreated without polling.
 * - Kept when the stack is deleted or the bucket would be replaced
 *   (DeletionPolicy and UpdateReplacePolicy Retain).
 *
 * Apps get access only through `grantRead` and `grantReadWrite`, which take a
 * WorkloadIdentity and also grant the needed use of the trust's key.
 */
export class ClinicalStore extends Construct {
  /** The bucket name of a trust's store, derived from the spec alone. */
  public static bucketNameFor(spec: BackboneSpec, odsCode: string, storeName: string): string {
    return spec.naming.trust(odsCode, `store-${storeName}`, NameKind.S3_BUCKET);
  }

  /** The bucket. */
  public readonly bucket: s3.Bucket;
  /** The bucket's name. */
  public readonly bucketName: string;
  /** The bucket's ARN. */
  public readonly bucketArn: string;
  /** The trust it belongs to. */
  public readonly odsCode: string;
  /** The store's name in the spec. */
  public readonly storeName: string;
  /** The records category whose floor it enforces. */
  public readonly category: RecordsCategory;
  /** The default lock of every new object version, in days (years x 365). */
  public readonly retentionDays: number;
  /** The lock mode. */
  public readonly lockMode: LockMode;
  /** True when the store-wide legal hold is on. */
  public readonly legalHold: boolean;
  /** Days after which objects move to the colder tier. */
  public readonly coldAfterDays: number;
  /** The trust key that encrypts it. */
  public readonly encryptionKey: CustomerManagedKey;

  constructor(scope: Construct, id: string, props: ClinicalStoreProps) {
    super(scope, id);
    const { spec, odsCode, storeName } = props;
    spec.trust(odsCode);
    const store = findStore(spec, storeName);
    const category = RecordsCategory.fromId(store.category);
    if (!category) {
      throw BackboneError.of('storeName', `store "${storeName}" has category "${store.category}", which is not a records category`);
    }
    const years = store.years ?? category.minimumLockYears;
    const retentionDays = years * DAYS_PER_YEAR;
    if (retentionDays < category.minimumLockDays) {
      throw BackboneError.of('storeName', `store "${storeName}" locks ${retentionDays} days, under the ${category.id} floor of ${category.minimumLockDays} days`);
    }
    const lockMode = store.lockMode === LockMode.GOVERNANCE ? LockMode.GOVERNANCE : LockMode.COMPLIANCE;
    if (lockMode === LockMode.GOVERNANCE && category.requiresComplianceMode) {
      throw BackboneError.of('storeName', `store "${storeName}" asks for governance mode, but ${category.id} records must be locked in compliance mode`);
    }
    checkTrustKey(this, spec, odsCode, props.encryptionKey);
    const coldClass = props.coldStorageClass ?? s3.StorageClass.GLACIER_INSTANT_RETRIEVAL;
    if (!COLD_CLASSES.includes(coldClass.value)) {
      throw BackboneError.of('coldStorageClass', `${coldClass.value} is not allowed (one of: ${COLD_CLASSES.join(', ')}; one-zone tiers lose data with their zone)`);
    }
    const coldAfterDays = store.coldAfterDays ?? 90;

    this.odsCode = odsCode;
    this.storeName = storeName;
    this.category = category;
    this.retentionDays = retentionDays;
    this.lockMode = lockMode;
    this.legalHold = store.legalHold === true;
    this.coldAfterDays = coldAfterDays;
    this.encryptionKey = props.encryptionKey;

    const retention = lockMode === LockMode.COMPLIANCE
      ? s3.ObjectLockRetention.compliance(Duration.days(retentionDays))
      : s3.ObjectLockRetention.governance(Duration.days(retentionDays));
    const cold = Duration.days(coldAfterDays);
    this.bucket = new s3.Bucket(this, 'Resource', {
      bucketName: ClinicalStore.bucketNameFor(spec, odsCode, storeName),
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: props.encryptionKey.key,
      bucketKeyEnabled: true,
      versioned: true,
      objectLockEnabled: true,
      objectLockDefaultRetention: retention,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [{
        id: 'cold-tier',
        transitions: [{ storageClass: coldClass, transitionAfter: cold }],
        noncurrentVersionTransitions: [{ storageClass: coldClass, transitionAfter: cold }],
        abortIncompleteMultipartUploadAfter: Duration.days(7),
      }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.bucketName = this.bucket.bucketName;
    this.bucketArn = this.bucket.bucketArn;
    // Object events go to the account's default EventBridge bus (no Lambda, no
    // custom resource): an app extends a new record's retention on ObjectCreated.
    (this.bucket.node.defaultChild as s3.CfnBucket).notificationConfiguration = {
      eventBridgeConfiguration: { eventBridgeEnabled: true },
    };
    acknowledgeNag(this, ['S3BucketLoggingEnabled'], ACCESS_LOG_REASON);
    acknowledgeGuard(this, ['s3_bucket_logging_enabled_check'], ACCESS_LOG_REASON);
    acknowledgeNag(this, ['S3BucketReplicationEnabled'], 'The immutable second copy is an AWS Backup recovery point in the trust\'s locked vault (Vault Lock in compliance mode, TrustBackup), copied to the backup account when the spec names one; replication would copy deletes of unlocked versions and add no immutability.');

    // Every object with the trust's key: no upload may name another key or ask for SSE-S3.
    this.bucket.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'DenyOtherKmsKeys',
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions: ['s3:PutObject'],
      resources: [this.bucket.arnForObjects('*')],
      conditions: { StringNotEqualsIfExists: { 's3:x-amz-server-side-encryption-aws-kms-key-id': props.encryptionKey.keyArn } },
    }));
    this.bucket.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'DenyOtherEncryption',
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions: ['s3:PutObject'],
      resources: [this.bucket.arnForObjects('*')],
      conditions: { StringNotEqualsIfExists: { 's3:x-amz-server-side-encryption': 'aws:kms' } },
    }));
    // The floor holds for explicit per-object retention too: an upload or a
    // PutObjectRetention may set a later date than the default, never an
    // earlier one, nor a weaker mode.
    this.bucket.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'DenyRetentionUnderFloor',
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions: ['s3:PutObject', 's3:PutObjectRetention'],
      resources: [this.bucket.arnForObjects('*')],
      conditions: { NumericLessThan: { 's3:object-lock-remaining-retention-days': retentionDays } },
    }));
    if (lockMode === LockMode.COMPLIANCE) {
      this.bucket.addToResourcePolicy(new iam.PolicyStatement({
        sid: 'DenyOtherLockMode',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['s3:PutObject', 's3:PutObjectRetention'],
        resources: [this.bucket.arnForObjects('*')],
        conditions: { StringNotEqualsIfExists: { 's3:object-lock-mode': 'COMPLIANCE' } },
      }));
    }
    if (this.legalHold) {
      this.bucket.addToResourcePolicy(new iam.PolicyStatement({
        sid: 'LegalHold',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: LEGAL_HOLD_DENIED_ACTIONS,
        resources: [this.bucket.bucketArn, this.bucket.arnForObjects('*')],
      }));
    }

    // NHS-RET-1 reads the category from this tag and checks the lock against its floor.
    Tags.of(this.bucket).add(RECORDS_CATEGORY_TAG, category.id);
    Tags.of(this.bucket).add('nhs-backbone:lock', `${lockMode}-${retentionDays}d`);
    if (this.legalHold) Tags.of(this.bucket).add('nhs-backbone:legal-hold', 'on');
  }

  /**
   * Lets an app read the store: objects and their versions, retention and
   * legal-hold status, listing; and decrypt with the trust's key.
   */
  public grantRead(identity: IWorkloadIdentity): iam.Grant {
    return this.bucket.grantRead(requireWorkloadIdentity(identity, 'identity'));
  }

  /**
   * Lets an app read and write the store: put objects, extend a record's
   * retention (`PutObjectRetention`), place and lift per-object legal holds
   * (`PutObjectLegalHold`), delete versions whose lock has passed; and
   * encrypt and decrypt with the trust's key. It never gets
   * `s3:BypassGovernanceRetention` nor any bucket configuration action.
   */
  public grantReadWrite(identity: IWorkloadIdentity): iam.Grant {
    return this.bucket.grantReadWrite(requireWorkloadIdentity(identity, 'identity'));
  }
}

function findStore(spec: BackboneSpec, storeName: string): StoreSpec {
  const stores = spec.storage.stores ?? [];
  const store = stores.find((s) => s.name === storeName);
  if (!store) {
    throw BackboneError.of('storeName', `"${storeName}" is not a store of backbone ${spec.name} (one of: ${stores.map((s) => s.name).join(', ') || 'none'})`);
  }
  return store;
}

/** The key must be the trust's own (its alias from the spec) and live in the store's stack (no cross-stack references). */
function checkTrustKey(scope: Construct, spec: BackboneSpec, odsCode: string, key: CustomerManagedKey): void {
  if (!Construct.isConstruct(key) || !(key as { key?: unknown }).key || typeof (key as { aliasName?: unknown }).aliasName !== 'string') {
    throw BackboneError.of('encryptionKey', `${describe(key)} is not a CustomerManagedKey: pass the trust's key (Backbone.key("${odsCode}"))`);
  }
  const own = CustomerManagedKey.aliasFor(spec, odsCode);
  const ownClassPrefix = `${own.slice(0, own.length - spec.environment.length - 1)}-`;
  if (key.aliasName !== own && !key.aliasName.startsWith(ownClassPrefix)) {
    throw BackboneError.of('encryptionKey', `${key.aliasName} is not a key of trust ${odsCode} (its keys are ${own} or ${ownClassPrefix}<class>-${spec.environment})`);
  }
  if (Stack.of(key) !== Stack.of(scope)) {
    throw BackboneError.of('encryptionKey', `${key.aliasName} is in stack ${Stack.of(key).stackName}, not the store's stack ${Stack.of(scope).stackName}: make the store in the trust's stack, beside its key`);
  }
}

function describe(x: unknown): string {
  if (x === undefined || x === null) return String(x);
  if (Construct.isConstruct(x)) return `construct ${x.node.path}`;
  return `a ${(x as object).constructor?.name ?? typeof x}`;
}
