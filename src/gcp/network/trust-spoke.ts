import { ComputeNetwork } from '@cdktf/provider-google/lib/compute-network';
import { ComputeNetworkFirewallPolicy } from '@cdktf/provider-google/lib/compute-network-firewall-policy';
import { ComputeRoute } from '@cdktf/provider-google/lib/compute-route';
import { ComputeSubnetwork } from '@cdktf/provider-google/lib/compute-subnetwork';
import { DnsManagedZone } from '@cdktf/provider-google/lib/dns-managed-zone';
import { DnsPolicy } from '@cdktf/provider-google/lib/dns-policy';
import { DnsRecordSet } from '@cdktf/provider-google/lib/dns-record-set';
import { NetworkConnectivitySpoke } from '@cdktf/provider-google/lib/network-connectivity-spoke';
import { Construct } from 'constructs';
import { BaselinePolicy, addEgressAllowList } from './firewall';
import {
  HEALTH_CHECK_RANGES, HSCN_DNS_ZONE, NCC_EDGE_GROUP, PRIVATE_GOOGLE_APIS_ADDRESSES, PRIVATE_GOOGLE_APIS_RANGE,
  hubNetworkName, nccGroupId, nccHubId, networkUri, trustNetworkName,
} from './ids';
import { AddressPlan, TrustSubnet } from '../../core/address-plan';
import { BackboneSpec } from '../../core/backbone-spec';
import { BackboneError } from '../../core/errors';
import { NameKind } from '../../core/naming';
import { Cloud } from '../../core/regions';
import { AppIngress } from '../../core/spec';

/** Props of a trust's spoke on Google Cloud. */
export interface TrustSpokeProps {
  /** The validated backbone spec. */
  readonly spec: BackboneSpec;
  /** The backbone's address plan. */
  readonly addressPlan: AddressPlan;
  /** The trust's ODS code. */
  readonly odsCode: string;
  /** The trust's project. */
  readonly projectId: string;
  /**
   * The hub's project: the spoke refers to the hub's NCC hub and VPC by ids
   * built from it and the spec's naming (no cross-stack reference).
   */
  readonly hubProjectId: string;
}

/** An app plugged into a trust's spoke. */
export interface AppAttachment {
  /** The app's name. */
  readonly appName: string;
  /** The trust's ODS code. */
  readonly odsCode: string;
  /** The app's /27 in the trust's apps range (from the address plan). */
  readonly cidr: string;
  /** The app's subnet in the trust's VPC. */
  readonly subnet: ComputeSubnetwork;
  /**
   * Network tag for the app's instances. Ingress to it is denied by default:
   * the trust's firewall policy (evaluated before any VPC firewall rule)
   * denies all ingress except Google's load balancer ranges on the app's
   * port (apps with `ingress` other than `none`) and, for HSCN ingress, the
   * rules HscnAppIngress adds.
   */
  readonly networkTag: string;
}

/** Priority base of the per-app rule (plus the app's slot, 0-15). */
const APP_HEALTH_CHECK_PRIORITY = 2000;
/** The trust subnets built on Google Cloud; TRANSIT is not needed (NCC), APPS is split into per-app /27s. */
const TRUST_SUBNETS = [TrustSubnet.WORKLOAD, TrustSubnet.DATA, TrustSubnet.IMAGING];

/**
 * A trust's spoke on Google Cloud, in the trust's project:
 *
 * - a custom-mode VPC addressed from the trust's block, with workload, data
 *   and imaging subnets (Private Google Access, flow logs) and one /27 per
 *   app that serves the trust (`attachApp`);
 * - a VPC spoke in the `edge` group of the hub's NCC hub (STAR): the trust
 *   reaches the hub, never another trust;
 * - its own global network firewall policy: ingress denied by default
 *   (logged), egress only to its own block, the hub, Google APIs and the
 *   egress allow list; everything else denied (logged);
 * - DNS: `nhs.uk` through a peering zone to the hub VPC (which forwards it to
 *   the HSCN resolvers), `googleapis.com` to private.googleapis.com (Private
 *   Google Access), and query logging.
 */
export class TrustSpoke extends Construct {
  /** The trust's ODS code. */
  public readonly odsCode: string;
  /** The trust's project. */
  public readonly projectId: string;
  /** The trust's VPC. */
  public readonly network: ComputeNetwork;
  /** The trust's NCC spoke (edge group). */
  public readonly connectivitySpoke: NetworkConnectivitySpoke;
  /** The trust's global network firewall policy. */
  public readonly firewallPolicy: ComputeNetworkFirewallPolicy;
  /** The `nhs.uk` DNS peering zone (to the hub VPC). */
  public readonly hscnDnsZone: DnsManagedZone;
  private readonly spec: BackboneSpec;
  private readonly plan: AddressPlan;
  private readonly firewall: BaselinePolicy;
  private readonly subnets = new Map<TrustSubnet, ComputeSubnetwork>();
  private readonly apps = new Map<string, AppAttachment>();

