import { Lazy, Stack, Tags, aws_ssm as ssm } from 'aws-cdk-lib';
import { Construct, IConstruct } from 'constructs';
import { AddressLock, AddressPlan, TrustSubnet } from '../core/address-plan';
import { BackboneSpec, ImagingNetwork } from '../core/backbone-spec';
import { BackboneError, entryOf } from '../core/errors';
import { NameKind } from '../core/naming';
import { Cloud } from '../core/regions';
import { AppIngress, AppSpec, DicomWebAccess } from '../core/spec';
import { NhsTags } from '../core/tags';
import { AppStore } from './apps/app-store';
import { AppEdgeNetwork } from './apps/edge-network';
import { HscnAppIngress } from './apps/hscn-ingress';
import { AppIngressFirewallRules } from './apps/ingress-firewall-rules';
import { InternetAppEdge } from './apps/internet-edge';
import { SpecialistApp } from './apps/specialist-app';
import { AwsCompliance } from './compliance/acknowledge';
import { acknowledgeGuard } from './compliance/internal';
import { BreakGlassAccess } from './identity/break-glass';
import { CiFederation } from './identity/ci-federation';
import { CustomerManagedKey } from './identity/customer-managed-key';
import { BackbonePermissionsBoundary } from './identity/permissions-boundary';
import { WorkloadIdentity } from './identity/workload-identity';
import { DicomStore } from './imaging/dicom-store';
import { DimseGateway } from './imaging/dimse-gateway';
import { AuditTrail } from './logging/audit-trail';
import { CentralLogStore } from './logging/central-log-store';
import { HubNetwork } from './network/hub-network';
import { TrustSpoke } from './network/trust-spoke';
import { ClinicalStore } from './storage/clinical-store';
import { TrustBackup } from './storage/trust-backup';

/** How the backbone fronts one app with HSCN or internet ingress (Backbone `appIngress`). */
export interface AppIngressOptions {
  /**
   * ARN of the listeners' certificate: an ACM certificate in the backbone's
   * region (for an internet app, public, for `domainName` and `*.domainName`;
   * for an HSCN app, issued by ACM Private CA or imported).
   * @default - the value of the SSM parameter `/nhs-backbone/<name>/<env>/apps/<app>/certificate-arn`
   *   (Backbone.certificateParameterName), resolved at deploy time: synthesis never needs it,
   *   deployment fails until the parameter exists
   */
  readonly certificateArn?: string;
  /**
   * An internet app's public DNS name; each trust's copy is at `<ods>.<domainName>`.
   * @default - for an app serving several trusts, the value of the SSM parameter
   *   `/nhs-backbone/<name>/<env>/apps/<app>/domain-name` (Backbone.domainParameterName), resolved at deploy time;
   *   for one trust, none (reached at the load balancer's name)
   */
  readonly domainName?: string;
  /**
   * The port the app's targets listen on (HTTPS).
   * @default 8443
   */
  readonly targetPort?: number;
}

/** Props of the AWS backbone. */
export interface BackboneProps {
  /** The validated backbone spec. */
  readonly spec: BackboneSpec;
  /**
   * Address allocations made before (the lock file beside the spec).
   * @default - none: slots are handed out in spec order
   */
  readonly addressLock?: AddressLock;
  /**
   * The AWS account to deploy to.
   * @default - environment-agnostic (the account of the deploying credentials)
   */
  readonly account?: string;
  /**
   * The Orthanc image of every trust's DIMSE gateway, pinned by tag or digest
   * (e.g. docker/orthanc-gateway built and pushed to a private ECR repository).
   * @default - docker/orthanc-gateway built as a CDK asset at deploy time (needs Docker where `cdk deploy` runs)
   */
  readonly dimseGatewayImage?: string;
  /**
   * The SigV4 signing proxy image of every DIMSE gateway, pinned. Give a
   * mirror in the account's ECR (e.g. an ECR pull-through cache of
   * public.ecr.aws) unless `public.ecr.aws` is on the egress allow list.
   * @default "public.ecr.aws/aws-observability/aws-sigv4-proxy:1.10"
   */
  readonly sigv4ProxyImage?: string;
  /**
   * Ingress settings of the apps with HSCN or internet ingress, by app name
   * (apps added later take theirs in `addApp`).
   * @default - every app's certificate from its SSM parameter (Backbone.certificateParameterName), target port 8443
   */
  readonly appIngress?: { [appName: string]: AppIngressOptions };
}

