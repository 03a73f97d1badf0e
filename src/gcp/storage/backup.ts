import { KmsCryptoKey } from '@cdktf/provider-google/lib/kms-crypto-key';
import { StorageBucket } from '@cdktf/provider-google/lib/storage-bucket';
import { StorageBucketIamMember } from '@cdktf/provider-google/lib/storage-bucket-iam-member';
import { StorageTransferJob } from '@cdktf/provider-google/lib/storage-transfer-job';
import { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { ClinicalStore } from './clinical-store';
import {
  DAY_SECONDS, MAX_SOFT_DELETE_DAYS, YEAR_SECONDS,
  backupBucketName, backupKeyRingName, keyRingId, keyUseByStorage, standardKey, storageAuditConfig, storeBucketName, transferServiceAgent,
} from './ids';
import { LogSink } from './log-archive';
import { ServiceKeyRing } from './service-key-ring';
import { BackboneSpec } from '../../core/backbone-spec';
import { BackboneError } from '../../core/errors';
import { Cloud } from '../../core/regions';
import { RecordsCategory } from '../../core/retention';
import { checkProjectId } from '../network/ids';

/**
 * The day the daily copies are scheduled from. A fixed date in the past
 * (output must not depend on when it is synthesised): Storage Transfer
 * Service then runs the job every day at START_HOUR_UTC.
 */
const SCHEDULE_START = { year: 2025, month: 1, day: 1 };
const START_HOUR_UTC = 1;

/** Props of the backup project's shared parts. */
export interface BackupProjectProps {
  /** The validated backbone spec. */
  readonly spec: BackboneSpec;
  /** The backup project. */
  readonly projectId: string;
  /**
   * Send the project's audit logs to the central log archive.
   * @default true
   */
  readonly logSink?: boolean;
}

/**
 * The shared parts of the backup project, in a stack of their own: the
 * project's key ring (each trust's backup key is made in it by that trust's
 * backup stack), Data Access audit logs of Cloud Storage, and a sink of the
 * project's audit logs to the central log archive.
 */
export class BackupProject extends Construct {
  /** The backup project. */
  public readonly projectId: string;
  /** The key ring. */
  public readonly keyRing: ServiceKeyRing;

  constructor(scope: Construct, id: string, props: BackupProjectProps) {
    super(scope, id);
    this.projectId = checkProjectId('projectId', props.projectId);
    this.keyRing = new ServiceKeyRing(this, 'keys', { spec: props.spec, projectId: this.projectId, name: backupKeyRingName(props.spec) });
    storageAuditConfig(this, this.projectId);
    if (props.logSink ?? true) new LogSink(this, 'log-sink', { spec: props.spec, projectId: this.projectId });
  }
}

/** Props of a trust's backup copies. */
export interface TrustBackupProps {
  /** The validated backbone spec. */
  readonly spec: BackboneSpec;
  /** The trust whose stores are copied. */
  readonly odsCode: string;
  /** The backup project (never the trust's own project). */
  readonly projectId: string;
  /** The trust's project, where its stores are. */
  readonly sourceProjectId: string;
  /**
   * The backup project's key ring, by id.
   * @default - the ring `BackupProject` makes: `projects/<project>/locations/<region>/keyRings/<prefix>-backup-keys-<env>`
   */
  readonly keyRingId?: string;
}

/**
 * A trust's immutable second copies (3-2-1: another project, another key, a
 * locked retention): for every store in the spec, one bucket in the backup
 * project filled every day by a Storage Transfer Service job that runs in the
 * backup project (it pulls; the trust's stack lets that project's transfer
 * agent read the store, see `ClinicalStore.backupProjectId`). The copies are
 * encrypted with a key of the trust's own in the backup project's ring, so
 * losing the trust's key or project does not lose the copy.
 */
export class TrustBackup extends Construct {
  /** The trust. */
  public readonly odsCode: string;
  /** The trust's backup key in the backup project's ring. */
  public readonly key: KmsCryptoKey;
  private readonly copies = new Map<string, BackupCopy>();
  private readonly spec: BackboneSpec;
  private readonly projectId: string;
  private readonly keyGrant: ITerraformDependable;

  constructor(scope: Construct, id: string, props: TrustBackupProps) {
    super(scope, id);
    const { spec } = props;
    spec.trust(props.odsCode);
    this.odsCode = props.odsCode;
    const project = checkProjectId('projectId', props.projectId);
    const source = checkProjectId('sourceProjectId', props.sourceProjectId);
    if (project === source) {
      throw BackboneError.of('projectId', `"${project}" is the trust's own project (the backup copy must live in a separate project)`);
    }
    const ring = props.keyRingId ?? keyRingId(project, spec.region(Cloud.GCP), backupKeyRingName(spec));
    if (typeof ring !== 'string' || !/^projects\/[a-z][a-z0-9-]{4,28}[a-z0-9]\/locations\/[a-z0-9-]+\/keyRings\/[a-zA-Z0-9_-]{1,63}$/.test(ring)) {
      throw BackboneError.of('keyRingId', `${JSON.stringify(ring)} is not a key ring id ("projects/<project>/locations/<region>/keyRings/<name>")`);
    }
    this.key = standardKey(this, 'key', {
      keyRing: ring,
      name: `trust-${props.odsCode.toLowerCase()}`,
      labels: { ...spec.labelsFor(props.odsCode), purpose: 'backup' },
    });
    const keyGrant = keyUseByStorage(this.key, this.key.id, project);
    this.spec = spec;
    this.projectId = project;
    this.keyGrant = keyGrant;
    for (const store of spec.storage.stores ?? []) {
      this.copies.set(store.name, new BackupCopy(this, `copy-${store.name}`, {
        spec, odsCode: props.odsCode, storeName: store.name, projectId: project, keyId: this.key.id, keyGrant,
      }));
    }
  }

  /**
   * Adds the copy of a store that is not in the spec's `storage.stores`: an
   * app's own store (AppStore) in this trust, copied exactly like the trust's
   * other stores (its records category, years and lock). The store must be
   * this trust's and made with this backup project as its `backupProjectId`
   * (so the transfer agent may read it). Adding the same store twice returns
   * the first copy.
   */
  public addStore(store: ClinicalStore): BackupCopy {
    if (!(store instanceof ClinicalStore)) throw BackboneError.of('store', 'is not a ClinicalStore');
    if (store.odsCode !== this.odsCode) {
      throw BackboneError.of('store', `is trust ${store.odsCode}'s store, not ${this.odsCode}'s (a trust's backup copies its own stores)`);
    }
    const name = store.store.name;
    const existing = this.copies.get(name);
    if (existing) return existing;
    const view = Object.create(this.spec) as BackboneSpec;
    Object.defineProperty(view, 'storage', { value: { ...this.spec.storage, stores: [store.store] }, enumerable: true });
    const copy = new BackupCopy(this, `copy-${name}`, {
      spec: view, odsCode: this.odsCode, storeName: name, projectId: this.projectId, keyId: this.key.id, keyGrant: this.keyGrant,
    });
    this.copies.set(name, copy);
    return copy;
  }

  /** The copy of one store. */
  public copy(storeName: string): BackupCopy {
    const c = this.copies.get(storeName);
    if (!c) throw BackboneError.of('storeName', `${JSON.stringify(storeName)} is not a store of trust ${this.odsCode} (one of: ${[...this.copies.keys()].join(', ')})`);
    return c;
  }
}

/** Props of one store's backup copy (made by TrustBackup). */
export interface BackupCopyProps {
  /** The validated backbone spec. */
  readonly spec: BackboneSpec;
  /** The trust. */
  readonly odsCode: string;
  /** The store, by its name in `spec.storage.stores`. */
  readonly storeName: string;
  /** The backup project. */
  readonly projectId: string;
  /** The key the copy is encrypted with (`projects/.../cryptoKeys/<name>`). */
  readonly keyId: string;
  /**
   * What the bucket waits for: the grant that lets the backup project's
   * Cloud Storage service agent use the key.
   * @default - nothing
   */
  readonly keyGrant?: ITerraformDependable;
}

/**
 * One store's immutable copy: a bucket in the backup project with a locked
 * retention policy of the store's years, CMEK, uniform access, public access
 * prevention, soft delete, the Archive class, and a daily Storage Transfer
 * Service job from the store that never overwrites or deletes anything in
 * the copy. The backup project's transfer agent may only add and list
 * objects here. Never destroyed by a plan.
 */
export class BackupCopy extends Construct {
  /** The deterministic backup bucket name of a trust's store. */
  public static bucketNameFor(spec: BackboneSpec, odsCode: string, storeName: string): string {
    return backupBucketName(spec, odsCode, storeName);
  }

  /** The backup bucket. */
  public readonly bucket: StorageBucket;
  /** The backup bucket's name. */
  public readonly bucketName: string;
  /** The store's bucket (the source). */
  public readonly sourceBucketName: string;
  /** The locked retention, in seconds. */
  public readonly retentionSeconds: number;
  /** The daily transfer job. */
  public readonly transferJob: StorageTransferJob;

  constructor(scope: Construct, id: string, props: BackupCopyProps) {
    super(scope, id);
    const { spec } = props;
    spec.trust(props.odsCode);
    const project = checkProjectId('projectId', props.projectId);
    const store = (spec.storage.stores ?? []).find((s) => s.name === props.storeName);
    if (!store) {
      throw BackboneError.of('storeName', `${JSON.stringify(props.storeName)} is not a store of backbone ${spec.name} (one of: ${(spec.storage.stores ?? []).map((s) => s.name).join(', ')})`);
    }
    const category = RecordsCategory.fromId(store.category)!;
    const years = store.years ?? category.minimumLockYears;
    this.retentionSeconds = years * YEAR_SECONDS;
    this.bucketName = backupBucketName(spec, props.odsCode, store.name);
    this.sourceBucketName = storeBucketName(spec, props.odsCode, store.name);

    this.bucket = new StorageBucket(this, 'Resource', {
      project,
      name: this.bucketName,
      location: spec.region(Cloud.GCP),
      storageClass: 'ARCHIVE',
      uniformBucketLevelAccess: true,
      publicAccessPrevention: 'enforced',
      encryption: { defaultKmsKeyName: props.keyId },
      retentionPolicy: { retentionPeriod: this.retentionSeconds, isLocked: true },
      versioning: { enabled: false },
      softDeletePolicy: { retentionDurationSeconds: MAX_SOFT_DELETE_DAYS * DAY_SECONDS },
      forceDestroy: false,
      labels: {
        'purpose': 'backup',
        'store': store.name,
        'records-category': category.id,
        'retention-years': String(years),
        'source-trust': props.odsCode.toLowerCase(),
      },
      dependsOn: props.keyGrant ? [props.keyGrant] : undefined,
      lifecycle: { preventDestroy: true },
    });

    // The transfer agent lists the copy (to skip what is there) and adds objects: nothing more.
    const agent = transferServiceAgent(this, project);
    const writers = ['roles/storage.objectCreator', 'roles/storage.legacyBucketReader'].map((role) =>
      new StorageBucketIamMember(this, `TransferWriter-${role.split('.').pop()}`, { bucket: this.bucket.name, role, member: agent.member }));

    this.transferJob = new StorageTransferJob(this, 'Transfer', {
      project,
      name: `transferJobs/${this.bucketName}`,
      description: `Daily immutable copy of ${this.sourceBucketName} (${props.odsCode} ${store.name})`,
      status: 'ENABLED',
      schedule: {
        scheduleStartDate: SCHEDULE_START,
        startTimeOfDay: { hours: START_HOUR_UTC, minutes: 0, seconds: 0, nanos: 0 },
        repeatInterval: `${DAY_SECONDS}s`,
      },
      transferSpec: {
        gcsDataSource: { bucketName: this.sourceBucketName },
        gcsDataSink: { bucketName: this.bucket.name },
        transferOptions: {
          overwriteWhen: 'NEVER',
          deleteObjectsUniqueInSink: false,
          deleteObjectsFromSourceAfterTransfer: false,
          metadataOptions: {
            kmsKey: 'KMS_KEY_DESTINATION_BUCKET_DEFAULT',
            storageClass: 'STORAGE_CLASS_DESTINATION_BUCKET_DEFAULT',
            temporaryHold: 'TEMPORARY_HOLD_PRESERVE',
            timeCreated: 'TIME_CREATED_PRESERVE_AS_CUSTOM_TIME',
          },
        },
      },
      loggingConfig: { logActions: ['FIND', 'COPY'], logActionStates: ['SUCCEEDED', 'FAILED'] },
      dependsOn: writers,
    });
  }
}