  constructor(scope: Construct, id: string, props: TrustSpokeProps) {
    super(scope, id);
    const { spec, addressPlan: plan, odsCode, projectId, hubProjectId } = props;
    spec.trust(odsCode);
    this.spec = spec;
    this.plan = plan;
    this.odsCode = odsCode;
    this.projectId = projectId;
    const region = spec.region(Cloud.GCP);
    const labels = spec.labelsFor(odsCode);
    const name = (purpose: string) => spec.naming.trust(odsCode, purpose, NameKind.GCP_RESOURCE);

    this.network = new ComputeNetwork(this, 'Resource', {
      name: trustNetworkName(spec, odsCode),
      project: projectId,
      autoCreateSubnetworks: false,
      routingMode: 'REGIONAL',
      deleteDefaultRoutesOnCreate: true,
      networkFirewallPolicyEnforcementOrder: 'BEFORE_CLASSIC_FIREWALL',
    });
    for (const role of TRUST_SUBNETS) {
      this.subnets.set(role, new ComputeSubnetwork(this, `${role}-subnet`, {
        name: name(role),
        project: projectId,
        region,
        network: this.network.id,
        ipCidrRange: plan.trustSubnet(odsCode, role),
        privateIpGoogleAccess: true,
        logConfig: { aggregationInterval: 'INTERVAL_5_SEC', flowSampling: 1, metadata: 'INCLUDE_ALL_METADATA' },
      }));
    }

    // NCC: an edge spoke of the hub (ids built from the hub project and naming).
    this.connectivitySpoke = new NetworkConnectivitySpoke(this, 'ConnectivitySpoke', {
      name: name('spoke'),
      project: projectId,
      location: 'global',
      hub: nccHubId(spec, hubProjectId),
      group: nccGroupId(spec, hubProjectId, NCC_EDGE_GROUP),
      linkedVpcNetwork: { uri: this.network.selfLink },
      description: `Trust ${odsCode}: edge spoke (reaches the hub only)`,
      labels,
    });

    // Private Google Access: the VIP route (the default route is deleted) and the zone.
    new ComputeRoute(this, 'GoogleApisRoute', {
      name: name('googleapis'),
      project: projectId,
      network: this.network.id,
      destRange: PRIVATE_GOOGLE_APIS_RANGE,
      nextHopGateway: 'default-internet-gateway',
      priority: 1000,
      description: 'private.googleapis.com (Private Google Access); no other internet route',
    });
    const apisZone = new DnsManagedZone(this, 'GoogleApisZone', {
      name: name('googleapis'),
      project: projectId,
      dnsName: 'googleapis.com.',
      description: 'Google APIs on private.googleapis.com',
      visibility: 'private',
      privateVisibilityConfig: { networks: [{ networkUrl: this.network.id }] },
      labels,
    });
    new DnsRecordSet(this, 'GoogleApisCname', {
      project: projectId,
      managedZone: apisZone.name,
      name: '*.googleapis.com.',
      type: 'CNAME',
      ttl: 300,
      rrdatas: ['private.googleapis.com.'],
    });
    new DnsRecordSet(this, 'GoogleApisPrivate', {
      project: projectId,
      managedZone: apisZone.name,
      name: 'private.googleapis.com.',
      type: 'A',
      ttl: 300,
      rrdatas: PRIVATE_GOOGLE_APIS_ADDRESSES,
    });

    // nhs.uk: resolved by the hub VPC, which forwards it to the HSCN resolvers.
    this.hscnDnsZone = new DnsManagedZone(this, 'HscnDnsZone', {
      name: name('nhs-uk'),
      project: projectId,
      dnsName: HSCN_DNS_ZONE,
      description: 'nhs.uk resolved by the hub VPC (forwarded there to the HSCN resolvers)',
      visibility: 'private',
      privateVisibilityConfig: { networks: [{ networkUrl: this.network.id }] },
      peeringConfig: { targetNetwork: { networkUrl: networkUri(hubProjectId, hubNetworkName(spec)) } },
      labels,
    });
    new DnsPolicy(this, 'DnsPolicy', {
      name: name('dns'),
      project: projectId,
      enableLogging: true,
      enableInboundForwarding: false,
      networks: [{ networkUrl: this.network.id }],
    });

    // Firewall policy.
    this.firewall = new BaselinePolicy(this, 'FirewallPolicy', {
      name: name('fw'),
      projectId,
      networkId: this.network.id,
      description: `NHS backbone ${spec.name} trust ${odsCode}: deny by default`,
    });
    this.firewallPolicy = this.firewall.policy;
    this.firewall.addRule({
      id: 'allow-internal-egress',
      priority: 1000,
      direction: 'EGRESS',
      action: 'allow',
      description: 'To the trust\'s own block and the hub (other trusts are unreachable: NCC edge group)',
      destIpRanges: [plan.trustBlock(odsCode), plan.hubBlock],
    });
    this.firewall.addRule({
      id: 'allow-googleapis-egress',
      priority: 1010,
      direction: 'EGRESS',
      action: 'allow',
      description: 'Google APIs on private.googleapis.com',
      destIpRanges: [PRIVATE_GOOGLE_APIS_RANGE],
      l4: [['tcp', ['443']]],
    });
    addEgressAllowList(this.firewall, spec.network.egressAllowList ?? [], this, false);
  }