/**
 * The NHS backbone on AWS: one hub stack, one stack per imaging network and
 * one stack per trust, so that no template nears CloudFormation's limits and
 * each trust deploys on its own. Every stack carries the NHS tags of its
 * tenant and, in its template's Metadata, the backbone's record for the NHS
 * compliance profile (residency, apps with internet ingress:
 * AwsCompliance.recordStack). Stacks share values through SSM parameters read at deploy time,
 * never through exports; the order is hub, then imaging networks, then trusts.
 *
 * Hub: the permissions boundary, the central log archive and the audit trail
 * (CloudTrail, recording every store's object access and every DICOM access
 * into the archive).
 * Imaging network (`spec.imagingNetworks()`): its DicomStore (a HealthImaging
 * datastore with a key of its own).
 * Trust: its spoke, its key, one ClinicalStore per store in the spec's
 * `storage.stores`, a TrustBackup (locked vaults and daily plans, with a
 * copy to `storage.backup.awsAccount` when given), a workload identity per
 * app with DICOMweb grants on its network's store as `apps[].dicomweb` says,
 * and a DimseGateway when the trust has modalities.
 * Apps (`apps:` in the spec, or `addApp`): per trust served, the app's
 * subnets, workload identity, DICOMweb grants, its own store (AppStore, in
 * the trust's backup) and, for HSCN ingress, an internal load balancer
 * (HscnAppIngress); per internet app one edge stack (InternetAppEdge, WAF
 * and CIS2; one per 100 trusts it serves, `edgeStacks`) after the hub, which carries the public edge subnets
 * (AppEdgeNetwork) and the firewall's app ingress rules (AppIngressFirewallRules).
 */
export class Backbone extends Construct {
  /**
   * The SSM parameter an internet app's domain name is read from (at deploy
   * time) when it serves several trusts and `appIngress.<app>.domainName` is not given.
   */
  public static domainParameterName(spec: BackboneSpec, appName: string): string {
    return `/nhs-backbone/${spec.name}/${spec.environment}/apps/${appName}/domain-name`;
  }

  /** The SSM parameter an app's certificate ARN is read from when `appIngress.<app>.certificateArn` is not given. */
  public static certificateParameterName(spec: BackboneSpec, appName: string): string {
    return `/nhs-backbone/${spec.name}/${spec.environment}/apps/${appName}/certificate-arn`;
  }

  /** The spec it was built from. */
  public readonly spec: BackboneSpec;
  /** The address plan in use. */
  public readonly addressPlan: AddressPlan;
  /** The hub stack. */
  public readonly hubStack: Stack;
  /** The hub network. */
  public readonly hub: HubNetwork;
  /** The central log archive (in the hub stack). */
  public readonly logStore: CentralLogStore;
  /** The CloudTrail trail that records management events, every store's object access and every DICOM access into the log archive. */
  public readonly auditTrail: AuditTrail;
  /** The permissions boundary every workload and CI role is created under. */
  public readonly permissionsBoundary: BackbonePermissionsBoundary;
  /** CI federation (when the spec's identity.ci is set). */
  public readonly ciFederation?: CiFederation;
  /** The emergency-access role and the alert on its use. */
  public readonly breakGlass: BreakGlassAccess;
  private readonly spokes = new Map<string, TrustSpoke>();
  private readonly stacks = new Map<string, Stack>();
  private readonly keys = new Map<string, CustomerManagedKey>();
  private readonly identities = new Map<string, WorkloadIdentity>();
  private readonly stores = new Map<string, ClinicalStore>();
  private readonly backups = new Map<string, TrustBackup>();
  private readonly imagingStacks = new Map<string, Stack>();
  private readonly dicomStores = new Map<string, DicomStore>();
  private readonly gateways = new Map<string, DimseGateway>();
  private readonly env: { region: string; account?: string };
  private readonly ingressOptions = new Map<string, AppIngressOptions>();
  private readonly specialistApps = new Map<string, SpecialistApp>();
  private readonly appEdgeStacks = new Map<string, Stack[]>();
  private readonly trustStores = new Map<string, ClinicalStore[]>();
  private edgeNetwork?: AppEdgeNetwork;
  private ingressRules?: AppIngressFirewallRules;

