import { MonitoringNotificationChannel } from '@cdktf/provider-google/lib/monitoring-notification-channel';
import { GoogleProvider } from '@cdktf/provider-google/lib/provider';
import { GcsBackend, LocalBackend, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { AddressLock, AddressPlan } from '../core/address-plan';
import { BackboneSpec } from '../core/backbone-spec';
import { BackboneError, entryOf } from '../core/errors';
import { NameKind } from '../core/naming';
import { Cloud } from '../core/regions';
import { STACK_METADATA_KEY } from './compliance/rules';
import { BreakGlass } from './identity/break-glass';
import { CiFederation } from './identity/ci-federation';
import { TrustKeyRing } from './identity/kms';
import { WorkloadIdentity } from './identity/workload-identity';
import { DicomStore } from './imaging/dicom-store';
import { DimseGateway } from './imaging/dimse-gateway';
import { HubNetwork } from './network/hub-network';
import { checkProjectId } from './network/ids';
import { TrustSpoke } from './network/trust-spoke';
import { AppIngress, DicomWebAccess } from '../core/spec';
import { BackupProject, TrustBackup } from './storage/backup';
import { ClinicalStore } from './storage/clinical-store';
import { defaultBackupProjectId } from './storage/ids';
import { LogArchive, LogSink } from './storage/log-archive';

/** Where each Terraform stack keeps its state on Google Cloud. */
export interface GcsStateBackend {
  /** The state bucket. */
  readonly bucket: string;
  /**
   * Prefix inside the bucket; each stack adds its own name.
   * @default "nhs-backbone"
   */
  readonly prefix?: string;
}

/** Props of the Google Cloud backbone. */
export interface BackboneProps {
  /** The validated backbone spec. */
  readonly spec: BackboneSpec;
  /**
   * Address allocations made before (the lock file beside the spec).
   * @default - none: slots are handed out in spec order
   */
  readonly addressLock?: AddressLock;
  /**
   * The hub's project.
   * @default - named from the backbone: `<name>-hub-<environment>`
   */
  readonly hubProjectId?: string;
  /**
   * Each trust's project, by ODS code.
   * @default - named from the backbone: `<name>-<ods>-<environment>`
   */
  readonly trustProjectIds?: { [odsCode: string]: string };
  /**
   * Remote state in a GCS bucket.
   * @default - local state files named after each stack (for trying it out)
   */
  readonly stateBackend?: GcsStateBackend;
  /**
   * Notification channels (`projects/<p>/notificationChannels/<id>`) that
   * break-glass alerts go to, besides the e-mail channel made for
   * `identity.securityContact`.
   * @default - only the securityContact channel, if any
   */
  readonly breakGlassNotificationChannels?: string[];
  /**
   * Each imaging network's project (holding its DICOM store), by network id
   * (`icb-qyg`, `trust-rem`, `national`).
   * @default - DicomStore.defaultProjectId(spec, network)
   */
  readonly imagingProjectIds?: { [networkId: string]: string };
}

/**
 * The NHS backbone on Google Cloud (CDK for Terraform): one Terraform stack
 * (and state) for the hub and one per trust, each trust in its own project;
 * and for the immutable backup copies, one stack for the backup project's
 * shared parts and one backup stack per trust (all in the backup project).
 * The NHS tags are the provider's default labels, so every labelled resource
 * carries them (with the same keys as resources' own labels: `ods-code`).
 * Every stack records the spec's residency and its internet-ingress apps in
 * its top-level `"//"` object, for `nhs-backbone check` (docs/gcp-compliance.md). Stacks refer to each other only by deterministic ids built
 * from the project ids and the spec's naming (no cross-stack references).
 * Apply order: the hub stack first (log archive), then the trust stacks and
 * the backup project's stack in any order, then each trust's backup stack
 * (declared as stack dependencies).
 */
export class Backbone extends Construct {
  public readonly spec: BackboneSpec;
  public readonly addressPlan: AddressPlan;
  public readonly hubStack: TerraformStack;
  public readonly hub: HubNetwork;
  /** CI federation (when the spec's identity.ci is set). */
  public readonly ciFederation?: CiFederation;
  /** The emergency-access account and its alert. */
  public readonly breakGlass: BreakGlass;
  /** The central log archive (hub stack). */
  public readonly logArchive: LogArchive;
  /** The backup project (`spec.storage.backup.gcpProject`, else `<name>-backup-<environment>`). */
  public readonly backupProjectId: string;
  /** The stack of the backup project's shared parts (key ring, audit logs, log sink). */
  public readonly backupStack: TerraformStack;
  /** The backup project's shared parts. */
  public readonly backupProject: BackupProject;
  private readonly spokes = new Map<string, TrustSpoke>();
  private readonly stores = new Map<string, ClinicalStore>();
  private readonly trustBackups = new Map<string, TrustBackup>();
  private readonly keyRings = new Map<string, TrustKeyRing>();
  private readonly identities = new Map<string, WorkloadIdentity>();
  private readonly dicomStores = new Map<string, DicomStore>();
  private readonly gateways = new Map<string, DimseGateway>();

  constructor(scope: Construct, id: string, props: BackboneProps) {
    super(scope, id);
    this.spec = props.spec;
    this.addressPlan = props.spec.addressPlan(props.addressLock);
    const region = this.spec.region(Cloud.GCP);

    const stack = (unit: string, projectId: string, labels: { [k: string]: string }): TerraformStack => {
      const name = this.spec.naming.name(NameKind.STACK, [unit]);
      const s = new TerraformStack(this, name);
      const provider = new GoogleProvider(s, 'google', {
        project: projectId,
        region,
        addTerraformAttributionLabel: false,
      });
      // cdktf snake-cases the keys of provider attributes (`ods-code` would become
      // `ods_code`); an override is written as given, so the default labels carry
      // the same NHS keys as every resource's own labels.
      provider.addOverride('default_labels', { ...labels });
      // What `nhs-backbone check` needs to know and cannot read elsewhere (NHS-RES-1, NHS-NET-1).
      s.addOverride(`//.${STACK_METADATA_KEY}`, {
        residency: this.spec.residency,
        backbone: this.spec.name,
        internetIngressApps: this.spec.apps.filter((a) => a.ingress === AppIngress.INTERNET).map((a) => a.name),
      });
      if (props.stateBackend) {
        new GcsBackend(s, { bucket: props.stateBackend.bucket, prefix: `${props.stateBackend.prefix ?? 'nhs-backbone'}/${name}` });
      } else {
        new LocalBackend(s, { path: `${name}.tfstate` });
      }
      return s;
    };

    const hubProject = checkProjectId('hubProjectId', props.hubProjectId ?? this.spec.naming.name(NameKind.GCP_PROJECT, ['hub']));
    for (const ods of Object.keys(props.trustProjectIds ?? {})) {
      if (!this.spec.trusts.some((t) => t.odsCode === ods)) {
        throw BackboneError.of(`trustProjectIds.${ods}`, `"${ods}" is not a trust of backbone ${this.spec.name}`);
      }
    }
    const trustProjects = new Map<string, string>();
    for (const trust of this.spec.trusts) {
      const given = props.trustProjectIds?.[trust.odsCode];
      trustProjects.set(trust.odsCode, given !== undefined
        ? checkProjectId(`trustProjectIds.${trust.odsCode}`, given)
        : this.spec.naming.name(NameKind.GCP_PROJECT, [trust.odsCode]));
    }

    this.hubStack = stack('hub', hubProject, this.spec.labelsFor());
    this.hub = new HubNetwork(this.hubStack, 'network', {
      spec: this.spec,
      addressPlan: this.addressPlan,
      projectId: hubProject,
      spokeProjectIds: [...trustProjects.values()],
    });
    this.logArchive = new LogArchive(this.hubStack, 'log-archive', { spec: this.spec, projectId: hubProject });
    this.backupProjectId = checkProjectId('storage.backup.gcpProject', defaultBackupProjectId(this.spec));
    if (this.backupProjectId === hubProject || [...trustProjects.values()].includes(this.backupProjectId)) {
      throw BackboneError.of('storage.backup.gcpProject', `"${this.backupProjectId}" is already the hub's or a trust's project (the backup copy must live in a project of its own)`);
    }
    this.backupStack = stack('backup', this.backupProjectId, this.spec.labelsFor());
    this.backupProject = new BackupProject(this.backupStack, 'backup', { spec: this.spec, projectId: this.backupProjectId });
    for (const trust of this.spec.trusts) {
      const project = trustProjects.get(trust.odsCode)!;
      const s = stack(trust.odsCode, project, this.spec.labelsFor(trust.odsCode));
      const spoke = new TrustSpoke(s, 'spoke', {
        spec: this.spec, addressPlan: this.addressPlan, odsCode: trust.odsCode, projectId: project, hubProjectId: hubProject,
      });
      for (const app of this.spec.appsServing(trust.odsCode)) spoke.attachApp(app.name);
      this.spokes.set(trust.odsCode, spoke);
      const keyRing = new TrustKeyRing(s, 'keys', { spec: this.spec, odsCode: trust.odsCode, projectId: project });
      this.keyRings.set(trust.odsCode, keyRing);
      for (const store of this.spec.storage.stores ?? []) {
        this.stores.set(`${trust.odsCode}/${store.name}`, new ClinicalStore(s, `store-${store.name}`, {
          spec: this.spec, odsCode: trust.odsCode, storeName: store.name, projectId: project, keyRing, backupProjectId: this.backupProjectId,
        }));
      }
      new LogSink(s, 'log-sink', { spec: this.spec, projectId: project });
      const b = stack(`${trust.odsCode}-backup`, this.backupProjectId, this.spec.labelsFor(trust.odsCode));
      b.addDependency(s);
      b.addDependency(this.backupStack);
      this.trustBackups.set(trust.odsCode, new TrustBackup(b, 'backup', {
        spec: this.spec, odsCode: trust.odsCode, projectId: this.backupProjectId, sourceProjectId: project,
      }));
      for (const app of this.spec.appsServing(trust.odsCode)) {
        this.identities.set(`${trust.odsCode}/${app.name}`, new WorkloadIdentity(s, `identity-${app.name}`, {
          spec: this.spec, appName: app.name, projectId: project, odsCode: trust.odsCode,
        }));
      }
    }

    // Imaging: one stack (and project) per imaging network with its DICOM store, after its
    // trusts' stacks (grants name their service accounts); a DIMSE gateway in each trust
    // stack with modalities.
    for (const networkId of Object.keys(props.imagingProjectIds ?? {})) {
      if (!this.spec.imagingNetworks().some((n) => n.id === networkId)) {
        throw BackboneError.of(`imagingProjectIds.${networkId}`, `"${networkId}" is not an imaging network of backbone ${this.spec.name} (${this.spec.imagingNetworks().map((n) => n.id).join(', ')})`);
      }
    }
    for (const net of this.spec.imagingNetworks()) {
      const given = props.imagingProjectIds?.[net.id];
      const project = given !== undefined ? checkProjectId(`imagingProjectIds.${net.id}`, given) : DicomStore.defaultProjectId(this.spec, net);
      const s = stack(`img-${net.id}`, project, DicomStore.labelsOf(this.spec, net));
      for (const ods of net.trusts) s.addDependency(this.trustStack(ods));
      const store = new DicomStore(s, 'dicom', { spec: this.spec, network: net, projectId: project });
      new LogSink(s, 'log-sink', { spec: this.spec, projectId: project });
      this.dicomStores.set(net.id, store);
      for (const ods of net.trusts) {
        for (const app of this.spec.appsServing(ods)) {
          if (app.dicomweb === DicomWebAccess.READ) store.grantDicomRead(this.identity(ods, app.name));
          if (app.dicomweb === DicomWebAccess.READ_WRITE) store.grantDicomWrite(this.identity(ods, app.name));
        }
        if (this.spec.modalitiesOf(ods).length > 0) {
          const spoke = this.spoke(ods);
          this.gateways.set(ods, new DimseGateway(this.trustStack(ods), 'dimse-gateway', {
            spec: this.spec,
            odsCode: ods,
            projectId: trustProjects.get(ods)!,
            key: this.keyRing(ods).key(),
            dicomStore: store,
            network: spoke.network.id,
            subnetwork: spoke.imagingSubnet.id,
            firewallPolicyName: spoke.firewallPolicy.name,
          }));
        }
      }
    }

    if (this.spec.identity.ci) {
      this.ciFederation = new CiFederation(this.hubStack, 'ci', { spec: this.spec, projectId: hubProject });
    }
    const channels = [...(props.breakGlassNotificationChannels ?? [])];
    if (this.spec.identity.securityContact) {
      const email = new MonitoringNotificationChannel(this.hubStack, 'security-contact', {
        project: hubProject,
        displayName: `${this.spec.name} security contact`,
        type: 'email',
        labels: { email_address: this.spec.identity.securityContact },
        // Monitoring's user_labels are not reached by the provider's default labels.
        userLabels: this.spec.labelsFor(),
      });
      channels.unshift(email.id);
    }
    this.breakGlass = new BreakGlass(this.hubStack, 'break-glass', {
      spec: this.spec,
      projectId: hubProject,
      notificationChannels: channels,
      targetProjectIds: [hubProject, ...trustProjects.values()],
    });
  }

  /** A trust's customer-managed key ring (one key per data class). */
  public keyRing(odsCode: string): TrustKeyRing {
    return entryOf(this.keyRings, odsCode, 'odsCode', `"${odsCode}" is not a trust of backbone ${this.spec.name}`);
  }

  /** The workload identity of an app in a trust it serves. */
  public identity(odsCode: string, appName: string): WorkloadIdentity {
    return entryOf(this.identities, `${odsCode}/${appName}`, 'appName', `"${appName}" is not an app serving trust ${odsCode} in backbone ${this.spec.name}`);
  }

  /** A trust's clinical store, by its name in `spec.storage.stores`. */
  public store(odsCode: string, storeName: string): ClinicalStore {
    this.keyRing(odsCode);
    return entryOf(this.stores, `${odsCode}/${storeName}`, 'storeName', `"${storeName}" is not a store of backbone ${this.spec.name} (one of: ${(this.spec.storage.stores ?? []).map((x) => x.name).join(', ')})`);
  }

  /** A trust's backup copies (in its backup stack, in the backup project). */
  /** The managed DICOM store of an imaging network (by id: `icb-qyg`, `trust-rem`, `national`). */
  public dicomStore(networkId: string): DicomStore {
    return entryOf(this.dicomStores, networkId, 'networkId', `"${networkId}" is not an imaging network of backbone ${this.spec.name}`);
  }

  /** The DIMSE gateway of a trust with modalities. */
  public dimseGateway(odsCode: string): DimseGateway {
    this.spoke(odsCode);
    return entryOf(this.gateways, odsCode, 'odsCode', `trust ${odsCode} has no modalities in imaging.modalities, so it has no DIMSE gateway`);
  }

  /** A trust's stack. */
  public trustStack(odsCode: string): TerraformStack {
    return TerraformStack.of(this.spoke(odsCode));
  }

  /** A trust's backup copies (in the backup project). */
  public trustBackup(odsCode: string): TrustBackup {
    return entryOf(this.trustBackups, odsCode, 'odsCode', `"${odsCode}" is not a trust of backbone ${this.spec.name}`);
  }

  /** A trust's spoke. */
  public spoke(odsCode: string): TrustSpoke {
    return entryOf(this.spokes, odsCode, 'odsCode', `"${odsCode}" is not a trust of backbone ${this.spec.name}`);
  }
}
