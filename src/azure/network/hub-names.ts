import { AddressPlan, HubSubnet, TrustSubnet } from '../../core/address-plan';
import { BackboneSpec } from '../../core/backbone-spec';
import { Cidr } from '../../core/cidr';
import { BackboneError } from '../../core/errors';
import { NameKind } from '../../core/naming';
import { Cloud } from '../../core/regions';

/**
 * HSCN DNS resolvers (cns0.nhs.uk, cns1.nhs.uk): nhs.uk is forwarded to them.
 * @internal
 */
export const HSCN_DNS_SERVERS = ['155.231.231.1', '155.231.231.2'];

/** The domain forwarded to the HSCN resolvers. @internal */
export const HSCN_DNS_DOMAIN = 'nhs.uk.';

/**
 * Private DNS zones of the Private Link services the backbone uses: Blob
 * storage, ADLS Gen2 (dfs: the imaging networks' data lakes), Azure Files
 * (file: the DIMSE gateways' spool shares), Key Vault, and the Health Data
 * Services workspace (whose `healthcareworkspace` private endpoint registers
 * in the workspace, DICOM and FHIR zones). `privatelink.azurehealthcareapis.com`
 * belongs to the retiring Azure API for FHIR and is not needed.
 * @internal
 */
export const PRIVATE_LINK_ZONES = [
  'privatelink.blob.core.windows.net',
  'privatelink.dfs.core.windows.net',
  'privatelink.file.core.windows.net',
  'privatelink.vaultcore.azure.net',
  'privatelink.workspace.azurehealthcareapis.com',
  'privatelink.dicom.azurehealthcareapis.com',
  'privatelink.fhir.azurehealthcareapis.com',
];

/**
 * Destinations on the HSCN that spokes may reach through the firewall: the
 * NHS's private 10.0.0.0/8 (the backbone's own pool is denied before this rule)
 * and the HSCN DNS resolvers' network.
 * @internal
 */
export const HSCN_DESTINATIONS = ['10.0.0.0/8', '155.231.231.0/24'];

/**
 * The subnet the HSCN application gateways of a trust share: its TRANSIT /26
 * (unused on Azure: peering needs no attachment subnet).
 * @internal
 */
export function hscnAppGatewaySubnet(plan: AddressPlan, odsCode: string): string {
  return plan.trustSubnet(odsCode, TrustSubnet.TRANSIT);
}

/**
 * The static private address of an HSCN app's application gateway in a
 * trust: taken from the top of the shared gateway subnet down by the app's
 * address slot (stable, from the lock), so that it never meets the instance
 * addresses Azure hands out from the bottom.
 * @internal
 */
export function hscnAppGatewayAddress(plan: AddressPlan, odsCode: string, appName: string): string {
  const subnet = Cidr.parse(hscnAppGatewaySubnet(plan, odsCode));
  const slot = plan.lock.apps[appName];
  if (slot === undefined) throw BackboneError.of('appName', `"${appName}" is not an app of this address plan`);
  return subnet.address(subnet.size - 2 - slot);
}

/** TCP ports spokes may use towards the HSCN: HTTPS and DICOM (104, 11112). @internal */
export const HSCN_PORTS = ['443', '104', '11112'];

/**
 * Every name and address of the hub that a trust's stack needs, computed from
 * the spec and the address plan alone. Trust stacks use these (and resource IDs
 * built from them) instead of cdktf cross-stack references, so that no stack
 * reads another's state and no absolute path ends up in the output.
 * @internal
 */
export class HubNames {
  public readonly resourceGroup: string;
  public readonly vnet: string;
  public readonly firewall: string;
  public readonly firewallPolicy: string;
  public readonly resolver: string;
  public readonly ruleset: string;
  public readonly gatewayRouteTable: string;
  public readonly logStorageAccount: string;
  public readonly logWorkspace: string;
  /** The hub's Key Vault holding the log archive's customer-managed key. */
  public readonly logKeyVault: string;
  public readonly location: string;
  /** AzureFirewallSubnet: the first /26 of the plan's firewall block. */
  public readonly firewallSubnet: string;
  /** Azure gives the firewall the 4th address of AzureFirewallSubnet. */
  public readonly firewallPrivateIp: string;
  /** GatewaySubnet: the first /26 of the plan's gateway block. */
  public readonly gatewaySubnet: string;
  /** DNS resolver inbound endpoint subnet: the first /26 of the DNS block. */
  public readonly dnsInboundSubnet: string;
  /** DNS resolver outbound endpoint subnet: the second /26 of the DNS block. */
  public readonly dnsOutboundSubnet: string;
  /** The inbound endpoint's static address (4th of its subnet). */
  public readonly dnsInboundIp: string;
  public readonly endpointsSubnet: string;
  /** The endpoints subnet's name. */
  public readonly endpointsSubnetName: string;