  constructor(scope: Construct, id: string, props: BackboneProps) {
    super(scope, id);
    this.spec = props.spec;
    this.addressPlan = props.spec.addressPlan(props.addressLock);
    const env = { region: this.spec.region(Cloud.AWS), account: props.account };
    this.env = env;
    for (const [name, options] of Object.entries(props.appIngress ?? {})) {
      if (!this.spec.apps.some((a) => a.name === name)) {
        throw BackboneError.of(`appIngress.${name}`, `"${name}" is not an app of backbone ${this.spec.name} (one of: ${this.spec.apps.map((a) => a.name).join(', ') || 'none'}; give an app added in code its options in addApp)`);
      }
      this.ingressOptions.set(name, { ...options });
    }

    this.hubStack = new Stack(this, 'Hub', {
      stackName: this.spec.naming.name(NameKind.STACK, ['hub']),
      description: `nhs-backbone ${this.spec.name}: shared hub`,
      env,
    });
    tag(this.hubStack, this.spec.tagsFor());
    AwsCompliance.recordStack(this.hubStack, this.spec);
    this.logStore = new CentralLogStore(this.hubStack, 'LogStore', { spec: this.spec });
    this.auditTrail = new AuditTrail(this.hubStack, 'AuditTrail', { spec: this.spec, logStore: this.logStore });
    this.hub = new HubNetwork(this.hubStack, 'Network', { spec: this.spec, addressPlan: this.addressPlan, logStore: this.logStore });
    this.permissionsBoundary = new BackbonePermissionsBoundary(this.hubStack, 'PermissionsBoundary', { spec: this.spec });
    this.breakGlass = new BreakGlassAccess(this.hubStack, 'BreakGlass', {
      spec: this.spec,
      alertEmails: this.spec.identity.securityContact ? [this.spec.identity.securityContact] : undefined,
    });
    if (this.spec.identity.ci) this.ciFederation = new CiFederation(this.hubStack, 'CiFederation', { spec: this.spec });

    for (const network of this.spec.imagingNetworks()) {
      const stack = new Stack(this, `Imaging-${network.id}`, {
        stackName: this.spec.naming.name(NameKind.STACK, ['img', network.id]),
        description: `nhs-backbone ${this.spec.name}: imaging network ${network.id} (${network.trusts.join(', ')})`,
        env,
      });
      tag(stack, networkTags(this.spec, network));
      AwsCompliance.recordStack(stack, this.spec);
      stack.addStackDependency(this.hubStack, 'the audit trail records DICOM access from the first image');
      this.imagingStacks.set(network.id, stack);
      this.dicomStores.set(network.id, new DicomStore(stack, 'DicomStore', { spec: this.spec, network }));
    }

    for (const trust of this.spec.trusts) {
      const stack = new Stack(this, `Trust${trust.odsCode}`, {
        stackName: this.spec.naming.name(NameKind.STACK, [trust.odsCode]),
        description: `nhs-backbone ${this.spec.name}: ${trust.name} (${trust.odsCode})`,
        env,
      });
      tag(stack, this.spec.tagsFor(trust.odsCode));
      AwsCompliance.recordStack(stack, this.spec);
      this.stacks.set(trust.odsCode, stack);
      // The trust stack reads the hub's values (SSM parameters, log store name) at deploy time: no exports.
      stack.addStackDependency(this.hubStack, 'the spoke attaches to the hub transit gateway');
      const network = this.spec.imagingNetworkOf(trust.odsCode);
      stack.addStackDependency(this.imagingStack(network.id), 'the gateway and the apps read the DICOM store\'s ids from SSM');
      const spoke = new TrustSpoke(stack, 'Spoke', {
        spec: this.spec, addressPlan: this.addressPlan, odsCode: trust.odsCode,
      });
      this.spokes.set(trust.odsCode, spoke);
      const key = new CustomerManagedKey(stack, 'Key', { spec: this.spec, odsCode: trust.odsCode });
      this.keys.set(trust.odsCode, key);
      const stores = (this.spec.storage.stores ?? []).map((st) => {
        const store = new ClinicalStore(stack, `Store-${st.name}`, {
          spec: this.spec, odsCode: trust.odsCode, storeName: st.name, encryptionKey: key,
        });
        this.stores.set(`${trust.odsCode}/${st.name}`, store);
        return store;
      });
      this.trustStores.set(trust.odsCode, stores);
      if (this.spec.modalitiesOf(trust.odsCode).length > 0) {
        // The gateway's roles take the backbone's boundary by its name (its default): passing the
        // hub's ManagedPolicy object would make a cross-stack export.
        this.gateways.set(trust.odsCode, new DimseGateway(stack, 'DimseGateway', {
          spec: this.spec,
          odsCode: trust.odsCode,
          vpc: spoke.vpc,
          subnets: spoke.subnetsFor(TrustSubnet.IMAGING),
          encryptionKey: key,
          image: props.dimseGatewayImage,
          sigv4ProxyImage: props.sigv4ProxyImage,
        }));
      }
    }

    // Apps: the same path as addApp. Then each trust's backup, with its apps' stores.
    for (const app of this.spec.apps) this.buildApp(app);
    for (const trust of this.spec.trusts) {
      const stores = this.trustStores.get(trust.odsCode) ?? [];
      if (stores.length > 0) {
        this.backups.set(trust.odsCode, new TrustBackup(this.trustStack(trust.odsCode), 'Backup', { spec: this.spec, odsCode: trust.odsCode, stores }));
      }
    }
  }

