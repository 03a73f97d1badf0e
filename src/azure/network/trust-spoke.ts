import { DataAzurermClientConfig } from '@cdktf/provider-azurerm/lib/data-azurerm-client-config';
import { DataAzurermLogAnalyticsWorkspace } from '@cdktf/provider-azurerm/lib/data-azurerm-log-analytics-workspace';
import { PrivateDnsResolverVirtualNetworkLink } from '@cdktf/provider-azurerm/lib/private-dns-resolver-virtual-network-link';
import { PrivateDnsZoneVirtualNetworkLink } from '@cdktf/provider-azurerm/lib/private-dns-zone-virtual-network-link';
import { ResourceGroup } from '@cdktf/provider-azurerm/lib/resource-group';
import { Route } from '@cdktf/provider-azurerm/lib/route';
import { RouteTable } from '@cdktf/provider-azurerm/lib/route-table';
import { VirtualNetwork } from '@cdktf/provider-azurerm/lib/virtual-network';
import { VirtualNetworkPeering } from '@cdktf/provider-azurerm/lib/virtual-network-peering';
import { Construct } from 'constructs';
import { defaultNetworkWatcher, vnetFlowLog } from './flow-log';
import { HubNames, PRIVATE_LINK_ZONES } from './hub-names';
import { SpokeInboundRule, SpokeSubnet, SpokeSubnetDelegation } from './spoke-subnet';
import { AzureNetworkWatcherRef } from './types';
import { AddressPlan, TrustSubnet } from '../../core/address-plan';
import { BackboneSpec } from '../../core/backbone-spec';
import { excludeRanges, Cidr } from '../../core/cidr';
import { BackboneError } from '../../core/errors';
import { NameKind } from '../../core/naming';
import { Cloud } from '../../core/regions';
import { DimseGateway } from '../imaging/dimse-gateway';

/** Props of a trust's spoke on Azure. */
export interface TrustSpokeProps {
  /** The validated backbone spec. */
  readonly spec: BackboneSpec;
  /** The backbone's address plan. */
  readonly addressPlan: AddressPlan;
  /** The trust's ODS code. */
  readonly odsCode: string;
  /**
   * The subscription of the hub (hub resource IDs are built from it).
   * @default - the deploying identity's subscription (data azurerm_client_config)
   */
  readonly subscriptionId?: string;
  /**
   * The region's Network Watcher, which owns the flow logs.
   * @default - Azure's own: NetworkWatcher_<region> in NetworkWatcherRG
   */
  readonly networkWatcher?: AzureNetworkWatcherRef;
  /**
   * Traffic analytics on the spoke's flow log (into the hub's workspace).
   * @default true
   */
  readonly trafficAnalytics?: boolean;
}

/** The IMAGING subnet's delegation when the trust has a DIMSE gateway. */
const IMAGING_DELEGATION: SpokeSubnetDelegation = {
  serviceName: DimseGateway.SUBNET_DELEGATION,
  actions: ['Microsoft.Network/virtualNetworks/subnets/action'],
};

/** The subnet roles a spoke creates on Azure (TRANSIT is not needed: peering has no attachment subnet; APPS is split by attachApp). */
const SPOKE_ROLES = [TrustSubnet.WORKLOAD, TrustSubnet.DATA, TrustSubnet.IMAGING];

/**
 * A trust's spoke on Azure: its own resource group and a VNet addressed from
 * the trust's block, peered with the hub (both directions; through the hub's
 * gateway to the HSCN when there is one) and with no other spoke. Every subnet
 * sends 0.0.0.0/0 and the rest of the backbone's pool to the hub firewall
 * (BGP propagation off) and has an NSG that denies inbound by default. The
 * spoke links itself to the hub's Private Link zones and DNS forwarding
 * ruleset, adds its return route on the hub's GatewaySubnet, and logs its
 * traffic (VNet flow log) into the hub's log store.
 *
 * A trust with modalities (`spec.modalitiesOf`) gets its IMAGING subnet
 * delegated to `Microsoft.ContainerInstance/containerGroups` for its DIMSE
 * gateway (the subnet then holds container groups only: never a private
 * endpoint), with an NSG allowing DICOM only from the modalities' /32s on the
 * gateway port (DimseGateway.inboundRules). Without modalities the IMAGING
 * subnet allows no DICOM at all.
 *
 * Hub resources are referenced by name and by IDs built from the
 * subscription, never by cdktf cross-stack references.
 */
