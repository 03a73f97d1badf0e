import { StorageBucket, StorageBucketLifecycleRule } from '@cdktf/provider-google/lib/storage-bucket';
import { StorageBucketIamMember } from '@cdktf/provider-google/lib/storage-bucket-iam-member';
import { Construct } from 'constructs';
import {
  DAY_SECONDS, MAX_SOFT_DELETE_DAYS, MIN_SOFT_DELETE_DAYS, YEAR_SECONDS,
  keyUseByStorage, storageAuditConfig, storeBucketName, transferServiceAgent,
} from './ids';
import { BackboneSpec } from '../../core/backbone-spec';
import { BackboneError } from '../../core/errors';
import { Cloud } from '../../core/regions';
import { LockMode, RecordsCategory } from '../../core/retention';
import { StoreSpec } from '../../core/spec';
import { TrustKeyRing } from '../identity/kms';
import { IWorkloadIdentity, WorkloadIdentity } from '../identity/workload-identity';
import { checkProjectId } from '../network/ids';

/** The storage class objects move to at a store's second (coldest) step. */
export enum ArchiveStorageClass {
  /** Archive: the cheapest class, still online (milliseconds), 365-day minimum storage duration. */
  ARCHIVE = 'ARCHIVE',
  /** Stay in Coldline: no second step. */
  COLDLINE = 'COLDLINE',
}

/** Props of a trust's clinical store. */
export interface ClinicalStoreProps {
  /** The validated backbone spec. */
  readonly spec: BackboneSpec;
  /** The trust the store belongs to. */
  readonly odsCode: string;
  /** The store, by its name in `spec.storage.stores`. */
  readonly storeName: string;
  /** The trust's project (where the bucket is made). */
  readonly projectId: string;
  /** The trust's key ring; the bucket's default key is its key for `dataClass`. */
  readonly keyRing: TrustKeyRing;
  /**
   * Which of the trust's keys encrypts the store.
   * @default "data"
   */
  readonly dataClass?: string;
  /**
   * Days after which objects move from Coldline to the archive class (the
   * store's `coldAfterDays` moves them from Standard to Coldline first).
   * @default - one year after the move to Coldline: coldAfterDays + 365
   */
  readonly archiveAfterDays?: number;
  /**
   * The class of the second step.
   * @default ArchiveStorageClass.ARCHIVE
   */
  readonly archiveStorageClass?: ArchiveStorageClass;
  /**
   * Days a deleted object stays restorable (soft delete; Google allows 7 to 90).
   * @default 90
   */
  readonly softDeleteDays?: number;
  /**
   * The project whose Storage Transfer Service agent copies the store into
   * the backup project; that agent is given read (object viewer and legacy
   * bucket reader) on this bucket, nothing else.
   * @default - no backup reader
   */
  readonly backupProjectId?: string;
}

/**
 * A trust's clinical record store: one Cloud Storage bucket in the trust's
 * project and the spec's region, encrypted by default with the trust's
 * customer-managed HSM key (the project's Cloud Storage service agent is
 * allowed to use it), with uniform bucket-level access, public access
 * prevention enforced, a retention policy of the store's years (locked, so
 * that no one can shorten it, in compliance mode), soft delete, lifecycle
 * moves to colder classes (never a deletion), an event-based hold on every
 * new object when the store is under legal hold, and Data Access audit logs
 * of Cloud Storage in the project. Never destroyed by a plan.
 *
 * Object Versioning is off on purpose: Cloud Storage does not allow it
 * together with a bucket retention policy, and the locked policy already
 * refuses every replacement or deletion inside the period (see
 * docs/gcp-storage.md).
 */
export class ClinicalStore extends Construct {
  /** The deterministic bucket name of a trust's store (used by the backup stack). */
  public static bucketNameFor(spec: BackboneSpec, odsCode: string, storeName: string): string {
    return storeBucketName(spec, odsCode, storeName);
  }

  /** The bucket. */
  public readonly bucket: StorageBucket;
  /** The bucket's name. */
  public readonly bucketName: string;
  /** The trust. */
  public readonly odsCode: string;
  /** The store's settings from the spec (defaults filled in). */
  public readonly store: StoreSpec;
  /** The records category. */
  public readonly category: RecordsCategory;
  /** The retention period in seconds (years x 365 days). */
  public readonly retentionSeconds: number;
  /** The key id (`projects/.../cryptoKeys/<class>`) that encrypts the store. */
  public readonly keyId: string;
  private readonly grants = new Set<string>();