  /**
   * Plugs a specialist app into the backbone after construction, exactly as
   * if it were under `apps:` in the spec: validated by the spec
   * (BackboneError naming `app.<field>`), given its address slot, then its
   * subnets, identity, DICOMweb grants, store (in the trust's backup) and
   * ingress in each trust it serves, and its edge stack for internet ingress.
   */
  public addApp(app: AppSpec, ingress?: AppIngressOptions): SpecialistApp {
    const added = this.spec.addApp(app);
    const existing = this.specialistApps.get(added.name);
    if (existing) return existing;
    this.addressPlan.allocateApp(added.name);
    if (ingress) this.ingressOptions.set(added.name, { ...ingress });
    const made = this.buildApp(added);
    for (const ods of added.trusts ?? []) {
      const stores = this.trustStores.get(ods) ?? [];
      if (!added.store) continue;
      const store = made.storeIn(ods);
      const backup = this.backups.get(ods);
      if (backup) backup.addStore(store);
      else this.backups.set(ods, new TrustBackup(this.trustStack(ods), 'Backup', { spec: this.spec, odsCode: ods, stores }));
    }
    return made;
  }

  /** A specialist app of the backbone (from the spec's `apps` or `addApp`). */
  public app(appName: string): SpecialistApp {
    return entryOf(this.specialistApps, appName, 'appName', `"${appName}" is not an app of backbone ${this.spec.name} (one of: ${[...this.specialistApps.keys()].join(', ') || 'none'})`);
  }

  /** The stack of an internet app's edge (its first edge's, when it has several: `edgeStacks`). */
  public edgeStack(appName: string): Stack {
    return this.edgeStacks(appName)[0];
  }

  /**
   * The stacks of an internet app's edges, in edge order: one per
   * InternetAppEdge.MAX_TRUSTS_PER_EDGE trusts it serves (`Edge-<app>`, then
   * `Edge-<app>-2`, ...). `app(name).edgeOf(ods)` says which edge carries a trust.
   */
  public edgeStacks(appName: string): Stack[] {
    return [...entryOf(this.appEdgeStacks, appName, 'appName', `"${appName}" is not an app with internet ingress in backbone ${this.spec.name} (one of: ${[...this.appEdgeStacks.keys()].join(', ') || 'none'})`)];
  }

  /** The hub's public edge subnets (when an app has internet ingress). */
  public get appEdgeNetwork(): AppEdgeNetwork | undefined {
    return this.edgeNetwork;
  }

  /** The hub firewall's app ingress rules (when an app has HSCN or internet ingress). */
  public get appIngressRules(): AppIngressFirewallRules | undefined {
    return this.ingressRules;
  }

