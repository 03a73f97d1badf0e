import { HealthcareDataset } from '@cdktf/provider-google/lib/healthcare-dataset';
import { HealthcareDicomStore } from '@cdktf/provider-google/lib/healthcare-dicom-store';
import { HealthcareDicomStoreIamMember } from '@cdktf/provider-google/lib/healthcare-dicom-store-iam-member';
import { KmsCryptoKey } from '@cdktf/provider-google/lib/kms-crypto-key';
import { KmsCryptoKeyIamMember } from '@cdktf/provider-google/lib/kms-crypto-key-iam-member';
import { KmsKeyRing } from '@cdktf/provider-google/lib/kms-key-ring';
import { PubsubTopic } from '@cdktf/provider-google/lib/pubsub-topic';
import { PubsubTopicIamMember } from '@cdktf/provider-google/lib/pubsub-topic-iam-member';
import { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { DimseGatewayIdentity } from './gateway-identity';
import {
  DAY_SECONDS, DEFAULT_KEY_ROTATION_DAYS, DICOM_EDITOR, DICOM_VIEWER, ENCRYPTER_DECRYPTER, KEY_DESTROY_SCHEDULED_SECONDS,
  MAX_TOPIC_RETENTION_DAYS, checkNetwork, checkProjectNumber, checkWhole, healthcareAuditConfig, imagingName, networkLabels,
  projectNumber, serviceAgent,
} from './internal';
import { BackboneSpec, ImagingNetwork } from '../../core/backbone-spec';
import { RECORDS_CATEGORY_TAG } from '../../core/compliance';
import { BackboneError } from '../../core/errors';
import { NameKind } from '../../core/naming';
import { Cloud } from '../../core/regions';
import { RecordsCategory } from '../../core/retention';
import { DicomWebAccess } from '../../core/spec';
import { GcpCompliance } from '../compliance/acknowledge';
import { IWorkloadIdentity, WorkloadIdentity } from '../identity/workload-identity';
import { checkProjectId } from '../network/ids';

/** Why the store cannot meet NHS-RET-1 itself (written into the store's output). */
const DICOM_NO_LOCK_REASON = 'Cloud Healthcare API DICOM stores have no retention lock or object hold, so the store cannot enforce the imaging floor itself. '
  + 'Deletion is limited instead: only the network\'s DIMSE gateways and read-write apps hold dicomEditor (which can delete), '
  + 'dataset and store are prevent_destroy, and every DICOMweb write and delete is in the Data Access audit logs.';
/** Why there is no immutable copy of the store yet (NHS-BAK-1). */
const DICOM_NO_BACKUP_REASON = 'Cloud Healthcare API offers no managed backup or immutable copy of a DICOM store (only on-demand export), '
  + 'and the backbone does not yet schedule an export to a locked bucket in the backup project: a known gap (docs/gcp-compliance.md), '
  + 'accepted until that pipeline exists; the store is prevent_destroy and deletes are audit-logged.';

/** Props of an imaging network's DICOM store. */
export interface DicomStoreProps {
  /** The validated backbone spec. */
  readonly spec: BackboneSpec;
  /** The imaging network (one of `spec.imagingNetworks()`) whose store this is. */
  readonly network: ImagingNetwork;
  /**
   * The project holding the network's store, key ring and topic.
   * @default - `DicomStore.defaultProjectId(spec, network)`: `<name>-img-<network ODS code or "national">-<environment>`
   */
  readonly projectId?: string;
  /**
   * The project's number (the Cloud Healthcare and Pub/Sub service agents are
   * named after it).
   * @default - read with a `google_project` data source
   */
  readonly projectNumber?: string;
  /**
   * Days a store-change notification stays on the topic when nobody has
   * acknowledged it (Pub/Sub allows 10 minutes to 31 days).
   * @default 7
   */
  readonly notificationRetentionDays?: number;
  /**
   * Days between automatic rotations of the network's key.
   * @default 90
   */
  readonly keyRotationDays?: number;
}

/**
 * One imaging network's managed DICOM store on Google Cloud (Cloud Healthcare
 * API), in the network's project and the spec's region:
 *
 * - a Cloud KMS key ring and HSM key of its own (rotated, never destroyed by a
 *   plan), usable by the project's Cloud Healthcare and Pub/Sub service agents;
 * - a Healthcare dataset encrypted with that key (CMEK and location are fixed
 *   when the dataset is made) and the DICOM store in it, both `prevent_destroy`;
 * - a Pub/Sub topic (same key, UK-only message storage) that the store
 *   notifies of every new instance;
 * - Data Access audit logs for the Cloud Healthcare API in the project.
 *
 * Apps get DICOMweb access only through `grantDicomRead` / `grantDicomWrite`.
 * The API is reached privately from the spokes (Private Google Access): see
 * docs/gcp-imaging.md.
 */
export class DicomStore extends Construct {
  /** The default project of a network's store: `<name>-img-<network ODS code or "national">-<environment>` (6-30 characters; hashed when long). */
  public static defaultProjectId(spec: BackboneSpec, network: ImagingNetwork): string {
    return imagingName(spec, checkNetwork(spec, network, 'network'), NameKind.GCP_PROJECT);
  }

  /**
   * The NHS labels of a network's resources (an ICB or national network is
   * not a trust: `spec.labelsFor` refuses its ODS code). Use them as the
   * provider's default labels of the network's stack.
   */
  public static labelsOf(spec: BackboneSpec, network: ImagingNetwork): { [key: string]: string } {
    return networkLabels(spec, checkNetwork(spec, network, 'network'));
  }

  /** The imaging network. */
  public readonly network: ImagingNetwork;
  /** The project holding the store. */
  public readonly projectId: string;
  /** The store's region (the spec's Google region). */
  public readonly region: string;
  /** The dataset's name. */
  public readonly datasetName: string;
  /** `projects/<p>/locations/<r>/datasets/<d>`, known before it exists. */
  public readonly datasetId: string;
  /** The DICOM store's name. */
  public readonly dicomStoreName: string;
  /** `projects/<p>/locations/<r>/datasets/<d>/dicomStores/<s>`, known before it exists. */
  public readonly dicomStoreId: string;
  /** The DICOMweb base URL: `https://healthcare.googleapis.com/v1/<dicomStoreId>/dicomWeb`. */
  public readonly dicomWebUrl: string;
  /** The Pub/Sub topic's id, `projects/<p>/topics/<name>`. */
  public readonly topicId: string;
  /** The network's key id, `projects/<p>/locations/<r>/keyRings/<ring>/cryptoKeys/dicom`. */
  public readonly keyId: string;
  /** The email of the project's Cloud Healthcare service agent. */
  public readonly healthcareServiceAgent: string;
  /** The network's key ring. */
  public readonly keyRing: KmsKeyRing;
  /** The network's key (dataset, store and topic). */
  public readonly key: KmsCryptoKey;
  /** The dataset. */
  public readonly dataset: HealthcareDataset;
  /** The DICOM store. */
  public readonly resource: HealthcareDicomStore;
  /** The topic the store notifies of new instances. */
  public readonly topic: PubsubTopic;
  private readonly spec: BackboneSpec;
  private readonly grants = new Set<string>();

  constructor(scope: Construct, id: string, props: DicomStoreProps) {
    super(scope, id);
    const { spec } = props;
    this.spec = spec;
    const network = checkNetwork(spec, props.network, 'network');
    this.network = network;
    this.projectId = checkProjectId('projectId', props.projectId ?? imagingName(spec, network, NameKind.GCP_PROJECT));
    const number = projectNumber(this, this.projectId, checkProjectNumber('projectNumber', props.projectNumber));
    const retentionDays = checkWhole('notificationRetentionDays', props.notificationRetentionDays ?? 7, 1, MAX_TOPIC_RETENTION_DAYS,
      'a Pub/Sub message retention in days');
    const rotationDays = checkWhole('keyRotationDays', props.keyRotationDays ?? DEFAULT_KEY_ROTATION_DAYS, 1, 36500,
      'a Cloud KMS rotation period in days');
    this.region = spec.region(Cloud.GCP);
    const labels = networkLabels(spec, network);
    const project = this.projectId;

    // Key ring and key of the network.
    const ringName = imagingName(spec, network, NameKind.GCP_RESOURCE, 'keys');
    this.keyRing = new KmsKeyRing(this, 'KeyRing', {
      project,
      name: ringName,
      location: this.region,
      lifecycle: { preventDestroy: true },
    });
    this.keyId = `projects/${project}/locations/${this.region}/keyRings/${ringName}/cryptoKeys/dicom`;
    this.key = new KmsCryptoKey(this, 'Key', {
      name: 'dicom',
      keyRing: this.keyRing.id,
      purpose: 'ENCRYPT_DECRYPT',
      rotationPeriod: `${rotationDays * DAY_SECONDS}s`,
      destroyScheduledDuration: `${KEY_DESTROY_SCHEDULED_SECONDS}s`,
      versionTemplate: { algorithm: 'GOOGLE_SYMMETRIC_ENCRYPTION', protectionLevel: 'HSM' },
      labels: { ...labels, 'data-class': 'imaging' },
      lifecycle: { preventDestroy: true },
    });

    // The service agents that use the key: Cloud Healthcare (dataset, store) and Pub/Sub (topic).
    this.healthcareServiceAgent = serviceAgent(number, 'gcp-sa-healthcare');
    const healthcareKeyUse = new KmsCryptoKeyIamMember(this, 'HealthcareKeyUse', {
      cryptoKeyId: this.key.id,
      role: ENCRYPTER_DECRYPTER,
      member: `serviceAccount:${this.healthcareServiceAgent}`,
    });
    const pubsubKeyUse = new KmsCryptoKeyIamMember(this, 'PubsubKeyUse', {
      cryptoKeyId: this.key.id,
      role: ENCRYPTER_DECRYPTER,
      member: `serviceAccount:${serviceAgent(number, 'gcp-sa-pubsub')}`,
    });

    // Topic for store notifications: CMEK, messages stored in the UK region only.
    const topicName = imagingName(spec, network, NameKind.GCP_RESOURCE, 'dicom-events');
    this.topicId = `projects/${project}/topics/${topicName}`;
    this.topic = new PubsubTopic(this, 'Topic', {
      project,
      name: topicName,
      kmsKeyName: this.key.id,
      messageRetentionDuration: `${retentionDays * DAY_SECONDS}s`,
      messageStoragePolicy: { allowedPersistenceRegions: [this.region], enforceInTransit: true },
      labels,
      dependsOn: [pubsubKeyUse],
    });
    const publish = new PubsubTopicIamMember(this, 'HealthcarePublishes', {
      project,
      topic: this.topic.name,
      role: 'roles/pubsub.publisher',
      member: `serviceAccount:${this.healthcareServiceAgent}`,
    });

    // Dataset (location and CMEK fixed at creation) and DICOM store.
    this.datasetName = imagingName(spec, network, NameKind.GCP_RESOURCE);
    this.datasetId = `projects/${project}/locations/${this.region}/datasets/${this.datasetName}`;
    this.dataset = new HealthcareDataset(this, 'Dataset', {
      project,
      name: this.datasetName,
      location: this.region,
      encryptionSpec: { kmsKeyName: this.key.id },
      lifecycle: { preventDestroy: true },
      dependsOn: [healthcareKeyUse],
    });
    this.dicomStoreName = imagingName(spec, network, NameKind.GCP_RESOURCE, 'dicom');
    this.dicomStoreId = `${this.datasetId}/dicomStores/${this.dicomStoreName}`;
    this.dicomWebUrl = `https://healthcare.googleapis.com/v1/${this.dicomStoreId}/dicomWeb`;
    this.resource = new HealthcareDicomStore(this, 'Resource', {
      dataset: this.dataset.id,
      name: this.dicomStoreName,
      notificationConfig: { pubsubTopic: this.topic.id, sendForBulkImport: true },
      labels: { ...labels, [RECORDS_CATEGORY_TAG]: RecordsCategory.IMAGING.id },
      lifecycle: { preventDestroy: true },
      dependsOn: [publish],
    });
    GcpCompliance.acknowledge(this.resource, 'NHS-RET-1', DICOM_NO_LOCK_REASON);
    GcpCompliance.acknowledge(this.resource, 'NHS-BAK-1', DICOM_NO_BACKUP_REASON);

    healthcareAuditConfig(this, project);
  }

  /**
   * Lets an identity search and retrieve (QIDO-RS, WADO-RS) from this store
   * only: `roles/healthcare.dicomViewer` on the store, as one IAM member.
   * The identity must be a backbone WorkloadIdentity of an app with
   * `dicomweb: read` or `read-write` that serves a trust of this network (or
   * the network's DIMSE gateway identity). Granting twice is a no-op.
   */
  public grantDicomRead(identity: IWorkloadIdentity): void {
    this.grant(identity, DICOM_VIEWER, [DicomWebAccess.READ, DicomWebAccess.READ_WRITE]);
  }

  /**
   * Lets an identity store (STOW-RS) into this store, and search and retrieve:
   * `roles/healthcare.dicomEditor` on the store, as one IAM member. The
   * identity must be the DIMSE gateway of a trust of this network, or a
   * backbone WorkloadIdentity of an app with `dicomweb: read-write` serving a
   * trust of this network. Granting twice is a no-op.
   */
  public grantDicomWrite(identity: IWorkloadIdentity): void {
    this.grant(identity, DICOM_EDITOR, [DicomWebAccess.READ_WRITE]);
  }

  private grant(grantee: IWorkloadIdentity, role: string, allowed: DicomWebAccess[]): void {
    let member: string;
    let dependsOn: ITerraformDependable[];
    if (DimseGatewayIdentity.isDimseGatewayIdentity(grantee)) {
      if (!this.network.trusts.includes(grantee.odsCode)) {
        throw BackboneError.of('identity', `the DIMSE gateway of trust ${grantee.odsCode} is not in imaging network ${this.network.id} (trusts: ${this.network.trusts.join(', ')})`);
      }
      member = grantee.member;
      dependsOn = grantee._dependable(this);
    } else if (WorkloadIdentity.isWorkloadIdentity(grantee)) {
      const app = this.spec.apps.find((a) => a.name === grantee.appName)!;
      const access = app.dicomweb ?? DicomWebAccess.NONE;
      if (!allowed.includes(access)) {
        throw BackboneError.of('identity', `app ${app.name} has dicomweb "${access}" in the spec; this grant needs ${allowed.map((a) => `"${a}"`).join(' or ')}`);
      }
      const served = grantee.odsCode !== undefined ? [grantee.odsCode] : (app.trusts ?? []);
      if (!served.some((t) => this.network.trusts.includes(t))) {
        throw BackboneError.of('identity', `app ${app.name}${grantee.odsCode ? ` (trust ${grantee.odsCode})` : ''} serves no trust of imaging network ${this.network.id} (trusts: ${this.network.trusts.join(', ')})`);
      }
      member = grantee.member;
      dependsOn = grantee._dependable(this);
    } else {
      WorkloadIdentity._check(grantee, 'identity');
      return;
    }
    const key = `${role} ${member}`;
    if (this.grants.has(key)) return;
    this.grants.add(key);
    new HealthcareDicomStoreIamMember(this, `${role === DICOM_EDITOR ? 'Write' : 'Read'}-${member.replace(/^serviceAccount:/, '')}`, {
      dicomStoreId: this.resource.id,
      role,
      member,
      dependsOn: dependsOn.length > 0 ? dependsOn : undefined,
    });
  }
}