  constructor(scope: Construct, id: string, props: ClinicalStoreProps) {
    super(scope, id);
    const { spec } = props;
    spec.trust(props.odsCode);
    this.odsCode = props.odsCode;
    const project = checkProjectId('projectId', props.projectId);
    const store = (spec.storage.stores ?? []).find((s) => s.name === props.storeName);
    if (!store) {
      throw BackboneError.of('storeName', `${JSON.stringify(props.storeName)} is not a store of backbone ${spec.name} (one of: ${(spec.storage.stores ?? []).map((s) => s.name).join(', ')})`);
    }
    if (!(props.keyRing instanceof TrustKeyRing)) {
      throw BackboneError.of('keyRing', 'is not a TrustKeyRing (the trust\'s key ring from the backbone)');
    }
    if (props.keyRing.odsCode !== props.odsCode) {
      throw BackboneError.of('keyRing', `is trust ${props.keyRing.odsCode}'s key ring, not ${props.odsCode}'s (a store is encrypted with its own trust's key)`);
    }
    const key = props.keyRing.key(props.dataClass ?? 'data');
    const category = RecordsCategory.fromId(store.category)!;
    const years = store.years ?? category.minimumLockYears;
    const coldAfterDays = store.coldAfterDays ?? 90;
    const archiveClass = props.archiveStorageClass ?? ArchiveStorageClass.ARCHIVE;
    if (!Object.values(ArchiveStorageClass).includes(archiveClass)) {
      throw BackboneError.of('archiveStorageClass', `${JSON.stringify(archiveClass)} is not allowed (one of: ${Object.values(ArchiveStorageClass).join(', ')})`);
    }
    const archiveAfterDays = props.archiveAfterDays ?? coldAfterDays + 365;
    if (typeof archiveAfterDays !== 'number' || !Number.isInteger(archiveAfterDays) || archiveAfterDays <= coldAfterDays || archiveAfterDays > 36500) {
      throw BackboneError.of('archiveAfterDays', `${JSON.stringify(archiveAfterDays)} is not allowed (whole days after the store's coldAfterDays, ${coldAfterDays}, up to 36500)`);
    }
    const softDeleteDays = props.softDeleteDays ?? MAX_SOFT_DELETE_DAYS;
    if (typeof softDeleteDays !== 'number' || !Number.isInteger(softDeleteDays) || softDeleteDays < MIN_SOFT_DELETE_DAYS || softDeleteDays > MAX_SOFT_DELETE_DAYS) {
      throw BackboneError.of('softDeleteDays', `${JSON.stringify(softDeleteDays)} is not allowed (whole days from ${MIN_SOFT_DELETE_DAYS} to ${MAX_SOFT_DELETE_DAYS}, Cloud Storage's soft delete range)`);
    }
    const backupProject = props.backupProjectId === undefined ? undefined : checkProjectId('backupProjectId', props.backupProjectId);
    if (backupProject === project) {
      throw BackboneError.of('backupProjectId', `"${backupProject}" is the store's own project (the backup copy must live in a separate project)`);
    }

    this.store = { ...store, years, coldAfterDays };
    this.category = category;
    this.retentionSeconds = years * YEAR_SECONDS;
    this.keyId = key.keyId;
    this.bucketName = storeBucketName(spec, props.odsCode, store.name);

    const keyGrant = keyUseByStorage(key, key.resource.id, project);
    storageAuditConfig(this, project);

    const lifecycleRule: StorageBucketLifecycleRule[] = [
      { condition: { age: coldAfterDays, matchesStorageClass: ['STANDARD'] }, action: { type: 'SetStorageClass', storageClass: 'COLDLINE' } },
    ];
    if (archiveClass === ArchiveStorageClass.ARCHIVE) {
      lifecycleRule.push({ condition: { age: archiveAfterDays, matchesStorageClass: ['STANDARD', 'COLDLINE'] }, action: { type: 'SetStorageClass', storageClass: 'ARCHIVE' } });
    }
    lifecycleRule.push({ condition: { age: 7 }, action: { type: 'AbortIncompleteMultipartUpload' } });

    this.bucket = new StorageBucket(this, 'Resource', {
      project,
      name: this.bucketName,
      location: spec.region(Cloud.GCP),
      storageClass: 'STANDARD',
      uniformBucketLevelAccess: true,
      publicAccessPrevention: 'enforced',
      encryption: { defaultKmsKeyName: key.resource.id },
      retentionPolicy: { retentionPeriod: this.retentionSeconds, isLocked: store.lockMode !== LockMode.GOVERNANCE },
      defaultEventBasedHold: store.legalHold === true,
      versioning: { enabled: false },
      softDeletePolicy: { retentionDurationSeconds: softDeleteDays * DAY_SECONDS },
      lifecycleRule,
      forceDestroy: false,
      labels: {
        'store': store.name,
        'records-category': category.id,
        'retention-years': String(years),
        'lock-mode': store.lockMode ?? LockMode.COMPLIANCE,
        'legal-hold': String(store.legalHold === true),
      },
      dependsOn: [keyGrant],
      lifecycle: { preventDestroy: true },
    });

    if (backupProject) {
      const agent = transferServiceAgent(this, backupProject);
      for (const role of ['roles/storage.objectViewer', 'roles/storage.legacyBucketReader']) {
        new StorageBucketIamMember(this, `BackupReader-${role.split('.').pop()}`, {
          bucket: this.bucket.name,
          role,
          member: agent.member,
        });
      }
    }
  }

  /** Lets an identity read objects (roles/storage.objectViewer on this bucket only). */
  public grantRead(identity: IWorkloadIdentity): void {
    this.grant(identity, ['roles/storage.objectViewer']);
  }

  /**
   * Lets an identity read and add objects (roles/storage.objectViewer and
   * roles/storage.objectCreator on this bucket only). It cannot delete,
   * replace, change holds or change IAM.
   */
  public grantReadWrite(identity: IWorkloadIdentity): void {
    this.grant(identity, ['roles/storage.objectViewer', 'roles/storage.objectCreator']);
  }

  /**
   * Lets an identity manage records (roles/storage.objectUser on this bucket
   * only): read, add, set and release object holds (how the application
   * extends a record's retention, docs/gcp-storage.md) and dispose of objects
   * whose retention has passed. The locked retention policy and the holds
   * still refuse any earlier deletion. No IAM or bucket settings.
   */
  public grantRecordsManagement(identity: IWorkloadIdentity): void {
    this.grant(identity, ['roles/storage.objectUser']);
  }

  private grant(grantee: IWorkloadIdentity, roles: string[]): void {
    const identity = WorkloadIdentity._check(grantee, 'identity');
    for (const role of roles) {
      const k = `${role}|${identity.member}`;
      if (this.grants.has(k)) continue;
      this.grants.add(k);
      new StorageBucketIamMember(this, `${role.split('/').pop()}-${identity.email}`, {
        bucket: this.bucket.name,
        role,
        member: identity.member,
        dependsOn: identity._dependable(this),
      });
    }
  }
}