export class TrustSpoke extends Construct {
  public readonly odsCode: string;
  public readonly resourceGroup: ResourceGroup;
  public readonly vnet: VirtualNetwork;
  public readonly routeTable: RouteTable;
  /** The hub firewall's private address, every subnet's next hop out of the VNet. */
  public readonly firewallIp: string;
  /** The subscription the spoke is in (given, or read from the provider's credentials). */
  public readonly subscriptionId: string;
  /**
   * True when the trust has modalities (`spec.modalitiesOf`): its IMAGING
   * subnet is then delegated to Container Instances for the DIMSE gateway.
   */
  public readonly hasDimseGateway: boolean;
  private readonly spec: BackboneSpec;
  private readonly plan: AddressPlan;
  private readonly subnets = new Map<string, SpokeSubnet>();
  private readonly apps = new Map<string, SpokeSubnet>();

  constructor(scope: Construct, id: string, props: TrustSpokeProps) {
    super(scope, id);
    const { spec, addressPlan: plan, odsCode } = props;
    spec.trust(odsCode);
    this.spec = spec;
    this.plan = plan;
    this.odsCode = odsCode;
    const hub = new HubNames(spec, plan);
    this.firewallIp = hub.firewallPrivateIp;
    const tags = spec.tagsFor(odsCode);
    const location = spec.region(Cloud.AZURE);
    const subscriptionId = props.subscriptionId ?? new DataAzurermClientConfig(this, 'ClientConfig').subscriptionId;
    this.subscriptionId = subscriptionId;
    const hasGateway = spec.network.hscn !== undefined;
    const block = plan.trustBlock(odsCode);

    this.resourceGroup = new ResourceGroup(this, 'ResourceGroup', {
      name: spec.naming.trust(odsCode, 'network', NameKind.AZURE_RESOURCE_GROUP),
      location,
      tags,
    });
    this.vnet = new VirtualNetwork(this, 'Resource', {
      name: spec.naming.trust(odsCode, 'vnet'),
      resourceGroupName: this.resourceGroup.name,
      location,
      addressSpace: [block],
      tags,
    });

    this.routeTable = new RouteTable(this, 'RouteTable', {
      name: spec.naming.trust(odsCode, 'rt'),
      resourceGroupName: this.resourceGroup.name,
      location,
      bgpRoutePropagationEnabled: false,
      route: [
        { name: 'default-via-hub-firewall', addressPrefix: '0.0.0.0/0', nextHopType: 'VirtualAppliance', nextHopInIpAddress: this.firewallIp },
        // Covers every other trust's block (more specific routes keep this
        // VNet local and the hub direct over the peering).
        { name: 'backbone-via-hub-firewall', addressPrefix: plan.addressPool, nextHopType: 'VirtualAppliance', nextHopInIpAddress: this.firewallIp },
      ],
      tags,
    });

    this.hasDimseGateway = spec.modalitiesOf(odsCode).length > 0;
    const inbound: Record<string, SpokeInboundRule[]> = {
      [TrustSubnet.WORKLOAD]: [
        { name: 'allow-trust', sources: [block], protocol: '*', ports: ['*'] },
        { name: 'allow-load-balancer-probes', sources: ['AzureLoadBalancer'], protocol: '*', ports: ['*'] },
      ],
      [TrustSubnet.DATA]: [
        { name: 'allow-trust-https', sources: [block], protocol: 'Tcp', ports: ['443'] },
      ],
      // With modalities, the subnet is the DIMSE gateway's alone (delegated to
      // Container Instances): DICOM from the trust's modalities (each a /32)
      // on the gateway port, nothing else. Without, nothing listens for DICOM.
      [TrustSubnet.IMAGING]: this.hasDimseGateway
        ? DimseGateway.inboundRules(spec, odsCode)
        : [{ name: 'allow-trust-https', sources: [block], protocol: 'Tcp', ports: ['443'] }],
    };
    const delegations: Record<string, SpokeSubnetDelegation | undefined> = {
      [TrustSubnet.IMAGING]: this.hasDimseGateway ? IMAGING_DELEGATION : undefined,
    };
    for (const role of SPOKE_ROLES) {
      this.subnets.set(role, this.spokeSubnet(role, role, plan.trustSubnet(odsCode, role), inbound[role], delegations[role]));
    }

    // Peering with the hub, both directions, owned by this trust's state.
    const hubToSpoke = new VirtualNetworkPeering(this, 'HubToSpokePeering', {
      name: spec.naming.name(NameKind.RESOURCE, ['hub', 'to', odsCode]),
      resourceGroupName: hub.resourceGroup,
      virtualNetworkName: hub.vnet,
      remoteVirtualNetworkId: this.vnet.id,
      allowVirtualNetworkAccess: true,
      allowForwardedTraffic: true,
      allowGatewayTransit: hasGateway,
      useRemoteGateways: false,
    });
    new VirtualNetworkPeering(this, 'SpokeToHubPeering', {
      name: spec.naming.trust(odsCode, 'to-hub'),
      resourceGroupName: this.resourceGroup.name,
      virtualNetworkName: this.vnet.name,
      remoteVirtualNetworkId: hub.vnetId(subscriptionId),
      allowVirtualNetworkAccess: true,
      allowForwardedTraffic: true,
      allowGatewayTransit: false,
      useRemoteGateways: hasGateway,
      dependsOn: [hubToSpoke],
    });
    if (hasGateway) {
      // Symmetric routing: traffic from the HSCN to this trust crosses the firewall too.
      new Route(this, 'GatewayReturnRoute', {
        name: spec.naming.trust(odsCode, 'via-fw'),
        resourceGroupName: hub.resourceGroup,
        routeTableName: hub.gatewayRouteTable,
        addressPrefix: block,
        nextHopType: 'VirtualAppliance',
        nextHopInIpAddress: this.firewallIp,
      });
    }

    // DNS: the hub's Private Link zones and nhs.uk forwarding ruleset.
    for (const zone of PRIVATE_LINK_ZONES) {
      new PrivateDnsZoneVirtualNetworkLink(this, `${zone}-link`, {
        name: spec.naming.trust(odsCode, 'link'),
        resourceGroupName: hub.resourceGroup,
        privateDnsZoneName: zone,
        virtualNetworkId: this.vnet.id,
        registrationEnabled: false,
        tags,
      });
    }
    new PrivateDnsResolverVirtualNetworkLink(this, 'DnsRulesetLink', {
      name: spec.naming.trust(odsCode, 'ruleset-link'),
      dnsForwardingRulesetId: hub.rulesetId(subscriptionId),
      virtualNetworkId: this.vnet.id,
    });

    // Flow log into the hub's log store.
    let workspace: { workspaceId: string; resourceId: string } | undefined;
    if (props.trafficAnalytics !== false) {
      const ws = new DataAzurermLogAnalyticsWorkspace(this, 'LogWorkspace', { name: hub.logWorkspace, resourceGroupName: hub.resourceGroup });
      workspace = { workspaceId: ws.workspaceId, resourceId: ws.id };
    }
    vnetFlowLog(this, 'FlowLog', {
      name: spec.naming.trust(odsCode, 'vnet-flowlog'),
      location,
      vnetId: this.vnet.id,
      watcher: props.networkWatcher ?? defaultNetworkWatcher(location),
      storageAccountId: hub.logStorageAccountId(subscriptionId),
      retentionDays: spec.storage.logRetentionDays,
      workspace,
      tags,
    });
  }

