import { ResourceGroup } from '@cdktf/provider-azurerm/lib/resource-group';
import { RouteTable } from '@cdktf/provider-azurerm/lib/route-table';
import { Subnet } from '@cdktf/provider-azurerm/lib/subnet';
import { SubnetRouteTableAssociation } from '@cdktf/provider-azurerm/lib/subnet-route-table-association';
import { VirtualNetwork } from '@cdktf/provider-azurerm/lib/virtual-network';
import { Construct } from 'constructs';
import { defaultNetworkWatcher, vnetFlowLog } from './flow-log';
import { HscnGateway } from './hscn-gateway';
import { HubDns } from './hub-dns';
import { HubFirewall } from './hub-firewall';
import { HSCN_DESTINATIONS, HubNames } from './hub-names';
import { NetworkLogStore } from './log-store';
import { denyByDefaultNsg } from './nsg';
import { AzureFirewallTier, AzureKeyVaultRef, AzureNetworkWatcherRef } from './types';
import { AddressPlan } from '../../core/address-plan';
import { BackboneSpec } from '../../core/backbone-spec';
import { NameKind } from '../../core/naming';
import { Cloud } from '../../core/regions';

/** Props of the Azure hub network. */
export interface HubNetworkProps {
  /** The validated backbone spec. */
  readonly spec: BackboneSpec;
  /** The backbone's address plan. */
  readonly addressPlan: AddressPlan;
  /**
   * The firewall's tier.
   * @default AzureFirewallTier.PREMIUM
   */
  readonly firewallTier?: AzureFirewallTier;
  /**
   * The region's Network Watcher, which owns the flow logs.
   * @default - Azure's own: NetworkWatcher_<region> in NetworkWatcherRG
   */
  readonly networkWatcher?: AzureNetworkWatcherRef;
  /**
   * The Key Vault that holds the HSCN VPN pre-shared key.
   * @default - HscnGateway.defaultKeyVault(spec)
   */
  readonly hscnKeyVault?: AzureKeyVaultRef;
  /**
   * Traffic analytics on the hub's flow logs.
   * @default true
   */
  readonly trafficAnalytics?: boolean;
  /**
   * A Log Analytics dedicated cluster with a customer-managed key to link the
   * hub's workspace to (NHS-ENC-1).
   * @default - none: the workspace keeps Microsoft-managed keys (acknowledged)
   */
  readonly logAnalyticsClusterId?: string;
}

/**
 * The backbone's hub on Azure: a VNet addressed from the plan's hub block with
 * the Azure Firewall (every spoke's egress and every crossing between trusts),
 * the gateway to the HSCN, the DNS private resolver and Private Link zones,
 * the central network log store, and a VNet flow log.
 *
 * Nothing per trust lives here: each trust's stack adds its own peerings,
 * DNS links and return route, so adding a trust never touches the hub's state
 * (except the firewall policy, which lists the app subnets allowed across trusts).
 */
export class HubNetwork extends Construct {
  public readonly resourceGroup: ResourceGroup;
  public readonly vnet: VirtualNetwork;
  public readonly firewall: HubFirewall;
  public readonly dns: HubDns;
  public readonly logStore: NetworkLogStore;
  /** The gateway to the HSCN, when the spec has `network.hscn`. */
  public readonly hscnGateway?: HscnGateway;
  /** The route table of GatewaySubnet; each trust adds the route back to it through the firewall. */
  public readonly gatewayRouteTable: RouteTable;