  private buildApp(app: AppSpec): SpecialistApp {
    const name = app.name;
    const kind = app.ingress ?? AppIngress.NONE;
    const options = this.ingressOptions.get(name) ?? {};
    if (kind !== AppIngress.NONE && !this.ingressRules) {
      this.ingressRules = new AppIngressFirewallRules(this.hubStack, 'AppIngressRules', { spec: this.spec, addressPlan: this.addressPlan });
      this.ingressRules.addTo(this.hub.firewallPolicy);
    }
    const edges: InternetAppEdge[] = [];
    if (kind === AppIngress.INTERNET) {
      if (!this.edgeNetwork) this.edgeNetwork = new AppEdgeNetwork(this.hubStack, 'AppEdge', { spec: this.spec, addressPlan: this.addressPlan, hub: this.hub });
      if (options.targetPort !== undefined) this.ingressRules!.setTargetPort(name, options.targetPort);
      // One edge per 100 trusts, each in a stack of its own; the first keeps the single edge's ids and names.
      const count = InternetAppEdge.edgeCountOf(this.spec, this.addressPlan, name);
      const stacks: Stack[] = [];
      for (let index = 0; index < count; index++) {
        const id = index === 0 ? `Edge-${name}` : `Edge-${name}-${index + 1}`;
        if (this.node.tryFindChild(id)) {
          throw BackboneError.of('apps', `app "${name}" needs the edge stack ${id}, already another app's edge: an app "<a>" serving more than ${InternetAppEdge.MAX_TRUSTS_PER_EDGE * index} trusts has edges Edge-<a>-2 ... Edge-<a>-${index + 1}, so an internet app named "<a>-<k>" clashes with it; rename one`);
        }
        const stack = new Stack(this, id, {
          stackName: this.spec.naming.name(NameKind.STACK, index === 0 ? ['edge', name] : ['edge', name, `${index + 1}`]),
          description: `nhs-backbone ${this.spec.name}: internet edge of app ${name}${index === 0 ? '' : ` (edge ${index + 1} of ${count})`}`,
          env: this.env,
        });
        tag(stack, this.spec.tagsFor());
        AwsCompliance.recordStack(stack, this.spec);
        // The edge reads the hub VPC's and edge subnets' ids from SSM; the trusts do not wait for it.
        stack.addStackDependency(this.hubStack, 'the edge reads the hub VPC and the edge subnets from SSM');
        stacks.push(stack);
        const edge = new InternetAppEdge(stack, 'Edge', {
          spec: this.spec,
          appName: name,
          addressPlan: this.addressPlan,
          certificateArn: this.certificateOf(name, options),
          domainName: options.domainName ?? ((app.trusts ?? []).length > 1
            ? ssm.StringParameter.valueForStringParameter(stack, Backbone.domainParameterName(this.spec, name)) : undefined),
          targetPort: options.targetPort,
          edgeIndex: index,
        });
        this.acknowledgeDefaultCertificate(edge.httpsListener, name, options);
        edges.push(edge);
      }
      this.appEdgeStacks.set(name, stacks);
    }
    const specialist = new SpecialistApp({ spec: this.spec, appName: name, edge: edges[0], edges: edges.length > 0 ? edges : undefined });
    for (const ods of app.trusts ?? []) {
      const stack = this.trustStack(ods);
      const spoke = this.spoke(ods);
      const identity = new WorkloadIdentity(stack, `App-${name}`, { spec: this.spec, appName: name, odsCode: ods });
      this.identities.set(`${ods}/${name}`, identity);
      // The grant lands in the trust stack and reads the store's ids from SSM (no export).
      const dicomStore = this.dicomStore(this.spec.imagingNetworkOf(ods).id);
      if (app.dicomweb === DicomWebAccess.READ_WRITE) dicomStore.grantDicomWrite(identity);
      else if (app.dicomweb === DicomWebAccess.READ) dicomStore.grantDicomRead(identity);
      const attachment = spoke.attachApp(name);
      const store = app.store
        ? new AppStore(stack, `AppStore-${name}`, { spec: this.spec, appName: name, odsCode: ods, encryptionKey: this.key(ods), identity })
        : undefined;
      if (store) this.trustStores.get(ods)!.push(store.store);
      const hscnIngress = kind === AppIngress.HSCN
        ? new HscnAppIngress(stack, `AppIngress-${name}`, {
          spec: this.spec, appName: name, odsCode: ods, spoke, certificateArn: this.certificateOf(name, options), targetPort: options.targetPort,
        })
        : undefined;
      if (hscnIngress) this.acknowledgeDefaultCertificate(hscnIngress.listener, name, options);
      specialist.addTrust({ odsCode: ods, identity, attachment, store, hscnIngress });
    }
    this.specialistApps.set(name, specialist);
    return specialist;
  }

  /**
   * The app's certificate ARN, or a CloudFormation dynamic reference to its SSM parameter (resolved at
   * deploy time; a dynamic reference rather than a template parameter so that the listener's property
   * is a string rules can read).
   */
  private certificateOf(appName: string, options: AppIngressOptions): string {
    if (options.certificateArn !== undefined) return options.certificateArn;
    const reference = `{{resolve:ssm:${Backbone.certificateParameterName(this.spec, appName)}}}`;
    return Lazy.string({ produce: () => reference });
  }