  /** A subnet by role: WORKLOAD, DATA or IMAGING. */
  public subnet(role: TrustSubnet): SpokeSubnet {
    const s = this.subnets.get(role);
    if (!s) {
      throw BackboneError.of('role', `"${role}" is not a subnet of an Azure spoke (${SPOKE_ROLES.join(', ')}; app subnets come from attachApp)`);
    }
    return s;
  }

  /** The apps attached so far, by name. */
  public get attachedApps(): string[] {
    return [...this.apps.keys()];
  }

  /**
   * Attaches an app that serves this trust: its own /27 from the address plan
   * (in the trust's apps block), on the spoke's route table, with an NSG that
   * denies inbound by default and allows only HTTPS from the same app's
   * subnets in the other trusts it serves (the firewall checks that too) and
   * load balancer probes. Clients reach it only through its ingress, which
   * the Backbone admits with `allowAppIngress` (the trust's HSCN application
   * gateway subnet, or the app's internet edge subnet in the hub).
   * Attaching the same app again returns the same subnet.
   */
  public attachApp(appName: string): SpokeSubnet {
    const existing = this.apps.get(appName);
    if (existing) return existing;
    const app = this.spec.apps.find((a) => a.name === appName);
    if (!app) {
      throw BackboneError.of('appName', `"${appName}" is not an app of backbone ${this.spec.name} (apps: ${this.spec.apps.map((a) => a.name).join(', ') || 'none'})`);
    }
    const trusts = app.trusts ?? [];
    if (!trusts.includes(this.odsCode)) {
      throw BackboneError.of('appName', `app "${appName}" does not serve trust ${this.odsCode} (it serves ${trusts.join(', ') || 'no trust'})`);
    }
    const cidr = this.plan.appSubnet(this.odsCode, appName);
    // The app's copies in its other trusts reach it on 443. Their traffic arrives through the
    // hub firewall, which passes only this app's subnets between trusts (allow-apps-across-trusts)
    // and drops every other trust-to-trust flow; so the NSG admits the other trusts' blocks (the
    // pool without this trust's and the hub's) rather than listing every copy: a list per trust
    // would grow with the square of the trusts (44,000 entries per app at 209).
    const others = trusts.length > 1 ? excludeRanges(this.plan.addressPool, this.plan.trustBlock(this.odsCode), this.plan.hubBlock) : [];
    const inbound: SpokeInboundRule[] = [
      { name: 'allow-same-app', sources: [cidr], protocol: '*', ports: ['*'] },
      ...(others.length ? [{ name: 'allow-app-across-trusts', sources: others, protocol: 'Tcp', ports: ['443'] }] : []),
      { name: 'allow-load-balancer-probes', sources: ['AzureLoadBalancer'], protocol: '*', ports: ['*'] },
    ];
    const s = this.spokeSubnet(`app-${appName}`, `app-${appName}`, cidr, inbound);
    this.apps.set(appName, s);
    return s;
  }

