import { DataGoogleComputeRegionSslCertificate } from '@cdktf/provider-google/lib/data-google-compute-region-ssl-certificate';
import { DataGoogleComputeSslCertificate } from '@cdktf/provider-google/lib/data-google-compute-ssl-certificate';
import { DataGoogleDnsManagedZone } from '@cdktf/provider-google/lib/data-google-dns-managed-zone';
import { MonitoringNotificationChannel } from '@cdktf/provider-google/lib/monitoring-notification-channel';
import { GoogleProvider } from '@cdktf/provider-google/lib/provider';
import { Fn, GcsBackend, LocalBackend, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { AddressLock, AddressPlan } from '../core/address-plan';
import { BackboneSpec } from '../core/backbone-spec';
import { excludeRanges } from '../core/cidr';
import { BackboneError, entryOf } from '../core/errors';
import { NameKind } from '../core/naming';
import { Cloud } from '../core/regions';
import { AppStore } from './apps/app-store';
import { HscnAppIngress, ProxyOnlySubnet } from './apps/hscn-ingress';
import { HSCN_RANGE, checkHealthPath, checkHscnRanges, checkPort, checkTlsProfile, ingressOf } from './apps/internal';
import { InternetAppEdge } from './apps/internet-edge';
import { SpecialistApp } from './apps/specialist-app';
import { AppTlsProfile } from './apps/tls-profile';
import { STACK_METADATA_KEY } from './compliance/rules';
import { BreakGlass } from './identity/break-glass';
import { CiFederation } from './identity/ci-federation';
import { Cis2Edge } from './identity/cis2-edge';
import { TrustKeyRing } from './identity/kms';
import { WorkloadIdentity } from './identity/workload-identity';
import { DicomStore } from './imaging/dicom-store';
import { DimseGateway } from './imaging/dimse-gateway';
import { HubNetwork } from './network/hub-network';
import { checkProjectId } from './network/ids';
import { TrustSpoke } from './network/trust-spoke';
import { AppIngress, AppSpec, DicomWebAccess } from '../core/spec';
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

/** How the backbone fronts one app with HSCN or internet ingress (Backbone `appIngress`, or `addApp`). */
export interface AppIngressOptions {
  /**
   * The name of the listeners' SSL certificate, looked up at plan time: for
   * an internet app a global certificate in the hub project (e.g.
   * Google-managed, for `domainName` and each `<ods>.<domainName>`); for an
   * HSCN app a regional certificate (in the spec's region) in each served
   * trust's project (e.g. issued by the trust's private CA).
   * @default - Backbone.certificateNameFor(spec, app) in the hub project (internet), or
   *   Backbone.certificateNameFor(spec, app, ods) in each trust's project (HSCN): plan fails
   *   until the certificate exists
   */
  readonly certificateName?: string;
  /**
   * An internet app's public DNS name; each trust's copy is at `<ods>.<domainName>`.
   * @default - for an app serving several trusts, the DNS name (without the final dot) of the
   *   Cloud DNS zone named Backbone.domainZoneNameFor(spec, app) in the hub project, read at
   *   plan time; for one trust, none (any host reaches it)
   */
  readonly domainName?: string;
  /**
   * The port (HTTPS) the app's endpoints listen on.
   * @default 443
   */
  readonly targetPort?: number;
  /**
   * The health check's request path.
   * @default "/"
   */
  readonly healthCheckPath?: string;
  /**
   * TLS profile of the listeners.
   * @default AppTlsProfile.RESTRICTED
   */
  readonly tlsProfile?: AppTlsProfile;
  /**
   * HSCN apps: where HSCN clients may come from (ranges inside 10.0.0.0/8).
   * @default - 10.0.0.0/8 without the backbone's own address pool (so no trust of the backbone
   *   reaches another trust's app directly)
   */
  readonly sourceRanges?: string[];
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
  /**
   * Ingress settings of the apps with HSCN or internet ingress, by app name
   * (apps added later take theirs in `addApp`).
   * @default - every app's certificate and domain from their conventional names, target port 443
   */
  readonly appIngress?: { [appName: string]: AppIngressOptions };
  /**
   * The CIS2 sign-in page IAP sends staff to (internet apps): an Identity
   * Platform / FirebaseUI page that starts the CIS2 authorisation code flow.
   * @default - `https://<hub project>.firebaseapp.com/`: the hub project's Firebase Hosting site
   */
  readonly cis2SignInPageUri?: string;
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
 *
 * Apps (`apps:` in the spec, or `addApp`): per trust served, the app's /27
 * subnet, workload identity, DICOMweb grants, its own store (AppStore, with
 * its copy in the trust's backup stack) and, for HSCN ingress, an internal
 * Application Load Balancer (HscnAppIngress; one ProxyOnlySubnet per trust
 * shared by its HSCN apps). Internet apps: one `edge` stack in the hub
 * project (after the hub) with the CIS2 sign-in (Cis2Edge) and one
 * InternetAppEdge per internet app. A SpecialistApp per app: `app(name)`.
 */
export class Backbone extends Construct {
  /** The SSL certificate name an app's listeners use unless `appIngress.<app>.certificateName` is given (the trust's, for HSCN). */
  public static certificateNameFor(spec: BackboneSpec, appName: string, odsCode?: string): string {
    return odsCode === undefined
      ? spec.naming.hub(`${appName}-cert`, NameKind.GCP_RESOURCE)
      : spec.naming.trust(odsCode, `${appName}-cert`, NameKind.GCP_RESOURCE);
  }

  /**
   * The Cloud DNS zone (in the hub project) whose DNS name is an internet
   * app's domain when it serves several trusts and `appIngress.<app>.domainName` is not given.
   */
  public static domainZoneNameFor(spec: BackboneSpec, appName: string): string {
    return spec.naming.hub(`${appName}-domain`, NameKind.GCP_RESOURCE);
  }

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
  private readonly trustProjects = new Map<string, string>();
  private readonly allStacks: TerraformStack[] = [];
  private readonly ingressOptions = new Map<string, AppIngressOptions>();
  private readonly specialistApps = new Map<string, SpecialistApp>();
  private readonly proxySubnets = new Map<string, ProxyOnlySubnet>();
  private readonly makeStack: (unit: string, projectId: string, labels: { [k: string]: string }) => TerraformStack;
  private readonly hubProjectId: string;
  private readonly signInPageUri?: string;
  private edges?: { stack: TerraformStack; cis2: Cis2Edge };

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
      this.recordMetadata(s);
      this.allStacks.push(s);
      if (props.stateBackend) {
        new GcsBackend(s, { bucket: props.stateBackend.bucket, prefix: `${props.stateBackend.prefix ?? 'nhs-backbone'}/${name}` });
      } else {
        new LocalBackend(s, { path: `${name}.tfstate` });
      }
      return s;
    };
    this.makeStack = stack;
    for (const [name, options] of Object.entries(props.appIngress ?? {})) {
      if (!this.spec.apps.some((a) => a.name === name)) {
        throw BackboneError.of(`appIngress.${name}`, `"${name}" is not an app of backbone ${this.spec.name} (one of: ${this.spec.apps.map((a) => a.name).join(', ') || 'none'}; give an app added in code its options in addApp)`);
      }
      this.ingressOptions.set(name, checkIngressOptions(name, options));
    }
    this.signInPageUri = props.cis2SignInPageUri;

    const hubProject = checkProjectId('hubProjectId', props.hubProjectId ?? this.spec.naming.name(NameKind.GCP_PROJECT, ['hub']));
    this.hubProjectId = hubProject;
    for (const ods of Object.keys(props.trustProjectIds ?? {})) {
      if (!this.spec.trusts.some((t) => t.odsCode === ods)) {
        throw BackboneError.of(`trustProjectIds.${ods}`, `"${ods}" is not a trust of backbone ${this.spec.name}`);
      }
    }
    const trustProjects = this.trustProjects;
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
    }

    // Imaging: one stack (and project) per imaging network with its DICOM store, after its
    // trusts' stacks (the apps' grants name their service accounts); a DIMSE gateway in each
    // trust stack with modalities.
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

    // Apps: the same path as addApp.
    for (const app of this.spec.apps) this.buildApp(app);

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

  /**
   * Plugs a specialist app into the backbone after construction (before
   * synth), exactly as if it were under `apps:` in the spec: validated by the
   * spec (BackboneError naming `app.<field>`), given its address slot, then
   * its subnet, identity, DICOMweb grants, store (with its backup copy) and
   * ingress in each trust it serves, and its edge for internet ingress.
   */
  public addApp(app: AppSpec, ingress?: AppIngressOptions): SpecialistApp {
    const options = ingress ? checkIngressOptions(String(app?.name), ingress) : undefined;
    const added = this.spec.addApp(app);
    const existing = this.specialistApps.get(added.name);
    if (existing) return existing;
    this.addressPlan.allocateApp(added.name);
    if (options) this.ingressOptions.set(added.name, options);
    if (ingressOf(added) === AppIngress.INTERNET) for (const s of this.allStacks) this.recordMetadata(s);
    return this.buildApp(added);
  }

  /** A specialist app of the backbone (from the spec's `apps` or `addApp`). */
  public app(appName: string): SpecialistApp {
    return entryOf(this.specialistApps, appName, 'appName', `"${appName}" is not an app of backbone ${this.spec.name} (one of: ${[...this.specialistApps.keys()].join(', ') || 'none'})`);
  }

  /**
   * The stack of an internet app's edge: one `edge` stack in the hub project
   * holds every internet app's edge, because they share the project's one
   * CIS2 provider (Identity Platform) and IAP.
   */
  public edgeStack(appName: string): TerraformStack {
    const app = this.app(appName);
    if (!app.edge || !this.edges) {
      throw BackboneError.of('appName', `"${appName}" is not an app with internet ingress in backbone ${this.spec.name} (one of: ${[...this.specialistApps.values()].filter((a) => a.edge).map((a) => a.appName).join(', ') || 'none'})`);
    }
    return this.edges.stack;
  }

  /** CIS2 sign-in at the edge (when an app has internet ingress). */
  public get cis2Edge(): Cis2Edge | undefined {
    return this.edges?.cis2;
  }

  /** A trust's proxy-only subnet (trusts served by an HSCN app only). */
  public proxySubnet(odsCode: string): ProxyOnlySubnet {
    this.spoke(odsCode);
    return entryOf(this.proxySubnets, odsCode, 'odsCode', `trust ${odsCode} has no proxy-only subnet: no app with HSCN ingress serves it`);
  }

  private recordMetadata(s: TerraformStack): void {
    // What `nhs-backbone check` needs to know and cannot read elsewhere (NHS-RES-1, NHS-NET-1).
    s.addOverride(`//.${STACK_METADATA_KEY}`, {
      residency: this.spec.residency,
      backbone: this.spec.name,
      internetIngressApps: this.spec.apps.filter((a) => a.ingress === AppIngress.INTERNET).map((a) => a.name),
    });
  }

  private edgeParts(): { stack: TerraformStack; cis2: Cis2Edge } {
    if (!this.edges) {
      const stack = this.makeStack('edge', this.hubProjectId, this.spec.labelsFor());
      stack.addDependency(this.hubStack);
      const cis2 = new Cis2Edge(stack, 'cis2', {
        spec: this.spec,
        projectId: this.hubProjectId,
        signInPageUri: this.signInPageUri ?? `https://${this.hubProjectId}.firebaseapp.com/`,
      });
      this.edges = { stack, cis2 };
    }
    return this.edges;
  }

  private buildApp(app: AppSpec): SpecialistApp {
    const name = app.name;
    const kind = ingressOf(app);
    const options = this.ingressOptions.get(name) ?? {};
    const region = this.spec.region(Cloud.GCP);
    let edge: InternetAppEdge | undefined;
    if (kind === AppIngress.INTERNET) {
      if (!this.spec.identity.cis2) {
        throw BackboneError.of('identity.cis2', `is required: app "${name}" has internet ingress, and staff sign in at its edge with NHS CIS2 (give environment and clientId)`);
      }
      const { stack, cis2 } = this.edgeParts();
      const cert = new DataGoogleComputeSslCertificate(stack, `cert-${name}`, {
        project: this.hubProjectId,
        name: options.certificateName ?? Backbone.certificateNameFor(this.spec, name),
      });
      let domainName = options.domainName;
      if (domainName === undefined && (app.trusts ?? []).length > 1) {
        const zone = new DataGoogleDnsManagedZone(stack, `domain-${name}`, {
          project: this.hubProjectId,
          name: Backbone.domainZoneNameFor(this.spec, name),
        });
        domainName = Fn.trimsuffix(zone.dnsName, '.');
      }
      edge = new InternetAppEdge(stack, `edge-${name}`, {
        spec: this.spec,
        appName: name,
        addressPlan: this.addressPlan,
        projectId: this.hubProjectId,
        cis2,
        certificateIds: [cert.selfLink],
        domainName,
        targetPort: options.targetPort,
        healthCheckPath: options.healthCheckPath,
        tlsProfile: options.tlsProfile,
      });
    }
    const specialist = new SpecialistApp({ spec: this.spec, appName: name, edge });
    for (const ods of app.trusts ?? []) {
      const s = this.trustStack(ods);
      const spoke = this.spoke(ods);
      const project = this.trustProjects.get(ods)!;
      const attachment = spoke.attachApp(name, kind === AppIngress.NONE ? undefined : options.targetPort);
      const identity = new WorkloadIdentity(s, `identity-${name}`, { spec: this.spec, appName: name, projectId: project, odsCode: ods });
      this.identities.set(`${ods}/${name}`, identity);
      // The grant lands in the imaging network's stack (after the trust's).
      const dicomStore = this.dicomStore(this.spec.imagingNetworkOf(ods).id);
      if (app.dicomweb === DicomWebAccess.READ) dicomStore.grantDicomRead(identity);
      if (app.dicomweb === DicomWebAccess.READ_WRITE) dicomStore.grantDicomWrite(identity);
      let store: AppStore | undefined;
      if (app.store) {
        store = new AppStore(s, `app-store-${name}`, {
          spec: this.spec,
          appName: name,
          odsCode: ods,
          projectId: project,
          keyRing: this.keyRing(ods),
          identity,
          backupProjectId: this.backupProjectId,
        });
        this.trustBackup(ods).addStore(store.store);
      }
      let hscnIngress: HscnAppIngress | undefined;
      if (kind === AppIngress.HSCN) {
        let proxySubnet = this.proxySubnets.get(ods);
        if (!proxySubnet) {
          proxySubnet = new ProxyOnlySubnet(s, 'proxy-only', { spec: this.spec, addressPlan: this.addressPlan, spoke });
          this.proxySubnets.set(ods, proxySubnet);
        }
        const cert = new DataGoogleComputeRegionSslCertificate(s, `cert-${name}`, {
          project,
          region,
          name: options.certificateName ?? Backbone.certificateNameFor(this.spec, name, ods),
        });
        hscnIngress = new HscnAppIngress(s, `hscn-${name}`, {
          spec: this.spec,
          appName: name,
          spoke,
          proxySubnet,
          identity,
          certificateIds: [cert.selfLink],
          sourceRanges: options.sourceRanges ?? excludeRanges(HSCN_RANGE, this.addressPlan.addressPool),
          targetPort: options.targetPort,
          healthCheckPath: options.healthCheckPath,
          tlsProfile: options.tlsProfile,
        });
      }
      specialist.addTrust({ odsCode: ods, identity, attachment, store, hscnIngress });
    }
    this.specialistApps.set(name, specialist);
    return specialist;
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

/** Checks an app's ingress options, naming `appIngress.<app>.<field>`; returns a copy. */
function checkIngressOptions(appName: string, options: AppIngressOptions): AppIngressOptions {
  const path = `appIngress.${appName}`;
  if (typeof options !== 'object' || options === null) throw BackboneError.of(path, 'is not an object of ingress options');
  const named = <T>(check: () => T): T => {
    try {
      return check();
    } catch (e) {
      if (BackboneError.isBackboneError(e)) throw new BackboneError(e.problems.map((p) => ({ path: `${path}.${p.path}`, message: p.message })));
      throw e;
    }
  };
  if (options.targetPort !== undefined) named(() => checkPort(options.targetPort));
  if (options.healthCheckPath !== undefined) named(() => checkHealthPath(options.healthCheckPath));
  if (options.tlsProfile !== undefined) named(() => checkTlsProfile(options.tlsProfile));
  if (options.sourceRanges !== undefined) named(() => checkHscnRanges(options.sourceRanges));
  if (options.certificateName !== undefined && (typeof options.certificateName !== 'string' || !/^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/.test(options.certificateName))) {
    throw BackboneError.of(`${path}.certificateName`, `${JSON.stringify(options.certificateName)} is not an SSL certificate name (RFC 1035: a-z, 0-9 and '-', 1-63, starting with a letter)`);
  }
  if (options.domainName !== undefined && (typeof options.domainName !== 'string' || !/^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/.test(options.domainName))) {
    throw BackboneError.of(`${path}.domainName`, `${JSON.stringify(options.domainName)} is not a DNS name (lower-case labels, e.g. reporting.example.nhs.uk)`);
  }
  return { ...options, sourceRanges: options.sourceRanges ? [...options.sourceRanges] : undefined };
}
