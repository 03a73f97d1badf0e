import { ArtifactRegistryRepositoryIamMember } from '@cdktf/provider-google/lib/artifact-registry-repository-iam-member';
import { ComputeAddress } from '@cdktf/provider-google/lib/compute-address';
import { ComputeForwardingRule } from '@cdktf/provider-google/lib/compute-forwarding-rule';
import { ComputeNetworkFirewallPolicyRule } from '@cdktf/provider-google/lib/compute-network-firewall-policy-rule';
import { ComputeRegionBackendService } from '@cdktf/provider-google/lib/compute-region-backend-service';
import { ComputeRegionDisk } from '@cdktf/provider-google/lib/compute-region-disk';
import { ComputeRegionHealthCheck } from '@cdktf/provider-google/lib/compute-region-health-check';
import { ComputeRegionInstanceGroupManager } from '@cdktf/provider-google/lib/compute-region-instance-group-manager';
import { ComputeRegionInstanceTemplate } from '@cdktf/provider-google/lib/compute-region-instance-template';
import { ComputeRegionPerInstanceConfig } from '@cdktf/provider-google/lib/compute-region-per-instance-config';
import { DnsManagedZone } from '@cdktf/provider-google/lib/dns-managed-zone';
import { DnsRecordSet } from '@cdktf/provider-google/lib/dns-record-set';
import { KmsCryptoKeyIamMember } from '@cdktf/provider-google/lib/kms-crypto-key-iam-member';
import { ProjectIamMember } from '@cdktf/provider-google/lib/project-iam-member';
import { SecretManagerSecret } from '@cdktf/provider-google/lib/secret-manager-secret';
import { SecretManagerSecretIamMember } from '@cdktf/provider-google/lib/secret-manager-secret-iam-member';
import { ITerraformDependable, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { DicomStore } from './dicom-store';
import { DATA_DEVICE_NAME, cloudConfig } from './gateway-boot';
import { DimseGatewayIdentity } from './gateway-identity';
import {
  ENCRYPTER_DECRYPTER, METADATA_TOKEN_URL, checkProjectNumber, checkWhole, isToken, projectNumber, secretManagerAuditConfig, serviceAgent,
} from './internal';
import { TrustSubnet } from '../../core/address-plan';
import { BackboneSpec } from '../../core/backbone-spec';
import { BackboneError } from '../../core/errors';
import { NameKind } from '../../core/naming';
import { Cloud } from '../../core/regions';
import { OrthancGatewayConfig } from '../../imaging/orthanc-gateway';
import { CustomerKey } from '../identity/kms';
import { HEALTH_CHECK_RANGES, PRIVATE_GOOGLE_APIS_ADDRESSES, checkProjectId, trustNetworkName } from '../network/ids';

/** Props of a trust's DIMSE gateway on Google Cloud. */
export interface DimseGatewayProps {
  /** The validated backbone spec. */
  readonly spec: BackboneSpec;
  /** The trust whose modalities store to the gateway (it must have modalities in `imaging.modalities`). */
  readonly odsCode: string;
  /** The trust's project (the VM, disk, load balancer and secrets live here). */
  readonly projectId: string;
  /**
   * The trust project's number (the Compute Engine and Secret Manager service
   * agents are named after it).
   * @default - read with a `google_project` data source
   */
  readonly projectNumber?: string;
  /** The trust's customer-managed key: encrypts the boot disk, the waiting-instances disk and the TLS secrets. */
  readonly key: CustomerKey;
  /**
   * The imaging network's DICOM store the gateway forwards to; the gateway's
   * identity is granted `grantDicomWrite` on it. Give this or `dicomWebUrl`.
   * @default - none: `dicomWebUrl` is used, and the grant is left to the caller
   */
  readonly dicomStore?: DicomStore;
  /**
   * The DICOMweb base URL of the store (`https://healthcare.googleapis.com/v1/projects/.../dicomStores/<s>/dicomWeb`),
   * when the store is made elsewhere. Give this or `dicomStore`.
   * @default - `dicomStore.dicomWebUrl`
   */
  readonly dicomWebUrl?: string;
  /**
   * The gateway's container image, built from docker/orthanc-gateway/Dockerfile
   * and pushed to Artifact Registry (`<location>-docker.pkg.dev/<project>/<repository>/<image>:<tag>` or `@sha256:<digest>`).
   * The VM's identity is granted `roles/artifactregistry.reader` on that repository.
   * @default - `<region>-docker.pkg.dev/<projectId>/nhs-backbone/orthanc-gateway:1.10.1`
   */
  readonly image?: string;
  /**
   * The trust's VPC (id or self link, or a token such as `spoke.network.id`).
   * @default - `projects/<projectId>/global/networks/<the spoke's VPC name>`
   */
  readonly network?: string;
  /**
   * The trust's imaging subnet (id or self link, or a token such as `spoke.imagingSubnet.id`).
   * @default - `projects/<projectId>/regions/<region>/subnetworks/<the spoke's imaging subnet name>`
   */
  readonly subnetwork?: string;
  /**
   * The trust's network firewall policy, by name (or a token such as `spoke.firewallPolicy.name`).
   * The gateway adds its two ingress rules to it.
   * @default - the spoke's policy name, `<name>-<ods>-fw-<environment>`
   */
  readonly firewallPolicyName?: string;
  /**
   * The load balancer's internal IPv4 address in the imaging subnet (what the
   * modalities are configured with).
   * @default - chosen by Google when the address is reserved, then kept
   */
  readonly ipAddress?: string;
  /**
   * The VM's machine type.
   * @default "e2-standard-2"
   */
  readonly machineType?: string;
  /**
   * Size of the regional disk where instances wait until the store has them, in GB.
   * @default 100
   */
  readonly dataDiskSizeGb?: number;
  /**
   * The two zones the regional disk is replicated in, and that the VM may run in.
   * @default - `<region>-a` and `<region>-b`
   */
  readonly zones?: string[];
  /**
   * Secret Manager secret id of the gateway's DICOM TLS certificate (PEM). The
   * construct makes the secret (UK-only replica, trust key); the trust adds versions.
   * @default "dimse-gateway-crt"
   */
  readonly tlsCertificateSecret?: string;
  /**
   * Secret id of the certificate's private key (PEM).
   * @default "dimse-gateway-key"
   */
  readonly tlsPrivateKeySecret?: string;
  /**
   * Secret id of the CA that signs the modalities' client certificates (PEM).
   * @default "dimse-modalities-ca"
   */
  readonly modalitiesCaSecret?: string;
  /**
   * Seconds between the gateway's retries of instances still waiting.
   * @default 30
   */
  readonly retrySeconds?: number;
  /**
   * Whether to make the private `pkg.dev` zone in the trust's VPC (Artifact
   * Registry through Private Google Access: the spoke only has `googleapis.com`).
   * Turn it off when the network already resolves `pkg.dev` privately.
   * @default true
   */
  readonly registryDns?: boolean;
}

/** Priorities of the gateway's rules in the trust's firewall policy (the spoke uses 1000-3015 and 65000+). */
const MODALITIES_RULE_PRIORITY = 4000;
const HEALTH_CHECK_RULE_PRIORITY = 4010;
const DEFAULT_SECRETS = { certificate: 'dimse-gateway-crt', privateKey: 'dimse-gateway-key', modalitiesCa: 'dimse-modalities-ca' };
const COS_IMAGE = 'projects/cos-cloud/global/images/family/cos-stable';
const IMAGE_PATTERN = /^([a-z0-9-]+)-docker\.pkg\.dev\/([a-z][a-z0-9-]{4,28}[a-z0-9])\/([a-z0-9][a-z0-9._-]*)\/[a-z0-9][a-z0-9._/-]*(:[A-Za-z0-9._-]{1,128}|@sha256:[a-f0-9]{64})$/;
const RESOURCE_NAME = '[a-z]([-a-z0-9]{0,61}[a-z0-9])?';
const SELF_LINK_PREFIX = '(https://www\\.googleapis\\.com/compute/v1/)?';

/**
 * A trust's DIMSE gateway on Google Cloud: the Orthanc configuration that
 * `OrthancGatewayConfig` generates from the spec, run as a container on one
 * Shielded, Container-Optimized OS VM without an external address, in a
 * regional managed instance group (autohealing), behind an internal passthrough
 * Network Load Balancer in the trust's imaging subnet.
 *
 * - Instances wait on a regional persistent disk (CMEK with the trust's key,
 *   `prevent_destroy`) that the group keeps across VM recreation (stateful
 *   per-instance config), until the DICOM store has accepted them.
 * - The DICOM TLS certificate, key and modality CA are read from Secret
 *   Manager at every start with the VM's identity, onto tmpfs; nothing secret
 *   is in metadata or on disk.
 * - The trust's firewall policy lets only the spec's modality hosts (/32) and
 *   Google's health checks reach the gateway port.
 * - Forwarding is STOW-RS to the store's DICOMweb URL with a token from the
 *   metadata server; the gateway's identity gets `grantDicomWrite` on the store.
 */
export class DimseGateway extends Construct {
  /** The generated Orthanc configuration (orthanc.json, forward.lua, entrypoint.sh). */
  public readonly config: OrthancGatewayConfig;
  /** The trust. */
  public readonly odsCode: string;
  /** The gateway's AE title, `<ODS>_GW`. */
  public readonly aeTitle: string;
  /** The DIMSE port. */
  public readonly port: number;
  /** The container image. */
  public readonly image: string;
  /** The DICOMweb URL the gateway forwards to. */
  public readonly dicomWebUrl: string;
  /** The VM's identity. */
  public readonly identity: DimseGatewayIdentity;
  /** The load balancer's reserved internal address. */
  public readonly address: ComputeAddress;
  /** The load balancer's internal IPv4 address (what modalities send to). */
  public readonly ipAddress: string;
  /** The internal passthrough load balancer's forwarding rule. */
  public readonly forwardingRule: ComputeForwardingRule;
  /** The regional managed instance group (one VM). */
  public readonly instanceGroupManager: ComputeRegionInstanceGroupManager;
  /** The VM's instance template. */
  public readonly instanceTemplate: ComputeRegionInstanceTemplate;
  /** The regional disk where instances wait until forwarded. */
  public readonly dataDisk: ComputeRegionDisk;
  /** The cloud-init document the VM boots with (the `user-data` metadata value). */
  public readonly userData: string;
  /** The Secret Manager secret ids of the TLS certificate, key and modality CA (empty when the spec turns TLS off). */
  public readonly tlsSecretIds: string[];

  constructor(scope: Construct, id: string, props: DimseGatewayProps) {
    super(scope, id);
    const { spec, odsCode } = props;
    spec.trust(odsCode);
    this.odsCode = odsCode;
    const project = checkProjectId('projectId', props.projectId);
    const region = spec.region(Cloud.GCP);
    const labels = spec.labelsFor(odsCode);
    const name = (purpose: string) => spec.naming.trust(odsCode, purpose, NameKind.GCP_RESOURCE);
    if (!(props.key instanceof CustomerKey)) {
      throw BackboneError.of('key', 'is not a CustomerKey of the trust\'s key ring (give keyRing.key(<data class>))');
    }
    const keyDeps: ITerraformDependable[] = TerraformStack.of(props.key) === TerraformStack.of(this) ? [props.key.resource] : [];
    const keyId = props.key.keyId;

    // Where it forwards.
    if ((props.dicomStore === undefined) === (props.dicomWebUrl === undefined)) {
      throw BackboneError.of('dicomStore', 'give exactly one of dicomStore and dicomWebUrl');
    }
    if (props.dicomStore !== undefined) {
      if (!(props.dicomStore instanceof DicomStore)) {
        throw BackboneError.of('dicomStore', 'is not a DicomStore of the backbone');
      }
      if (!props.dicomStore.network.trusts.includes(odsCode)) {
        throw BackboneError.of('dicomStore', `is imaging network ${props.dicomStore.network.id}'s store; trust ${odsCode} is in ${spec.imagingNetworkOf(odsCode).id}`);
      }
    } else if (typeof props.dicomWebUrl !== 'string'
      || !/^https:\/\/healthcare\.googleapis\.com\/v1\/projects\/[a-z][a-z0-9-]{4,28}[a-z0-9]\/locations\/[a-z0-9-]+\/datasets\/[A-Za-z0-9_.-]{1,256}\/dicomStores\/[A-Za-z0-9_.-]{1,256}\/dicomWeb$/.test(props.dicomWebUrl)) {
      throw BackboneError.of('dicomWebUrl', `${JSON.stringify(props.dicomWebUrl)} is not a Cloud Healthcare DICOMweb URL (https://healthcare.googleapis.com/v1/projects/<p>/locations/<r>/datasets/<d>/dicomStores/<s>/dicomWeb)`);
    }
    this.dicomWebUrl = props.dicomStore?.dicomWebUrl ?? props.dicomWebUrl!;

    // The configuration (OrthancGatewayConfig refuses a trust without modalities, at odsCode).
    this.config = new OrthancGatewayConfig({
      spec,
      odsCode,
      target: { url: this.dicomWebUrl, tokenUrl: METADATA_TOKEN_URL, tokenHeaders: { 'Metadata-Flavor': 'Google' } },
      retrySeconds: props.retrySeconds,
    });
    this.aeTitle = this.config.aeTitle;
    this.port = this.config.port;

    // Props.
    this.image = props.image ?? `${region}-docker.pkg.dev/${project}/nhs-backbone/orthanc-gateway:1.10.1`;
    const image = IMAGE_PATTERN.exec(this.image);
    if (!image) {
      throw BackboneError.of('image', `${JSON.stringify(this.image)} is not an Artifact Registry image (<location>-docker.pkg.dev/<project>/<repository>/<image>:<tag> or @sha256:<digest>; the trust reaches only *.pkg.dev through Private Google Access)`);
    }
    const machineType = props.machineType ?? 'e2-standard-2';
    if (typeof machineType !== 'string' || !/^[a-z][a-z0-9-]{1,62}$/.test(machineType)) {
      throw BackboneError.of('machineType', `${JSON.stringify(machineType)} is not a Compute Engine machine type (e.g. "e2-standard-2")`);
    }
    const diskSize = checkWhole('dataDiskSizeGb', props.dataDiskSizeGb ?? 100, 10, 65536, 'a regional balanced disk size in GB');
    const zones = props.zones ?? [`${region}-a`, `${region}-b`];
    if (!Array.isArray(zones) || zones.length !== 2 || zones[0] === zones[1]
      || !zones.every((z) => typeof z === 'string' && new RegExp(`^${region}-[a-z]$`).test(z))) {
      throw BackboneError.of('zones', `${JSON.stringify(zones)} is not two different zones of ${region} (a regional disk is replicated in exactly two)`);
    }
    const network = props.network ?? `projects/${project}/global/networks/${trustNetworkName(spec, odsCode)}`;
    if (!isToken(network) && !new RegExp(`^${SELF_LINK_PREFIX}projects/[a-z][a-z0-9-]{4,28}[a-z0-9]/global/networks/${RESOURCE_NAME}$`).test(network)) {
      throw BackboneError.of('network', `${JSON.stringify(network)} is not a VPC network id (projects/<p>/global/networks/<name>)`);
    }
    const subnetwork = props.subnetwork ?? `projects/${project}/regions/${region}/subnetworks/${name(TrustSubnet.IMAGING)}`;
    if (!isToken(subnetwork) && !new RegExp(`^${SELF_LINK_PREFIX}projects/[a-z][a-z0-9-]{4,28}[a-z0-9]/regions/${region}/subnetworks/${RESOURCE_NAME}$`).test(subnetwork)) {
      throw BackboneError.of('subnetwork', `${JSON.stringify(subnetwork)} is not a subnetwork id in ${region} (projects/<p>/regions/${region}/subnetworks/<name>)`);
    }
    const policyName = props.firewallPolicyName ?? name('fw');
    if (!isToken(policyName) && !new RegExp(`^${RESOURCE_NAME}$`).test(policyName)) {
      throw BackboneError.of('firewallPolicyName', `${JSON.stringify(policyName)} is not a firewall policy name`);
    }
    if (props.ipAddress !== undefined && (typeof props.ipAddress !== 'string'
      || !/^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/.test(props.ipAddress))) {
      throw BackboneError.of('ipAddress', `${JSON.stringify(props.ipAddress)} is not an IPv4 address in the trust's imaging subnet`);
    }
    const secretIds = {
      certificate: props.tlsCertificateSecret ?? DEFAULT_SECRETS.certificate,
      privateKey: props.tlsPrivateKeySecret ?? DEFAULT_SECRETS.privateKey,
      modalitiesCa: props.modalitiesCaSecret ?? DEFAULT_SECRETS.modalitiesCa,
    };
    for (const [prop, value] of [['tlsCertificateSecret', secretIds.certificate], ['tlsPrivateKeySecret', secretIds.privateKey], ['modalitiesCaSecret', secretIds.modalitiesCa]]) {
      if (typeof value !== 'string' || !/^[A-Za-z0-9_-]{1,255}$/.test(value)) {
        throw BackboneError.of(prop, `${JSON.stringify(value)} is not a Secret Manager secret id (1-255 letters, digits, '_' or '-')`);
      }
    }
    if (new Set(Object.values(secretIds)).size !== 3) {
      throw BackboneError.of('tlsCertificateSecret', `${JSON.stringify(Object.values(secretIds))}: the certificate, key and CA need three different secrets`);
    }
    const number = projectNumber(this, project, checkProjectNumber('projectNumber', props.projectNumber));

    // Identity and what it may use.
    this.identity = new DimseGatewayIdentity(this, 'Identity', { spec, odsCode, projectId: project });
    const saDeps = this.identity._dependable(this);
    for (const role of ['roles/logging.logWriter', 'roles/monitoring.metricWriter']) {
      new ProjectIamMember(this, `Project-${role.replace(/^roles\//, '')}`, { project, role, member: this.identity.member, dependsOn: saDeps });
    }
    new ArtifactRegistryRepositoryIamMember(this, 'ImagePull', {
      project: image[2],
      location: image[1],
      repository: image[3],
      role: 'roles/artifactregistry.reader',
      member: this.identity.member,
      dependsOn: saDeps,
    });
    props.dicomStore?.grantDicomWrite(this.identity);

    // The trust's key, for the Compute Engine (disks) and Secret Manager (secrets) service agents.
    const keyUse = (resourceId: string, agent: string) => new KmsCryptoKeyIamMember(this, resourceId, {
      cryptoKeyId: keyId, role: ENCRYPTER_DECRYPTER, member: `serviceAccount:${agent}`, dependsOn: keyDeps.length > 0 ? keyDeps : undefined,
    });
    const computeKeyUse = keyUse('ComputeKeyUse', serviceAgent(number, 'compute-system'));

    // DICOM TLS secrets: made here (UK-only replica, trust key), versions added by the trust; read at boot.
    this.tlsSecretIds = [];
    if (this.config.tls) {
      const secretKeyUse = keyUse('SecretManagerKeyUse', serviceAgent(number, 'gcp-sa-secretmanager'));
      secretManagerAuditConfig(this, project);
      for (const [purpose, secretId] of Object.entries(secretIds)) {
        const secret = new SecretManagerSecret(this, `Secret-${purpose}`, {
          project,
          secretId,
          replication: { userManaged: { replicas: [{ location: region, customerManagedEncryption: { kmsKeyName: keyId } }] } },
          labels: { ...labels, purpose: `dimse-tls-${purpose.toLowerCase()}` },
          dependsOn: [secretKeyUse],
        });
        new SecretManagerSecretIamMember(this, `SecretAccess-${purpose}`, {
          project,
          secretId: secret.id,
          role: 'roles/secretmanager.secretAccessor',
          member: this.identity.member,
          dependsOn: saDeps,
        });
        this.tlsSecretIds.push(secretId);
      }
    }

    // Artifact Registry through Private Google Access (the spoke resolves only googleapis.com privately).
    if (props.registryDns ?? true) {
      const zone = new DnsManagedZone(this, 'RegistryZone', {
        name: name('pkg-dev'),
        project,
        dnsName: 'pkg.dev.',
        description: 'Artifact Registry (*.pkg.dev) on private.googleapis.com (Private Google Access)',
        visibility: 'private',
        privateVisibilityConfig: { networks: [{ networkUrl: network }] },
        labels,
      });
      new DnsRecordSet(this, 'RegistryApex', {
        project, managedZone: zone.name, name: 'pkg.dev.', type: 'A', ttl: 300, rrdatas: PRIVATE_GOOGLE_APIS_ADDRESSES,
      });
      new DnsRecordSet(this, 'RegistryWildcard', {
        project, managedZone: zone.name, name: '*.pkg.dev.', type: 'CNAME', ttl: 300, rrdatas: ['pkg.dev.'],
      });
    }

    // The disk where instances wait (stateful: never destroyed by a plan).
    this.dataDisk = new ComputeRegionDisk(this, 'DataDisk', {
      project,
      name: name('dimse-gw-data'),
      region,
      replicaZones: zones,
      type: 'pd-balanced',
      size: diskSize,
      physicalBlockSizeBytes: 4096,
      diskEncryptionKey: { kmsKeyName: keyId },
      labels: { ...labels, purpose: 'dimse-gateway-waiting-instances' },
      description: `Instances received by DIMSE gateway ${this.aeTitle}, waiting until the DICOM store has them`,
      lifecycle: { preventDestroy: true },
      dependsOn: [computeKeyUse],
    });

    // The VM.
    this.userData = cloudConfig({
      config: this.config,
      image: this.image,
      registry: `${image[1]}-docker.pkg.dev`,
      secretProject: project,
      tlsSecrets: this.config.tls ? secretIds : undefined,
    });
    const base = spec.naming.trust(odsCode, 'dimse-gw', NameKind.GCP_RESOURCE);
    this.instanceTemplate = new ComputeRegionInstanceTemplate(this, 'Template', {
      project,
      region,
      namePrefix: `${base.slice(0, 36).replace(/-+$/, '')}-`,
      description: `DIMSE gateway ${this.aeTitle} (trust ${odsCode}): Orthanc on Container-Optimized OS`,
      machineType,
      canIpForward: false,
      keyRevocationActionType: 'STOP',
      disk: [{
        boot: true,
        autoDelete: true,
        sourceImage: COS_IMAGE,
        diskType: 'pd-balanced',
        diskSizeGb: 20,
        diskEncryptionKey: { kmsKeySelfLink: keyId },
        labels,
      }],
      networkInterface: [{ subnetwork }],
      serviceAccount: { email: this.identity.email, scopes: ['https://www.googleapis.com/auth/cloud-platform'] },
      shieldedInstanceConfig: { enableSecureBoot: true, enableVtpm: true, enableIntegrityMonitoring: true },
      scheduling: { automaticRestart: true, onHostMaintenance: 'MIGRATE' },
      metadata: {
        'user-data': this.userData,
        'google-logging-enabled': 'true',
        'google-monitoring-enabled': 'true',
        'enable-oslogin': 'TRUE',
        'block-project-ssh-keys': 'TRUE',
        'serial-port-enable': 'FALSE',
      },
      labels: { ...labels, purpose: 'dimse-gateway' },
      lifecycle: { createBeforeDestroy: true },
      dependsOn: [computeKeyUse, ...saDeps],
    });
    const healthCheck = new ComputeRegionHealthCheck(this, 'HealthCheck', {
      project,
      region,
      name: name('dimse-gw-hc'),
      description: `TCP on the DIMSE port of gateway ${this.aeTitle}`,
      checkIntervalSec: 10,
      timeoutSec: 5,
      healthyThreshold: 2,
      unhealthyThreshold: 3,
      tcpHealthCheck: { port: this.port },
      logConfig: { enable: true },
    });
    this.instanceGroupManager = new ComputeRegionInstanceGroupManager(this, 'Group', {
      project,
      region,
      name: base,
      baseInstanceName: base.slice(0, 50).replace(/-+$/, ''),
      description: `DIMSE gateway ${this.aeTitle}: one stateful VM, recreated when unhealthy`,
      distributionPolicyZones: zones,
      version: [{ name: 'orthanc', instanceTemplate: this.instanceTemplate.selfLink }],
      // The one VM is made by the per-instance config below (createInstances
      // raises the target size to 1); Terraform must not set it back to 0.
      targetSize: 0,
      namedPort: [{ name: 'dicom', port: this.port }],
      autoHealingPolicies: { healthCheck: healthCheck.id, initialDelaySec: 300 },
      instanceLifecyclePolicy: { defaultActionOnFailure: 'REPAIR', forceUpdateOnRepair: 'YES' },
      updatePolicy: {
        type: 'PROACTIVE',
        minimalAction: 'REPLACE',
        mostDisruptiveAllowedAction: 'REPLACE',
        replacementMethod: 'RECREATE',
        maxSurgeFixed: 0,
        maxUnavailableFixed: zones.length,
        instanceRedistributionType: 'NONE',
      },
      waitForInstances: false,
      lifecycle: { ignoreChanges: ['target_size'] },
    });
    new ComputeRegionPerInstanceConfig(this, 'Instance', {
      project,
      region,
      regionInstanceGroupManager: this.instanceGroupManager.name,
      name: `${base.slice(0, 58).replace(/-+$/, '')}-0`,
      preservedState: {
        disk: [{ deviceName: DATA_DEVICE_NAME, source: this.dataDisk.id, mode: 'READ_WRITE', deleteRule: 'NEVER' }],
        metadata: { instance_template: this.instanceTemplate.selfLink },
      },
      minimalAction: 'REPLACE',
      mostDisruptiveAllowedAction: 'REPLACE',
      removeInstanceOnDestroy: false,
      removeInstanceStateOnDestroy: false,
    });

    // Internal passthrough Network Load Balancer in the imaging subnet.
    const backend = new ComputeRegionBackendService(this, 'Backend', {
      project,
      region,
      name: name('dimse-gw'),
      description: `DIMSE gateway ${this.aeTitle}`,
      protocol: 'TCP',
      loadBalancingScheme: 'INTERNAL',
      network,
      healthChecks: [healthCheck.id],
      backend: [{ group: this.instanceGroupManager.instanceGroup, balancingMode: 'CONNECTION' }],
      connectionDrainingTimeoutSec: 300,
      sessionAffinity: 'NONE',
      logConfig: { enable: true, sampleRate: 1 },
    });
    this.address = new ComputeAddress(this, 'Address', {
      project,
      region,
      name: name('dimse-gw'),
      description: `DIMSE gateway ${this.aeTitle}: the address modalities send to`,
      addressType: 'INTERNAL',
      purpose: 'GCE_ENDPOINT',
      subnetwork,
      address: props.ipAddress,
      labels,
    });
    this.ipAddress = this.address.address;
    this.forwardingRule = new ComputeForwardingRule(this, 'ForwardingRule', {
      project,
      region,
      name: name('dimse-gw'),
      description: `DIMSE (DICOM${this.config.tls ? ' TLS' : ''}) to gateway ${this.aeTitle}`,
      loadBalancingScheme: 'INTERNAL',
      ipProtocol: 'TCP',
      ports: [String(this.port)],
      backendService: backend.id,
      network,
      subnetwork,
      ipAddress: this.address.address,
      allowGlobalAccess: false,
      labels,
    });

    // The trust's firewall policy: only the modalities and Google's health checks reach the gateway.
    const modalityRanges = [...new Set(spec.modalitiesOf(odsCode).map((m) => `${m.host}/32`))];
    const rule = (ruleName: string, priority: number, description: string, srcIpRanges: string[]) =>
      new ComputeNetworkFirewallPolicyRule(this, ruleName, {
        project,
        firewallPolicy: policyName,
        ruleName,
        description,
        priority,
        direction: 'INGRESS',
        action: 'allow',
        enableLogging: true,
        targetServiceAccounts: [this.identity.email],
        match: { srcIpRanges, layer4Configs: [{ ipProtocol: 'tcp', ports: [String(this.port)] }] },
        dependsOn: saDeps,
      });
    rule('allow-dimse-modalities', MODALITIES_RULE_PRIORITY, `DIMSE from trust ${odsCode}'s modalities (imaging.modalities) to gateway ${this.aeTitle}`, modalityRanges);
    rule('allow-dimse-health-checks', HEALTH_CHECK_RULE_PRIORITY, `Load balancer health checks to gateway ${this.aeTitle}`, HEALTH_CHECK_RANGES);
  }
}