  /**
   * Admits an attached app's ingress on the app's target port: `sourceCidr`
   * is the subnet of one of its own ingress gateways, inside this trust's
   * block (its HSCN application gateway) or the hub block (its internet
   * edge). Nothing else may be added to an app subnet's NSG. Admitting the
   * same source and port again changes nothing.
   */
  public allowAppIngress(appName: string, sourceCidr: string, port: number): void {
    const subnet = this.apps.get(appName);
    if (!subnet) {
      throw BackboneError.of('appName', `app "${appName}" is not attached to trust ${this.odsCode} (attached: ${this.attachedApps.join(', ') || 'none'}; call attachApp first)`);
    }
    const source = Cidr.tryParse(sourceCidr);
    const inside = [this.plan.trustBlock(this.odsCode), this.plan.hubBlock].map((b) => Cidr.parse(b));
    if (!source || source.toString() !== sourceCidr || !inside.some((b) => b.contains(source))) {
      throw BackboneError.of('sourceCidr', `${JSON.stringify(sourceCidr)} is not a subnet inside trust ${this.odsCode}'s block ${inside[0]} or the hub block ${inside[1]} (an app's ingress gateway subnet)`);
    }
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw BackboneError.of('port', `${port} is not a TCP port (1-65535)`);
    subnet._allowInbound({
      name: `allow-ingress-${sourceCidr.replace(/[./]/g, '-')}-${port}`,
      sources: [sourceCidr],
      protocol: 'Tcp',
      ports: [String(port)],
    });
  }

  private spokeSubnet(id: string, purpose: string, cidr: string, inbound: SpokeInboundRule[], delegation?: SpokeSubnetDelegation): SpokeSubnet {
    return new SpokeSubnet(this, id, {
      name: this.spec.naming.trust(this.odsCode, purpose),
      networkSecurityGroupName: this.spec.naming.trust(this.odsCode, `${purpose}-nsg`),
      cidr,
      resourceGroupName: this.resourceGroup.name,
      virtualNetworkName: this.vnet.name,
      location: this.spec.region(Cloud.AZURE),
      tags: this.spec.tagsFor(this.odsCode),
      routeTableId: this.routeTable.id,
      inbound,
      delegation,
    });
  }
}
