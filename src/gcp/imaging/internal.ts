import { DataGoogleProject } from '@cdktf/provider-google/lib/data-google-project';
import { ProjectIamAuditConfig } from '@cdktf/provider-google/lib/project-iam-audit-config';
import { TerraformStack, Token } from 'cdktf';
import { IConstruct } from 'constructs';
import { BackboneSpec, ImagingNetwork } from '../../core/backbone-spec';
import { BackboneError } from '../../core/errors';
import { NameKind } from '../../core/naming';
import { NhsTags } from '../../core/tags';

/**
 * Names, limits and per-stack singletons shared by the imaging constructs.
 * Not re-exported from the package index.
 * @internal
 */

/** The same KMS defaults as the trust key rings (docs/gcp-identity.md). */
export const DAY_SECONDS = 86400;
export const DEFAULT_KEY_ROTATION_DAYS = 90;
export const KEY_DESTROY_SCHEDULED_SECONDS = 30 * DAY_SECONDS;
export const ENCRYPTER_DECRYPTER = 'roles/cloudkms.cryptoKeyEncrypterDecrypter';

/** Cloud Healthcare roles on one DICOM store. */
export const DICOM_VIEWER = 'roles/healthcare.dicomViewer';
export const DICOM_EDITOR = 'roles/healthcare.dicomEditor';

/** Pub/Sub keeps unacknowledged messages 10 minutes to 31 days. */
export const MAX_TOPIC_RETENTION_DAYS = 31;

/** The metadata server's token endpoint for the VM's attached service account. */
export const METADATA_TOKEN_URL = 'http://metadata.google.internal/computeMetadata/v1/instance/service-accounts/default/token';

/**
 * The short form of an imaging network's id used in names: the network's own
 * ODS code for `icb-<icb>` and `trust-<ods>` networks (ODS codes are unique
 * across all NHS organisations, so an ICB's code is never a trust's), and
 * `national` for the one national network.
 */
export function networkShortId(network: ImagingNetwork): string {
  return network.id === 'national' ? 'national' : network.odsCode.toLowerCase();
}

/** A name of the imaging network's own resources: `<prefix>-img-<short>[-<purpose>]-<env>`. */
export function imagingName(spec: BackboneSpec, network: ImagingNetwork, kind: NameKind, purpose?: string): string {
  return spec.naming.name(kind, purpose ? ['img', networkShortId(network), purpose] : ['img', networkShortId(network)]);
}

/**
 * The NHS labels of an imaging network's resources. A trust network carries
 * the trust's labels; an ICB or national network is not a trust, so it carries
 * the backbone's (hub) labels with `ods-code` (and for an ICB, `icb`) set to
 * the network's own ODS code. Every network also gets `imaging-network`.
 */
export function networkLabels(spec: BackboneSpec, network: ImagingNetwork): { [key: string]: string } {
  const isTrust = spec.trusts.some((t) => t.odsCode === network.odsCode) && network.id.startsWith('trust-');
  const labels: { [key: string]: string } = isTrust ? spec.labelsFor(network.odsCode) : spec.labelsFor();
  if (!isTrust) {
    labels['ods-code'] = NhsTags.toLabel(network.odsCode);
    if (network.id.startsWith('icb-')) labels.icb = NhsTags.toLabel(network.odsCode);
  }
  labels['imaging-network'] = NhsTags.toLabel(network.id);
  return Object.fromEntries(Object.entries(labels).sort(([a], [b]) => a.localeCompare(b)));
}

/** The network as the spec knows it; anything else is a BackboneError naming `path`. */
export function checkNetwork(spec: BackboneSpec, network: ImagingNetwork, path: string): ImagingNetwork {
  const known = spec.imagingNetworks();
  const found = known.find((n) => n.id === network?.id);
  if (!found || JSON.stringify(found.trusts) !== JSON.stringify(network.trusts) || found.odsCode !== network.odsCode) {
    throw BackboneError.of(path, `${JSON.stringify(network?.id ?? network)} is not an imaging network of backbone ${spec.name} (one of: ${known.map((n) => n.id).join(', ')}; take it from spec.imagingNetworks())`);
  }
  return found;
}

/** A whole number in a range, else a BackboneError naming `path`. */
export function checkWhole(path: string, value: unknown, min: number, max: number, what: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw BackboneError.of(path, `${JSON.stringify(value)} is not ${what} (whole number from ${min} to ${max})`);
  }
  return value;
}

/** A project number given by the caller (digits), or undefined. */
export function checkProjectNumber(path: string, value: string | undefined): string | undefined {
  if (value !== undefined && (typeof value !== 'string' || !/^[0-9]{6,20}$/.test(value))) {
    throw BackboneError.of(path, `${JSON.stringify(value)} is not a Google Cloud project number (digits only)`);
  }
  return value;
}

/** True when a string is a cdktf token (resolved at synthesis or apply time): not checked. */
export function isToken(value: string): boolean {
  return Token.isUnresolved(value);
}

function singleton<T extends IConstruct>(scope: IConstruct, id: string, make: (stack: TerraformStack) => T): T {
  const stack = TerraformStack.of(scope);
  const found = stack.node.tryFindChild(id);
  return found ? found as T : make(stack);
}

/**
 * A project's number (service agents are named after it): the caller's, or a
 * `google_project` data source, one per stack and project.
 */
export function projectNumber(scope: IConstruct, projectId: string, given?: string): string {
  if (given !== undefined) return given;
  return singleton(scope, `project-${projectId}`, (stack) => new DataGoogleProject(stack, `project-${projectId}`, { projectId })).number;
}

/** The email of a Google-managed service agent, e.g. `service-<n>@gcp-sa-healthcare.iam.gserviceaccount.com`. */
export function serviceAgent(number: string, domain: string): string {
  return `service-${number}@${domain}.iam.gserviceaccount.com`;
}

/**
 * Data Access audit logs (ADMIN_READ, DATA_READ, DATA_WRITE) for the Cloud
 * Healthcare API in a project: one `google_project_iam_audit_config` per stack
 * and project (the resource is authoritative for its service, so two would fight).
 */
export function healthcareAuditConfig(scope: IConstruct, projectId: string): ProjectIamAuditConfig {
  return dataAccessAuditConfig(scope, projectId, 'healthcare');
}

/**
 * Data Access audit logs (ADMIN_READ, DATA_READ, DATA_WRITE) for Secret
 * Manager in a project, so every read of the gateway's TLS secrets is logged
 * with the caller: one per stack and project, like the Healthcare one.
 */
export function secretManagerAuditConfig(scope: IConstruct, projectId: string): ProjectIamAuditConfig {
  return dataAccessAuditConfig(scope, projectId, 'secretmanager');
}

function dataAccessAuditConfig(scope: IConstruct, projectId: string, api: string): ProjectIamAuditConfig {
  return singleton(scope, `${api}-audit-${projectId}`,
    (stack) => new ProjectIamAuditConfig(stack, `${api}-audit-${projectId}`, {
      project: projectId,
      service: `${api}.googleapis.com`,
      auditLogConfig: [{ logType: 'ADMIN_READ' }, { logType: 'DATA_READ' }, { logType: 'DATA_WRITE' }],
    }));
}
