import { DataGoogleStorageProjectServiceAccount } from '@cdktf/provider-google/lib/data-google-storage-project-service-account';
import { DataGoogleStorageTransferProjectServiceAccount } from '@cdktf/provider-google/lib/data-google-storage-transfer-project-service-account';
import { KmsCryptoKey } from '@cdktf/provider-google/lib/kms-crypto-key';
import { KmsCryptoKeyIamMember } from '@cdktf/provider-google/lib/kms-crypto-key-iam-member';
import { ProjectIamAuditConfig } from '@cdktf/provider-google/lib/project-iam-audit-config';
import { TerraformStack } from 'cdktf';
import { Construct, IConstruct } from 'constructs';
import { BackboneSpec } from '../../core/backbone-spec';
import { NameKind } from '../../core/naming';

/**
 * Names, limits and per-project singletons shared by the storage constructs.
 * Stacks refer to each other's buckets and key rings only through these
 * deterministic names (never a cdktf cross-stack reference). Not re-exported
 * from the package index.
 * @internal
 */

export const DAY_SECONDS = 86400;
/** GCS retention and Cloud KMS count a year as 365 days. */
export const YEAR_SECONDS = 365 * DAY_SECONDS;
/** Cloud Storage's longest retention period: 3,155,760,000 s (100 years of 365.25 days). */
export const MAX_RETENTION_SECONDS = 3_155_760_000;
/** Soft delete: 7 to 90 days, or 0 to switch it off (which the backbone never does). */
export const MIN_SOFT_DELETE_DAYS = 7;
export const MAX_SOFT_DELETE_DAYS = 90;
/** The KMS defaults the trust key rings use too (docs/gcp-identity.md). */
export const KEY_ROTATION_SECONDS = 90 * DAY_SECONDS;
export const KEY_DESTROY_SCHEDULED_SECONDS = 30 * DAY_SECONDS;
export const ENCRYPTER_DECRYPTER = 'roles/cloudkms.cryptoKeyEncrypterDecrypter';
/**
 * The log streams every project sends to the archive: Cloud Audit Logs (admin
 * activity, data access, system event, policy denied), VPC flow logs,
 * firewall rule logs, Cloud NAT logs and Cloud DNS query logs.
 */
export const ARCHIVED_LOG_IDS = [
  'cloudaudit.googleapis.com/activity',
  'cloudaudit.googleapis.com/data_access',
  'cloudaudit.googleapis.com/system_event',
  'cloudaudit.googleapis.com/policy',
  'compute.googleapis.com/vpc_flows',
  'compute.googleapis.com/firewall',
  'compute.googleapis.com/nat_flows',
  'dns.googleapis.com/dns_queries',
];

/** The Logging query that selects every archived stream. */
export function archiveFilter(): string {
  return ARCHIVED_LOG_IDS.map((id) => `log_id("${id}")`).join(' OR ');
}

/** A trust's clinical store bucket: `<prefix>-<ods>-<store>-<env>`. */
export function storeBucketName(spec: BackboneSpec, odsCode: string, storeName: string): string {
  return spec.naming.trust(odsCode, storeName, NameKind.GCS_BUCKET);
}

/**
 * A store's backup bucket: `<prefix>-backup-<ods>-<store>-<env>`. "backup" sits
 * where an ODS code would; ODS codes are at most 5 characters, so no trust
 * store can ever take this name.
 */
export function backupBucketName(spec: BackboneSpec, odsCode: string, storeName: string): string {
  return spec.naming.name(NameKind.GCS_BUCKET, ['backup', odsCode, storeName]);
}

/** The central log archive bucket in the hub project: `<prefix>-hub-logs-<env>`. */
export function logArchiveBucketName(spec: BackboneSpec): string {
  return spec.naming.hub('logs', NameKind.GCS_BUCKET);
}