  constructor(spec: BackboneSpec, plan: AddressPlan) {
    const n = spec.naming;
    this.resourceGroup = n.hub('network', NameKind.AZURE_RESOURCE_GROUP);
    this.vnet = n.hub('vnet');
    this.firewall = n.hub('fw');
    this.firewallPolicy = n.hub('fw-policy');
    this.resolver = n.hub('dns-resolver');
    this.ruleset = n.hub('dns-ruleset');
    this.gatewayRouteTable = n.hub('gateway-rt');
    this.logStorageAccount = n.hub('netlogs', NameKind.AZURE_STORAGE_ACCOUNT);
    this.logWorkspace = n.hub('logs');
    this.logKeyVault = n.hub('logs-kv', NameKind.AZURE_KEY_VAULT);
    this.location = spec.region(Cloud.AZURE);
    this.firewallSubnet = Cidr.parse(plan.hubSubnet(HubSubnet.FIREWALL)).subnet(26, 0).toString();
    this.firewallPrivateIp = Cidr.parse(this.firewallSubnet).address(4);
    this.gatewaySubnet = Cidr.parse(plan.hubSubnet(HubSubnet.GATEWAY)).subnet(26, 0).toString();
    const dns = Cidr.parse(plan.hubSubnet(HubSubnet.DNS));
    this.dnsInboundSubnet = dns.subnet(26, 0).toString();
    this.dnsOutboundSubnet = dns.subnet(26, 1).toString();
    this.dnsInboundIp = Cidr.parse(this.dnsInboundSubnet).address(4);
    this.endpointsSubnet = plan.hubSubnet(HubSubnet.ENDPOINTS);
    this.endpointsSubnetName = n.hub('endpoints');
  }

  /** An Azure resource ID in the hub's resource group. */
  public id(subscriptionId: string, provider: string, ...typeAndNames: string[]): string {
    return `/subscriptions/${subscriptionId}/resourceGroups/${this.resourceGroup}/providers/${provider}/${typeAndNames.join('/')}`;
  }

  /** The ID of one of the hub's Private Link DNS zones. */
  public privateDnsZoneId(subscriptionId: string, zone: string): string {
    return this.id(subscriptionId, 'Microsoft.Network', 'privateDnsZones', zone);
  }

  /** The IDs of every hub Private Link DNS zone (PRIVATE_LINK_ZONES). */
  public privateDnsZoneIds(subscriptionId: string): string[] {
    return PRIVATE_LINK_ZONES.map((zone) => this.privateDnsZoneId(subscriptionId, zone));
  }

  /** The ID of the hub's endpoints subnet (private endpoints of shared services, e.g. the imaging networks' DICOM stores). */
  public endpointsSubnetId(subscriptionId: string): string {
    return this.id(subscriptionId, 'Microsoft.Network', 'virtualNetworks', this.vnet, 'subnets', this.endpointsSubnetName);
  }

  public vnetId(subscriptionId: string): string {
    return this.id(subscriptionId, 'Microsoft.Network', 'virtualNetworks', this.vnet);
  }

  public rulesetId(subscriptionId: string): string {
    return this.id(subscriptionId, 'Microsoft.Network', 'dnsForwardingRulesets', this.ruleset);
  }

  public logStorageAccountId(subscriptionId: string): string {
    return this.id(subscriptionId, 'Microsoft.Storage', 'storageAccounts', this.logStorageAccount);
  }

  public logWorkspaceId(subscriptionId: string): string {
    return this.id(subscriptionId, 'Microsoft.OperationalInsights', 'workspaces', this.logWorkspace);
  }
}
