import { LoggingProjectSink } from '@cdktf/provider-google/lib/logging-project-sink';
import { StorageBucket } from '@cdktf/provider-google/lib/storage-bucket';
import { StorageBucketIamMember } from '@cdktf/provider-google/lib/storage-bucket-iam-member';
import { Token } from 'cdktf';
import { Construct } from 'constructs';
import {
  DAY_SECONDS, MAX_RETENTION_SECONDS, MAX_SOFT_DELETE_DAYS, archiveFilter, keyUseByStorage, logArchiveBucketName, storageAuditConfig,
} from './ids';
import { ServiceKeyRing } from './service-key-ring';
import { BackboneSpec } from '../../core/backbone-spec';
import { RECORDS_CATEGORY_TAG } from '../../core/compliance';
import { BackboneError } from '../../core/errors';
import { NameKind } from '../../core/naming';
import { Cloud } from '../../core/regions';
import { RecordsCategory } from '../../core/retention';
import { checkProjectId } from '../network/ids';

/** Props of a log sink to the central archive. */
export interface LogSinkProps {
  /** The validated backbone spec. */
  readonly spec: BackboneSpec;
  /** The project whose logs are sent. */
  readonly projectId: string;
  /**
   * The archive bucket's name.
   * @default - the backbone's log archive in the hub (`LogArchive.bucketNameFor(spec)`)
   */
  readonly archiveBucketName?: string;
}

/**
 * Sends a project's audit logs (admin activity, data access, system event,
 * policy denied), VPC flow logs, firewall, NAT and DNS query logs to the
 * central log archive bucket: one `google_logging_project_sink` with its own
 * writer identity, which is given roles/storage.objectCreator on the archive
 * bucket (by name: no cross-stack reference). The writer can add objects,
 * never read, replace or delete them.
 */
export class LogSink extends Construct {
  /** The sink. */
  public readonly sink: LoggingProjectSink;
  /** The Logging query the sink routes. */
  public readonly filter: string;

  constructor(scope: Construct, id: string, props: LogSinkProps) {
    super(scope, id);
    const project = checkProjectId('projectId', props.projectId);
    const bucket = props.archiveBucketName ?? logArchiveBucketName(props.spec);
    if (typeof bucket !== 'string' || (!Token.isUnresolved(bucket) && !/^[a-z0-9][a-z0-9_.-]{1,61}[a-z0-9]$/.test(bucket))) {
      throw BackboneError.of('archiveBucketName', `${JSON.stringify(bucket)} is not a Cloud Storage bucket name`);
    }
    this.filter = archiveFilter();
    this.sink = new LoggingProjectSink(this, 'Resource', {
      project,
      name: props.spec.naming.name(NameKind.GCP_RESOURCE, ['log-archive']),
      description: `Audit, flow, firewall, NAT and DNS logs of ${project} to the ${props.spec.name} log archive`,
      destination: `storage.googleapis.com/${bucket}`,
      filter: this.filter,
      uniqueWriterIdentity: true,
    });
    new StorageBucketIamMember(this, 'Writer', {
      bucket,
      role: 'roles/storage.objectCreator',
      member: this.sink.writerIdentity,
    });
  }
}

/** Props of the central log archive. */
export interface LogArchiveProps {
  /** The validated backbone spec; `storage.logRetentionDays` sets the lock. */
  readonly spec: BackboneSpec;
  /** The hub's project, where the archive lives. */
  readonly projectId: string;
}

/**
 * The central log archive in the hub project: one Cloud Storage bucket,
 * encrypted with the hub's own customer-managed HSM key (a key ring made
 * here), with a locked retention policy of `storage.logRetentionDays` (no one
 * can delete or replace a log object earlier, nor shorten the policy),
 * uniform access, public access prevention, soft delete, and lifecycle moves
 * to Coldline (30 days) and Archive (365 days). The hub's own logs go there
 * through a `LogSink`; every trust project and the backup project send theirs
 * with their own sinks. Never destroyed by a plan.
 */
export class LogArchive extends Construct {
  /** The deterministic archive bucket name of a backbone. */
  public static bucketNameFor(spec: BackboneSpec): string {
    return logArchiveBucketName(spec);
  }

  /** The bucket. */
  public readonly bucket: StorageBucket;
  /** The bucket's name. */
  public readonly bucketName: string;
  /** The hub's key ring (key `logs`). */
  public readonly keyRing: ServiceKeyRing;
  /** The locked retention, in seconds. */
  public readonly retentionSeconds: number;
  /** The hub's own sink. */
  public readonly hubSink: LogSink;

  constructor(scope: Construct, id: string, props: LogArchiveProps) {
    super(scope, id);
    const { spec } = props;
    const project = checkProjectId('projectId', props.projectId);
    const days = spec.storage.logRetentionDays ?? 365;
    this.retentionSeconds = days * DAY_SECONDS;
    if (this.retentionSeconds > MAX_RETENTION_SECONDS) {
      throw BackboneError.of('storage.logRetentionDays', `${days} is longer than Cloud Storage's longest retention period (${Math.floor(MAX_RETENTION_SECONDS / DAY_SECONDS)} days)`);
    }
    this.keyRing = new ServiceKeyRing(this, 'keys', {
      spec, projectId: project, name: spec.naming.hub('keys', NameKind.GCP_RESOURCE), keyNames: ['logs'],
    });
    const key = this.keyRing.key('logs');
    const keyGrant = keyUseByStorage(key, key.id, project);
    storageAuditConfig(this, project);

    this.bucketName = logArchiveBucketName(spec);
    this.bucket = new StorageBucket(this, 'Resource', {
      project,
      name: this.bucketName,
      location: spec.region(Cloud.GCP),
      storageClass: 'STANDARD',
      uniformBucketLevelAccess: true,
      publicAccessPrevention: 'enforced',
      encryption: { defaultKmsKeyName: key.id },
      retentionPolicy: { retentionPeriod: this.retentionSeconds, isLocked: true },
      versioning: { enabled: false },
      softDeletePolicy: { retentionDurationSeconds: MAX_SOFT_DELETE_DAYS * DAY_SECONDS },
      lifecycleRule: [
        { condition: { age: 30, matchesStorageClass: ['STANDARD'] }, action: { type: 'SetStorageClass', storageClass: 'COLDLINE' } },
        { condition: { age: 365, matchesStorageClass: ['STANDARD', 'COLDLINE'] }, action: { type: 'SetStorageClass', storageClass: 'ARCHIVE' } },
      ],
      forceDestroy: false,
      labels: { 'purpose': 'log-archive', 'retention-days': String(days), [RECORDS_CATEGORY_TAG]: RecordsCategory.AUDIT_LOG.id },
      dependsOn: [keyGrant],
      lifecycle: { preventDestroy: true },
    });
    // The hub's own sink names the bucket by reference, so Terraform makes the bucket first.
    this.hubSink = new LogSink(this, 'hub-sink', { spec, projectId: project, archiveBucketName: this.bucket.name });
  }
}
