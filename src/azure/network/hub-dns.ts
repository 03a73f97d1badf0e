import { PrivateDnsResolver } from '@cdktf/provider-azurerm/lib/private-dns-resolver';
import { PrivateDnsResolverDnsForwardingRuleset } from '@cdktf/provider-azurerm/lib/private-dns-resolver-dns-forwarding-ruleset';
import { PrivateDnsResolverForwardingRule } from '@cdktf/provider-azurerm/lib/private-dns-resolver-forwarding-rule';
import { PrivateDnsResolverInboundEndpoint } from '@cdktf/provider-azurerm/lib/private-dns-resolver-inbound-endpoint';
import { PrivateDnsResolverOutboundEndpoint } from '@cdktf/provider-azurerm/lib/private-dns-resolver-outbound-endpoint';
import { PrivateDnsResolverVirtualNetworkLink } from '@cdktf/provider-azurerm/lib/private-dns-resolver-virtual-network-link';
import { PrivateDnsZone } from '@cdktf/provider-azurerm/lib/private-dns-zone';
import { PrivateDnsZoneVirtualNetworkLink } from '@cdktf/provider-azurerm/lib/private-dns-zone-virtual-network-link';
import { Construct } from 'constructs';
import { HSCN_DNS_DOMAIN, HSCN_DNS_SERVERS, HubNames, PRIVATE_LINK_ZONES } from './hub-names';
import { AddressPlan } from '../../core/address-plan';
import { BackboneSpec } from '../../core/backbone-spec';

/** Props of the hub's DNS. */
export interface HubDnsProps {
  /** The validated backbone spec. */
  readonly spec: BackboneSpec;
  /** The backbone's address plan. */
  readonly addressPlan: AddressPlan;
  /** The hub's resource group. */
  readonly resourceGroupName: string;
  /** ID of the hub VNet. */
  readonly vnetId: string;
  /** ID of the resolver's inbound endpoint subnet. */
  readonly inboundSubnetId: string;
  /** ID of the resolver's outbound endpoint subnet. */
  readonly outboundSubnetId: string;
}

/**
 * The hub's DNS: the Private Link zones of the services the backbone uses
 * (linked to the hub here and to each spoke by the spoke), and a DNS private
 * resolver whose forwarding ruleset sends nhs.uk to the HSCN resolvers
 * (cns0/cns1.nhs.uk) through the outbound endpoint. The inbound endpoint has a
 * fixed address for DNS servers on trust sites (conditional forwarders for
 * privatelink zones).
 */
export class HubDns extends Construct {
  public readonly resolver: PrivateDnsResolver;
  public readonly ruleset: PrivateDnsResolverDnsForwardingRuleset;
  /** The inbound endpoint's address. */
  public readonly inboundIp: string;
  /** The Private Link zones, by zone name. */
  public readonly zones: { [zone: string]: PrivateDnsZone } = {};

  constructor(scope: Construct, id: string, props: HubDnsProps) {
    super(scope, id);
    const { spec } = props;
    const names = new HubNames(spec, props.addressPlan);
    const tags = spec.tagsFor();
    const location = names.location;
    const resourceGroupName = props.resourceGroupName;
    this.inboundIp = names.dnsInboundIp;

    for (const zone of PRIVATE_LINK_ZONES) {
      const z = new PrivateDnsZone(this, zone, { name: zone, resourceGroupName, tags });
      this.zones[zone] = z;
      new PrivateDnsZoneVirtualNetworkLink(this, `${zone}-hub-link`, {
        name: spec.naming.hub('link'),
        resourceGroupName,
        privateDnsZoneName: z.name,
        virtualNetworkId: props.vnetId,
        registrationEnabled: false,
        tags,
      });
    }

    this.resolver = new PrivateDnsResolver(this, 'Resource', {
      name: names.resolver,
      resourceGroupName,
      location,
      virtualNetworkId: props.vnetId,
      tags,
    });
    new PrivateDnsResolverInboundEndpoint(this, 'Inbound', {
      name: spec.naming.hub('dns-in'),
      privateDnsResolverId: this.resolver.id,
      location,
      ipConfigurations: {
        subnetId: props.inboundSubnetId,
        privateIpAllocationMethod: 'Static',
        privateIpAddress: this.inboundIp,
      },
      tags,
    });
    const outbound = new PrivateDnsResolverOutboundEndpoint(this, 'Outbound', {
      name: spec.naming.hub('dns-out'),
      privateDnsResolverId: this.resolver.id,
      location,
      subnetId: props.outboundSubnetId,
      tags,
    });
    this.ruleset = new PrivateDnsResolverDnsForwardingRuleset(this, 'Ruleset', {
      name: names.ruleset,
      resourceGroupName,
      location,
      privateDnsResolverOutboundEndpointIds: [outbound.id],
      tags,
    });
    if (spec.network.hscn) {
      new PrivateDnsResolverForwardingRule(this, 'NhsUk', {
        name: 'nhs-uk',
        dnsForwardingRulesetId: this.ruleset.id,
        domainName: HSCN_DNS_DOMAIN,
        enabled: true,
        targetDnsServers: HSCN_DNS_SERVERS.map((ipAddress) => ({ ipAddress, port: 53 })),
      });
    }
    new PrivateDnsResolverVirtualNetworkLink(this, 'HubLink', {
      name: spec.naming.hub('ruleset-link'),
      dnsForwardingRulesetId: this.ruleset.id,
      virtualNetworkId: props.vnetId,
    });
  }
}
