import { ComputeGlobalAddress } from '@cdktf/provider-google/lib/compute-global-address';
import { ComputeGlobalForwardingRule } from '@cdktf/provider-google/lib/compute-global-forwarding-rule';
import { ComputeNetwork } from '@cdktf/provider-google/lib/compute-network';
import { ComputeNetworkFirewallPolicy } from '@cdktf/provider-google/lib/compute-network-firewall-policy';
import { ComputeRoute } from '@cdktf/provider-google/lib/compute-route';
import { ComputeRouter } from '@cdktf/provider-google/lib/compute-router';
import { ComputeRouterNat } from '@cdktf/provider-google/lib/compute-router-nat';
import { ComputeSubnetwork } from '@cdktf/provider-google/lib/compute-subnetwork';
import { DnsManagedZone } from '@cdktf/provider-google/lib/dns-managed-zone';
import { DnsPolicy } from '@cdktf/provider-google/lib/dns-policy';
import { DnsRecordSet } from '@cdktf/provider-google/lib/dns-record-set';
import { NetworkConnectivityGroup } from '@cdktf/provider-google/lib/network-connectivity-group';
import { NetworkConnectivityHub } from '@cdktf/provider-google/lib/network-connectivity-hub';
import { NetworkConnectivitySpoke } from '@cdktf/provider-google/lib/network-connectivity-spoke';
import { Construct } from 'constructs';
import { BaselinePolicy, addEgressAllowList } from './firewall';
import { HscnConnection } from './hscn-connection';
import {
  HSCN_DNS_RESOLVERS, HSCN_DNS_ZONE, IAP_RANGE, NCC_CENTER_GROUP, NCC_EDGE_GROUP, NHS_RESERVED_10,
  hubNetworkName, nccHubName, pscEndpointAddress, pscEndpointName,
} from './ids';
import { AddressPlan, HubSubnet } from '../../core/address-plan';
import { BackboneSpec } from '../../core/backbone-spec';
import { BackboneError } from '../../core/errors';
import { NameKind } from '../../core/naming';
import { Cloud } from '../../core/regions';

/** Props of the Google Cloud hub network. */
export interface HubNetworkProps {
  /** The validated backbone spec. */
  readonly spec: BackboneSpec;
  /** The backbone's address plan. */
  readonly addressPlan: AddressPlan;
  /** The hub's project. */
  readonly projectId: string;
  /**
   * Projects whose VPC spokes the NCC edge group accepts without review
   * (the trusts' projects).
   * @default - none: spokes from other projects wait for a hub administrator to accept them
   */
  readonly spokeProjectIds?: string[];
}

/** The hub subnets built on Google Cloud (no firewall appliance or gateway subnet is needed). */
const HUB_SUBNETS = [HubSubnet.ENDPOINTS, HubSubnet.EGRESS, HubSubnet.MANAGEMENT, HubSubnet.SHARED];

/**
 * The backbone's hub on Google Cloud, in the hub project:
 *
 * - a custom-mode VPC (no default route except the one tagged for NAT egress)
 *   with endpoints, egress, management and shared-services subnets, each with
 *   Private Google Access and flow logs;
 * - a Network Connectivity Center hub with the STAR preset topology: the hub
 *   VPC is the only spoke of the `center` group, every trust's VPC joins the
 *   `edge` group, so trusts reach the hub but never each other;
 * - Cloud Router and Cloud NAT for the egress subnet only (logging errors and
 *   translations);
 * - a global network firewall policy: ingress denied by default (logged),
 *   IAP only to the management subnet, egress only to the backbone's own
 *   ranges, Google APIs and the egress allow list (FQDN objects);
 * - a Private Service Connect endpoint for Google APIs with a private
 *   `googleapis.com` zone pointing at it;
 * - a private forwarding zone for `nhs.uk` to the HSCN resolvers (trust VPCs
 *   resolve it through DNS peering zones that target this network), and DNS
 *   query logging;
 * - the HSCN connection when the spec has one.
 */
export class HubNetwork extends Construct {
  /** The hub VPC. */
  public readonly network: ComputeNetwork;
  /** The hub project. */
  public readonly projectId: string;
  /** The NCC hub (STAR topology). */
  public readonly connectivityHub: NetworkConnectivityHub;
  /** The global network firewall policy of the hub VPC. */
  public readonly firewallPolicy: ComputeNetworkFirewallPolicy;
  /** Cloud Router of the NAT. */
  public readonly natRouter: ComputeRouter;
  /** Cloud NAT of the egress subnet. */
  public readonly nat: ComputeRouterNat;
  /** Internal address of the Private Service Connect endpoint for Google APIs. */
  public readonly googleApisEndpointAddress: string;
  /** The `nhs.uk` forwarding zone. */
  public readonly hscnDnsZone: DnsManagedZone;
  /**
   * The connection to the HSCN.
   * @default - none when the spec has no `network.hscn`
   */
  public readonly hscn?: HscnConnection;
  private readonly subnets = new Map<HubSubnet, ComputeSubnetwork>();

