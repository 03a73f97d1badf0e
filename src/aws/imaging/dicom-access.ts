import { Stack, Token, aws_iam as iam } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { BackboneSpec, ImagingNetwork } from '../../core/backbone-spec';
import { BackboneError } from '../../core/errors';
import { DicomWebAccess } from '../../core/spec';
import { BackbonePermissionsBoundary } from '../identity/permissions-boundary';
import { WorkloadIdentity } from '../identity/workload-identity';

// Helpers shared by the imaging constructs. Not re-exported from index.ts:
// not part of the jsii API.

/**
 * HealthImaging read actions (IAM prefix `medical-imaging`): the DICOMweb
 * WADO-RS and QIDO-RS representations and the cloud-native image-set reads.
 * Named one by one (no wildcard) so that a new write action AWS adds under a
 * matching prefix is never granted by accident.
 */
export const DICOM_READ_ACTIONS = [
  // DICOMweb WADO-RS
  'medical-imaging:GetDICOMInstance',
  'medical-imaging:GetDICOMInstanceMetadata',
  'medical-imaging:GetDICOMInstanceFrames',
  'medical-imaging:GetDICOMSeriesMetadata',
  'medical-imaging:GetDICOMBulkdata',
  // DICOMweb QIDO-RS
  'medical-imaging:SearchDICOMStudies',
  'medical-imaging:SearchDICOMSeries',
  'medical-imaging:SearchDICOMInstances',
  // cloud-native reads
  'medical-imaging:GetImageSet',
  'medical-imaging:GetImageSetMetadata',
  'medical-imaging:GetImageFrame',
  'medical-imaging:SearchImageSets',
  'medical-imaging:ListImageSetVersions',
  'medical-imaging:GetDatastore',
];

/** HealthImaging write actions the backbone grants: STOW-RS and bulk import only (no delete, no metadata update, no copy). */
export const DICOM_WRITE_ACTIONS = [
  'medical-imaging:StoreDICOM',
  'medical-imaging:StoreDICOMStudy',
  'medical-imaging:StartDICOMImportJob',
];

/** KMS actions a reader needs on the network key, through HealthImaging only. */
export const KEY_READ_ACTIONS = ['kms:Decrypt', 'kms:DescribeKey'];
/** KMS actions a writer needs in addition, through HealthImaging only. */
export const KEY_WRITE_ACTIONS = ['kms:Encrypt', 'kms:GenerateDataKey', 'kms:ReEncryptFrom', 'kms:ReEncryptTo'];

/** The HealthImaging endpoints that may use a network key on a caller's behalf (control plane, image sets, DICOMweb). */
export function healthImagingServices(region: string): string[] {
  return ['medical-imaging', 'runtime-medical-imaging', 'dicom-medical-imaging'].map((s) => `${s}.${region}.amazonaws.com`);
}

/** What a grant needs to know about a store, in the grantee's stack. */
export interface DicomStoreRefs {
  readonly datastoreArn: string;
  readonly keyArn: string;
  readonly region: string;
}

/**
 * Grants DICOMweb read (and, with `write`, STOW-RS and import) on one
 * datastore and the use of its key through HealthImaging only.
 */
export function grantDicom(refs: DicomStoreRefs, grantee: iam.IGrantable, write: boolean): iam.Grant {
  const imaging = iam.Grant.addToPrincipal({
    grantee,
    actions: write ? [...DICOM_READ_ACTIONS, ...DICOM_WRITE_ACTIONS] : [...DICOM_READ_ACTIONS],
    resourceArns: [refs.datastoreArn, `${refs.datastoreArn}/imageset/*`],
  });
  const key = iam.Grant.addToPrincipal({
    grantee,
    actions: write ? [...KEY_READ_ACTIONS, ...KEY_WRITE_ACTIONS] : [...KEY_READ_ACTIONS],
    resourceArns: [refs.keyArn],
    conditions: { StringEquals: { 'kms:ViaService': healthImagingServices(refs.region) } },
  });
  return imaging.combine(key);
}

/**
 * Checks that a grantee is a backbone role: a WorkloadIdentity whose app the
 * spec gives this DICOMweb access (`apps[].dicomweb`) in a trust of the
 * network, or an IAM role made in this app under the backbone's permissions
 * boundary (e.g. a DIMSE gateway's task role). Throws a BackboneError naming
 * `grantee` otherwise.
 */
export function requireBackboneGrantee(spec: BackboneSpec, network: ImagingNetwork, grantee: unknown, write: boolean): iam.IGrantable {
  if (WorkloadIdentity.isWorkloadIdentity(grantee)) {
    const app = spec.apps.find((a) => a.name === grantee.appName);
    const access = app?.dicomweb ?? DicomWebAccess.NONE;
    const wanted = write ? DicomWebAccess.READ_WRITE : DicomWebAccess.READ;
    if (access === DicomWebAccess.NONE || (write && access !== DicomWebAccess.READ_WRITE)) {
      throw BackboneError.of('grantee', `app ${grantee.appName} has dicomweb "${access}" in the spec, so it may not be given "${wanted}" (set apps[].dicomweb to "${wanted}")`);
    }
    if (grantee.odsCode !== undefined && !network.trusts.includes(grantee.odsCode)) {
      throw BackboneError.of('grantee', `app ${grantee.appName} of trust ${grantee.odsCode} may not use the DICOM store of imaging network ${network.id} (trusts ${network.trusts.join(', ')})`);
    }
    return grantee;
  }
  const principal = (grantee as iam.IGrantable | undefined)?.grantPrincipal;
  if (principal instanceof iam.Role && principal.permissionsBoundary) {
    const b = principal.permissionsBoundary;
    const boundary = b instanceof iam.ManagedPolicy ? b.managedPolicyName : b.managedPolicyArn.split('/').pop() ?? '';
    if (Token.isUnresolved(boundary) || boundary === BackbonePermissionsBoundary.policyName(spec)) {
      return grantee as iam.IGrantable;
    }
    throw BackboneError.of('grantee', `role ${principal.node.path} is under the permissions boundary ${boundary}, not the backbone's (${BackbonePermissionsBoundary.policyName(spec)})`);
  }
  const what = grantee === undefined || grantee === null ? String(grantee)
    : Construct.isConstruct(grantee) ? `construct ${grantee.node.path}`
      : `a ${(principal ?? grantee as object).constructor?.name ?? typeof grantee}`;
  throw BackboneError.of('grantee', `${what} is not a backbone role: grant DICOMweb access to a WorkloadIdentity (one per app) or a role made under the backbone's permissions boundary`);
}

/** The stack of a grantee's principal, when it is a construct. */
export function stackOfGrantee(grantee: iam.IGrantable): Stack | undefined {
  const p = grantee.grantPrincipal;
  if (Construct.isConstruct(p)) return Stack.of(p);
  if (Construct.isConstruct(grantee)) return Stack.of(grantee);
  return undefined;
}