  constructor(scope: Construct, id: string, props: HubNetworkProps) {
    super(scope, id);
    const { spec, addressPlan: plan } = props;
    const names = new HubNames(spec, plan);
    const tags = spec.tagsFor();
    const location = spec.region(Cloud.AZURE);
    this.resourceGroup = new ResourceGroup(this, 'ResourceGroup', {
      name: spec.naming.hub('network', NameKind.AZURE_RESOURCE_GROUP),
      location,
      tags,
    });
    const resourceGroupName = this.resourceGroup.name;
    this.vnet = new VirtualNetwork(this, 'Resource', {
      name: names.vnet,
      resourceGroupName,
      location,
      addressSpace: [plan.hubBlock],
      tags,
    });
    const subnet = (sid: string, name: string, prefix: string, extra: Partial<ConstructorParameters<typeof Subnet>[2]> = {}) =>
      new Subnet(this, sid, {
        name,
        resourceGroupName,
        virtualNetworkName: this.vnet.name,
        addressPrefixes: [prefix],
        defaultOutboundAccessEnabled: false,
        ...extra,
      });
    const endpoints = subnet('EndpointsSubnet', names.endpointsSubnetName, names.endpointsSubnet, {
      privateEndpointNetworkPolicies: 'Enabled',
    });
    // Azure requires these two names.
    const firewallSubnet = subnet('FirewallSubnet', 'AzureFirewallSubnet', names.firewallSubnet, { defaultOutboundAccessEnabled: undefined });
    const gatewaySubnet = subnet('GatewaySubnet', 'GatewaySubnet', names.gatewaySubnet, { defaultOutboundAccessEnabled: undefined });
    const delegation = [{
      name: 'dns-resolver',
      serviceDelegation: { name: 'Microsoft.Network/dnsResolvers', actions: ['Microsoft.Network/virtualNetworks/subnets/join/action'] },
    }];
    const dnsIn = subnet('DnsInboundSubnet', spec.naming.hub('dns-in'), names.dnsInboundSubnet, { delegation });
    const dnsOut = subnet('DnsOutboundSubnet', spec.naming.hub('dns-out'), names.dnsOutboundSubnet, { delegation });

    // NSGs where Azure allows them (not on AzureFirewallSubnet or GatewaySubnet).
    denyByDefaultNsg(this, 'EndpointsNsg', {
      name: spec.naming.hub('endpoints-nsg'),
      resourceGroupName,
      location,
      tags,
      subnetId: endpoints.id,
      allows: [{ name: 'allow-backbone-https', sources: [plan.addressPool], protocol: 'Tcp', ports: ['443'] }],
    });
    denyByDefaultNsg(this, 'DnsInboundNsg', {
      name: spec.naming.hub('dns-in-nsg'),
      resourceGroupName,
      location,
      tags,
      subnetId: dnsIn.id,
      allows: [{ name: 'allow-dns', sources: [plan.addressPool, ...(spec.network.hscn ? HSCN_DESTINATIONS : [])], protocol: '*', ports: ['53'] }],
    });
    denyByDefaultNsg(this, 'DnsOutboundNsg', {
      name: spec.naming.hub('dns-out-nsg'), resourceGroupName, location, tags, subnetId: dnsOut.id, allows: [],
    });

    // A default route learned from the HSCN over BGP must not pull the
    // firewall's own egress off the internet.
    const fwRoutes = new RouteTable(this, 'FirewallRouteTable', {
      name: spec.naming.hub('fw-rt'),
      resourceGroupName,
      location,
      bgpRoutePropagationEnabled: true,
      route: [{ name: 'internet', addressPrefix: '0.0.0.0/0', nextHopType: 'Internet' }],
      tags,
    });
    new SubnetRouteTableAssociation(this, 'FirewallRouteTableAssociation', { subnetId: firewallSubnet.id, routeTableId: fwRoutes.id });
    // Traffic from the HSCN to a trust goes through the firewall: each trust's
    // stack adds `<trust block> -> firewall` here (routes as separate resources).
    this.gatewayRouteTable = new RouteTable(this, 'GatewayRouteTable', {
      name: names.gatewayRouteTable,
      resourceGroupName,
      location,
      bgpRoutePropagationEnabled: true,
      tags,
    });
    new SubnetRouteTableAssociation(this, 'GatewayRouteTableAssociation', { subnetId: gatewaySubnet.id, routeTableId: this.gatewayRouteTable.id });

    this.dns = new HubDns(this, 'Dns', {
      spec, addressPlan: plan, resourceGroupName, vnetId: this.vnet.id, inboundSubnetId: dnsIn.id, outboundSubnetId: dnsOut.id,
    });
    this.logStore = new NetworkLogStore(this, 'LogStore', {
      spec,
      storageAccountName: names.logStorageAccount,
      workspaceName: names.logWorkspace,
      keyVaultName: names.logKeyVault,
      resourceGroupName,
      location,
      tags,
      privateEndpointSubnetId: endpoints.id,
      keyVaultPrivateDnsZoneId: this.dns.zones['privatelink.vaultcore.azure.net'].id,
      blobPrivateDnsZoneId: this.dns.zones['privatelink.blob.core.windows.net'].id,
      logAnalyticsClusterId: props.logAnalyticsClusterId,
    });
    this.firewall = new HubFirewall(this, 'Firewall', {
      spec, addressPlan: plan, resourceGroupName, subnetId: firewallSubnet.id, logStore: this.logStore, tier: props.firewallTier,
    });
    if (spec.network.hscn) {
      this.hscnGateway = new HscnGateway(this, 'HscnGateway', {
        spec, resourceGroupName, subnetId: gatewaySubnet.id, logStore: this.logStore, keyVault: props.hscnKeyVault,
      });
    }
    vnetFlowLog(this, 'FlowLog', {
      name: spec.naming.hub('vnet-flowlog'),
      location,
      vnetId: this.vnet.id,
      watcher: props.networkWatcher ?? defaultNetworkWatcher(location),
      storageAccountId: this.logStore.storageAccount.id,
      retentionDays: this.logStore.retentionInDays,
      workspace: props.trafficAnalytics === false ? undefined : {
        workspaceId: this.logStore.workspace.workspaceId,
        resourceId: this.logStore.workspace.id,
      },
      tags,
    });
  }
}