  constructor(scope: Construct, id: string, props: HubNetworkProps) {
    super(scope, id);
    const { spec, addressPlan: plan, projectId } = props;
    this.projectId = projectId;
    const region = spec.region(Cloud.GCP);
    const labels = spec.labelsFor();
    const name = (purpose: string) => spec.naming.hub(purpose, NameKind.GCP_RESOURCE);

    this.network = new ComputeNetwork(this, 'Resource', {
      name: hubNetworkName(spec),
      project: projectId,
      autoCreateSubnetworks: false,
      routingMode: 'GLOBAL',
      deleteDefaultRoutesOnCreate: true,
      networkFirewallPolicyEnforcementOrder: 'BEFORE_CLASSIC_FIREWALL',
    });
    for (const role of HUB_SUBNETS) {
      this.subnets.set(role, new ComputeSubnetwork(this, `${role}-subnet`, {
        name: name(role),
        project: projectId,
        region,
        network: this.network.id,
        ipCidrRange: plan.hubSubnet(role),
        privateIpGoogleAccess: true,
        logConfig: { aggregationInterval: 'INTERVAL_5_SEC', flowSampling: 1, metadata: 'INCLUDE_ALL_METADATA' },
      }));
    }

    // Network Connectivity Center: STAR, the hub VPC in the center group.
    this.connectivityHub = new NetworkConnectivityHub(this, 'ConnectivityHub', {
      name: nccHubName(spec),
      project: projectId,
      description: `NHS backbone ${spec.name}: trusts (edge) reach the hub (center), never each other`,
      policyMode: 'PRESET',
      presetTopology: 'STAR',
      labels,
    });
    const center = new NetworkConnectivityGroup(this, 'CenterGroup', {
      hub: this.connectivityHub.id,
      name: NCC_CENTER_GROUP,
      project: projectId,
      labels,
    });
    new NetworkConnectivityGroup(this, 'EdgeGroup', {
      hub: this.connectivityHub.id,
      name: NCC_EDGE_GROUP,
      project: projectId,
      labels,
      autoAccept: props.spokeProjectIds && props.spokeProjectIds.length > 0
        ? { autoAcceptProjects: [...new Set(props.spokeProjectIds)].sort() }
        : undefined,
    });
    new NetworkConnectivitySpoke(this, 'CenterSpoke', {
      name: name('spoke'),
      project: projectId,
      location: 'global',
      hub: this.connectivityHub.id,
      group: center.id,
      linkedVpcNetwork: { uri: this.network.selfLink },
      labels,
    });

    // Egress: Cloud NAT for the egress subnet only, through a default route.
    new ComputeRoute(this, 'EgressRoute', {
      name: name('egress-default'),
      project: projectId,
      network: this.network.id,
      destRange: '0.0.0.0/0',
      nextHopGateway: 'default-internet-gateway',
      priority: 1000,
      description: 'Internet egress through Cloud NAT (only the egress subnet is translated; the firewall policy allows only the egress allow list)',
    });
    this.natRouter = new ComputeRouter(this, 'NatRouter', {
      name: name('nat-router'),
      project: projectId,
      region,
      network: this.network.id,
    });
    this.nat = new ComputeRouterNat(this, 'Nat', {
      name: name('nat'),
      project: projectId,
      region,
      router: this.natRouter.name,
      natIpAllocateOption: 'AUTO_ONLY',
      sourceSubnetworkIpRangesToNat: 'LIST_OF_SUBNETWORKS',
      subnetwork: [{ name: this.subnet(HubSubnet.EGRESS).id, sourceIpRangesToNat: ['ALL_IP_RANGES'] }],
      logConfig: { enable: true, filter: 'ALL' },
    });

    // Private Service Connect for Google APIs.
    this.googleApisEndpointAddress = pscEndpointAddress(plan);
    const pscAddress = new ComputeGlobalAddress(this, 'GoogleApisAddress', {
      name: name('googleapis-psc'),
      project: projectId,
      addressType: 'INTERNAL',
      purpose: 'PRIVATE_SERVICE_CONNECT',
      network: this.network.id,
      address: this.googleApisEndpointAddress,
      labels,
    });
    new ComputeGlobalForwardingRule(this, 'GoogleApisEndpoint', {
      name: pscEndpointName(spec),
      project: projectId,
      target: 'all-apis',
      network: this.network.id,
      ipAddress: pscAddress.id,
      loadBalancingScheme: '',
      noAutomateDnsZone: true,
    });
    const apisZone = new DnsManagedZone(this, 'GoogleApisZone', {
      name: name('googleapis'),
      project: projectId,
      dnsName: 'googleapis.com.',
      description: 'Google APIs through the hub Private Service Connect endpoint',
      visibility: 'private',
      privateVisibilityConfig: { networks: [{ networkUrl: this.network.id }] },
      labels,
    });
    new DnsRecordSet(this, 'GoogleApisWildcard', {
      project: projectId,
      managedZone: apisZone.name,
      name: '*.googleapis.com.',
      type: 'A',
      ttl: 300,
      rrdatas: [this.googleApisEndpointAddress],
    });
    new DnsRecordSet(this, 'GoogleApisApex', {
      project: projectId,
      managedZone: apisZone.name,
      name: 'googleapis.com.',
      type: 'A',
      ttl: 300,
      rrdatas: [this.googleApisEndpointAddress],
    });

    // DNS: nhs.uk to the HSCN resolvers, over the private path (the HSCN connection).
    this.hscnDnsZone = new DnsManagedZone(this, 'HscnDnsZone', {
      name: name('nhs-uk'),
      project: projectId,
      dnsName: HSCN_DNS_ZONE,
      description: 'nhs.uk forwarded to the HSCN resolvers cns0/cns1.nhs.uk; trust VPCs peer to this network for it',
      visibility: 'private',
      privateVisibilityConfig: { networks: [{ networkUrl: this.network.id }] },
      forwardingConfig: {
        targetNameServers: HSCN_DNS_RESOLVERS.map((ipv4Address) => ({ ipv4Address, forwardingPath: 'private' })),
      },
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
    const fw = new BaselinePolicy(this, 'FirewallPolicy', {
      name: name('fw'),
      projectId,
      networkId: this.network.id,
      description: `NHS backbone ${spec.name} hub: deny by default`,
    });
    this.firewallPolicy = fw.policy;
    fw.addRule({
      id: 'allow-iap-management',
      priority: 1200,
      direction: 'INGRESS',
      action: 'allow',
      description: 'IAP TCP forwarding (SSH/RDP) to the management subnet only',
      srcIpRanges: [IAP_RANGE],
      destIpRanges: [plan.hubSubnet(HubSubnet.MANAGEMENT)],
      l4: [['tcp', ['22', '3389']]],
    });
    fw.addRule({
      id: 'allow-trusts-shared',
      priority: 1210,
      direction: 'INGRESS',
      action: 'allow',
      description: 'Trusts (NCC edge spokes) reach shared services in the hub over TLS',
      srcIpRanges: [plan.addressPool],
      destIpRanges: [plan.hubSubnet(HubSubnet.SHARED)],
      l4: [['tcp', ['443']]],
    });
    fw.addRule({
      id: 'allow-internal-egress',
      priority: 1000,
      direction: 'EGRESS',
      action: 'allow',
      description: spec.network.hscn ? 'To the backbone pool and the NHS 10.0.0.0/8 over the HSCN' : 'To the backbone pool',
      destIpRanges: spec.network.hscn ? [plan.addressPool, NHS_RESERVED_10] : [plan.addressPool],
    });
    fw.addRule({
      id: 'allow-googleapis-egress',
      priority: 1010,
      direction: 'EGRESS',
      action: 'allow',
      description: 'Google APIs through the Private Service Connect endpoint',
      destIpRanges: [`${this.googleApisEndpointAddress}/32`],
      l4: [['tcp', ['443']]],
    });
    addEgressAllowList(fw, spec.network.egressAllowList ?? [], this);

    if (spec.network.hscn) {
      this.hscn = new HscnConnection(this, 'Hscn', { spec, addressPlan: plan, projectId, networkId: this.network.id });
    }
  }

  /** A hub subnet (endpoints, egress, management or shared). */
  public subnet(role: HubSubnet): ComputeSubnetwork {
    const s = this.subnets.get(role);
    if (!s) throw BackboneError.of('role', `"${role}" is not a hub subnet on Google Cloud (built: ${HUB_SUBNETS.join(', ')})`);
    return s;
  }
}