  /** A subnet of the trust by role (workload, data or imaging; apps via `attachApp`). */
  public subnet(role: TrustSubnet): ComputeSubnetwork {
    const s = this.subnets.get(role);
    if (!s) {
      throw BackboneError.of('role', `"${role}" is not a trust subnet on Google Cloud (built: ${TRUST_SUBNETS.join(', ')}; apps get their own subnet from attachApp)`);
    }
    return s;
  }

  /** The workload subnet. */
  public get workloadSubnet(): ComputeSubnetwork {
    return this.subnet(TrustSubnet.WORKLOAD);
  }

  /** The data (private endpoints) subnet. */
  public get dataSubnet(): ComputeSubnetwork {
    return this.subnet(TrustSubnet.DATA);
  }

  /** The imaging gateway subnet. */
  public get imagingSubnet(): ComputeSubnetwork {
    return this.subnet(TrustSubnet.IMAGING);
  }

  /** The apps attached so far, in the order they were attached. */
  public get appAttachments(): AppAttachment[] {
    return [...this.apps.values()];
  }

  /**
   * Plugs an app of the spec into this trust: its own /27 subnet (from the
   * address plan) with Private Google Access and flow logs, and a network tag
   * whose ingress is denied by default. An app with `ingress` hscn or
   * internet also gets one rule: Google's load balancer front ends and health
   * checks (35.191.0.0/16, 130.211.0.0/22) to its /27 on `targetPort` only
   * (HscnAppIngress adds the proxy-only subnet's rule). Nothing else reaches
   * the app's subnet. Attaching the same app twice returns the first
   * attachment.
   * @param appName the app, as in the spec's `apps`
   * @param targetPort the port the app's endpoints listen on (ingress apps only)
   */
  public attachApp(appName: string, targetPort?: number): AppAttachment {
    const existing = this.apps.get(appName);
    if (existing) return existing;
    const app = this.spec.apps.find((a) => a.name === appName);
    if (!app) {
      throw BackboneError.of('appName', `"${appName}" is not an app of backbone ${this.spec.name} (apps: ${this.spec.apps.map((a) => a.name).join(', ') || 'none'})`);
    }
    if (!(app.trusts ?? []).includes(this.odsCode)) {
      throw BackboneError.of('appName', `"${appName}" does not serve trust ${this.odsCode} (add ${this.odsCode} or "*" to the app's trusts)`);
    }
    const port = targetPort ?? 443;
    if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) {
      throw BackboneError.of('targetPort', `${JSON.stringify(port)} is not a TCP port (1-65535)`);
    }
    const purpose = `app-${appName}`;
    const cidr = this.plan.appSubnet(this.odsCode, appName);
    const subnet = new ComputeSubnetwork(this, `app-${appName}-subnet`, {
      name: this.spec.naming.trust(this.odsCode, purpose, NameKind.GCP_RESOURCE),
      project: this.projectId,
      region: this.spec.region(Cloud.GCP),
      network: this.network.id,
      ipCidrRange: cidr,
      privateIpGoogleAccess: true,
      logConfig: { aggregationInterval: 'INTERVAL_5_SEC', flowSampling: 1, metadata: 'INCLUDE_ALL_METADATA' },
    });
    const slot = this.plan.lock.apps[appName];
    if (app.ingress && app.ingress !== AppIngress.NONE) {
      this.firewall.addRule({
        id: `allow-${appName}-health-checks`,
        priority: APP_HEALTH_CHECK_PRIORITY + slot,
        direction: 'INGRESS',
        action: 'allow',
        description: `Google's load balancer front ends and health checks to app ${appName} (ingress ${app.ingress}) on ${port}`,
        srcIpRanges: HEALTH_CHECK_RANGES,
        destIpRanges: [cidr],
        l4: [['tcp', [String(port)]]],
      });
    }
    const attachment: AppAttachment = {
      appName,
      odsCode: this.odsCode,
      cidr,
      subnet,
      networkTag: this.spec.naming.trust(this.odsCode, purpose, NameKind.GCP_RESOURCE),
    };
    this.apps.set(appName, attachment);
    return attachment;
  }
}