/** The backup project: the spec's `storage.backup.gcpProject`, else `<prefix>-backup-<env>`. */
export function defaultBackupProjectId(spec: BackboneSpec): string {
  return spec.storage.backup?.gcpProject ?? spec.naming.name(NameKind.GCP_PROJECT, ['backup']);
}

/** The key ring of the backup project. */
export function backupKeyRingName(spec: BackboneSpec): string {
  return spec.naming.name(NameKind.GCP_RESOURCE, ['backup', 'keys']);
}

/** `projects/<p>/locations/<region>/keyRings/<name>`. */
export function keyRingId(projectId: string, region: string, name: string): string {
  return `projects/${projectId}/locations/${region}/keyRings/${name}`;
}

/** A backbone-standard crypto key: HSM, rotated every 90 days, never destroyed by a plan. */
export function standardKey(scope: Construct, id: string, props: {
  readonly keyRing: string;
  readonly name: string;
  readonly labels: { [k: string]: string };
}): KmsCryptoKey {
  return new KmsCryptoKey(scope, id, {
    name: props.name,
    keyRing: props.keyRing,
    purpose: 'ENCRYPT_DECRYPT',
    rotationPeriod: `${KEY_ROTATION_SECONDS}s`,
    destroyScheduledDuration: `${KEY_DESTROY_SCHEDULED_SECONDS}s`,
    versionTemplate: { algorithm: 'GOOGLE_SYMMETRIC_ENCRYPTION', protectionLevel: 'HSM' },
    labels: props.labels,
    lifecycle: { preventDestroy: true },
  });
}

function singleton<T extends IConstruct>(scope: IConstruct, id: string, make: (stack: TerraformStack) => T): T {
  const stack = TerraformStack.of(scope);
  const found = stack.node.tryFindChild(id);
  return found ? found as T : make(stack);
}

/** The project's Cloud Storage service agent (the identity that uses a bucket's CMEK key); one data source per stack and project. */
export function storageServiceAgent(scope: IConstruct, projectId: string): DataGoogleStorageProjectServiceAccount {
  return singleton(scope, `storage-service-agent-${projectId}`,
    (stack) => new DataGoogleStorageProjectServiceAccount(stack, `storage-service-agent-${projectId}`, { project: projectId }));
}

/** The project's Storage Transfer Service agent; one data source per stack and project. */
export function transferServiceAgent(scope: IConstruct, projectId: string): DataGoogleStorageTransferProjectServiceAccount {
  return singleton(scope, `transfer-service-agent-${projectId}`,
    (stack) => new DataGoogleStorageTransferProjectServiceAccount(stack, `transfer-service-agent-${projectId}`, { project: projectId }));
}

/**
 * Data Access audit logs (ADMIN_READ, DATA_READ, DATA_WRITE) for Cloud Storage
 * in a project: one `google_project_iam_audit_config` per stack and project
 * (the resource is authoritative for its service, so two would fight).
 */
export function storageAuditConfig(scope: IConstruct, projectId: string): ProjectIamAuditConfig {
  return singleton(scope, `storage-audit-${projectId}`,
    (stack) => new ProjectIamAuditConfig(stack, `storage-audit-${projectId}`, {
      project: projectId,
      service: 'storage.googleapis.com',
      auditLogConfig: [{ logType: 'ADMIN_READ' }, { logType: 'DATA_READ' }, { logType: 'DATA_WRITE' }],
    }));
}

/**
 * Lets a project's Cloud Storage service agent use a key (so buckets of that
 * project can have it as their default key): one IAM member per key and
 * project, made a child of the key's construct.
 */
export function keyUseByStorage(key: IConstruct, cryptoKeyId: string, projectId: string): KmsCryptoKeyIamMember {
  const id = `StorageServiceAgent-${projectId}`;
  const found = key.node.tryFindChild(id);
  if (found) return found as KmsCryptoKeyIamMember;
  return new KmsCryptoKeyIamMember(key, id, {
    cryptoKeyId,
    role: ENCRYPTER_DECRYPTER,
    member: storageServiceAgent(key, projectId).member,
  });
}