  /** cfn-guard reads a dynamic reference as a string that is not an ACM ARN: say where the certificate comes from. */
  private acknowledgeDefaultCertificate(listener: IConstruct, appName: string, options: AppIngressOptions): void {
    if (options.certificateArn !== undefined) return;
    acknowledgeGuard(listener, ['elbv2_acm_certificate_required_check'],
      `The listener's certificate is the ACM certificate whose ARN is in the SSM parameter ${Backbone.certificateParameterName(this.spec, appName)}, `
      + 'resolved by CloudFormation at deploy time ({{resolve:ssm:...}}); give appIngress.<app>.certificateArn to write the ARN into the template.');
  }

  /** A trust's customer-managed key. */
  public key(odsCode: string): CustomerManagedKey {
    return entryOf(this.keys, odsCode, 'odsCode', `"${odsCode}" is not a trust of backbone ${this.spec.name}`);
  }

  /** The workload identity of an app in a trust it serves. */
  public identity(odsCode: string, appName: string): WorkloadIdentity {
    return entryOf(this.identities, `${odsCode}/${appName}`, 'appName', `"${appName}" is not an app serving trust ${odsCode} in backbone ${this.spec.name}`);
  }

  /** A trust's clinical store. */
  public store(odsCode: string, storeName: string): ClinicalStore {
    this.trustStack(odsCode);
    return entryOf(this.stores, `${odsCode}/${storeName}`, 'storeName', `"${storeName}" is not a store of backbone ${this.spec.name} (one of: ${(this.spec.storage.stores ?? []).map((s) => s.name).join(', ')})`);
  }

  /** A trust's backup (the locked vaults and plans of its stores). */
  public backup(odsCode: string): TrustBackup {
    return entryOf(this.backups, odsCode, 'odsCode', `"${odsCode}" is not a trust of backbone ${this.spec.name}`);
  }

  /** A trust's spoke. */
  public spoke(odsCode: string): TrustSpoke {
    return entryOf(this.spokes, odsCode, 'odsCode', `"${odsCode}" is not a trust of backbone ${this.spec.name}`);
  }

  /** The stack of an imaging network (`spec.imagingNetworks()`, e.g. `icb-qyg`). */
  public imagingStack(networkId: string): Stack {
    return entryOf(this.imagingStacks, networkId, 'networkId', this.unknownNetwork(networkId));
  }

  /** The DICOM store of an imaging network (in the network's stack). */
  public dicomStore(networkId: string): DicomStore {
    return entryOf(this.dicomStores, networkId, 'networkId', this.unknownNetwork(networkId));
  }

  /** A trust's DIMSE gateway (trusts with modalities in `imaging.modalities` only). */
  public dimseGateway(odsCode: string): DimseGateway {
    this.trustStack(odsCode);
    return entryOf(this.gateways, odsCode, 'odsCode', `trust ${odsCode} has no DIMSE gateway: it has no modalities in imaging.modalities`);
  }

  /** A trust's stack. */
  public trustStack(odsCode: string): Stack {
    return entryOf(this.stacks, odsCode, 'odsCode', `"${odsCode}" is not a trust of backbone ${this.spec.name}`);
  }

  private unknownNetwork(networkId: string): string {
    return `"${networkId}" is not an imaging network of backbone ${this.spec.name} (one of: ${[...this.imagingStacks.keys()].join(', ')})`;
  }
}

/**
 * Tags of an imaging network's stack: the trust's for a per-trust network,
 * the hub's for the national one, and for an ICB's network the backbone's
 * tags with the ICB as ODS code and ICB. Plus `imaging-network`.
 */
function networkTags(spec: BackboneSpec, network: ImagingNetwork): { [k: string]: string } {
  const isTrust = network.id === `trust-${network.odsCode.toLowerCase()}` && spec.trusts.some((t) => t.odsCode === network.odsCode);
  const tags = isTrust ? spec.tagsFor(network.odsCode)
    : network.id === 'national' ? spec.tagsFor()
      : NhsTags.tags({
        backbone: spec.name,
        odsCode: network.odsCode,
        icb: network.odsCode,
        environment: spec.environment,
        dataClassification: spec.dataClassification,
        owner: spec.owner,
        costCentre: spec.costCentre,
      });
  return { ...tags, 'imaging-network': network.id };
}

function tag(scope: Construct, tags: { [k: string]: string }): void {
  for (const [k, v] of Object.entries(tags)) Tags.of(scope).add(k, v);
}
