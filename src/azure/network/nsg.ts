import { NetworkSecurityGroup, NetworkSecurityGroupSecurityRule } from '@cdktf/provider-azurerm/lib/network-security-group';
import { SubnetNetworkSecurityGroupAssociation } from '@cdktf/provider-azurerm/lib/subnet-network-security-group-association';
import { Construct } from 'constructs';

/**
 * An inbound allow rule of a deny-by-default NSG.
 * @internal
 */
export interface InboundAllow {
  readonly name: string;
  /** Source CIDRs or one service tag. */
  readonly sources: string[];
  /** Tcp, Udp or '*'. */
  readonly protocol: string;
  readonly ports: string[];
  readonly destination?: string;
}

/** Priority of the explicit deny of inbound traffic from the Internet. @internal */
export const DENY_INTERNET_PRIORITY = 4000;
/** Priority of the explicit deny of all other inbound traffic. @internal */
export const DENY_ALL_PRIORITY = 4096;

/**
 * The rules of an NSG that denies inbound by default: the given allows
 * (priority 100, 110, ...), then an explicit deny of the Internet service tag
 * and a deny of everything else, so that Azure's default AllowVnetInBound
 * (which with a 0.0.0.0/0 user-defined route covers every address) never applies.
 * @internal
 */
export function denyByDefaultRules(allows: InboundAllow[]): NetworkSecurityGroupSecurityRule[] {
  const rules: NetworkSecurityGroupSecurityRule[] = allows.map((a, i) => ({
    name: a.name,
    priority: 100 + i * 10,
    direction: 'Inbound',
    access: 'Allow',
    protocol: a.protocol,
    sourcePortRange: '*',
    // Address ranges always as a list, so that adding a trust's range to a rule is an
    // update that only adds (nhs-backbone diff); a service tag (AzureLoadBalancer) stands alone.
    ...(a.sources.length === 1 && !isAddressRange(a.sources[0])
      ? { sourceAddressPrefix: a.sources[0] }
      : { sourceAddressPrefixes: [...a.sources].sort() }),
    destinationAddressPrefix: a.destination ?? '*',
    ...(a.ports.length === 1 ? { destinationPortRange: a.ports[0] } : { destinationPortRanges: a.ports }),
  }));
  rules.push({
    name: 'deny-internet-inbound',
    description: 'Inbound from the internet is denied (NHS Secure Boundary: no unsolicited inbound)',
    priority: DENY_INTERNET_PRIORITY,
    direction: 'Inbound',
    access: 'Deny',
    protocol: '*',
    sourcePortRange: '*',
    sourceAddressPrefix: 'Internet',
    destinationAddressPrefix: '*',
    destinationPortRange: '*',
  });
  rules.push({
    name: 'deny-all-inbound',
    description: 'Everything not allowed above is denied',
    priority: DENY_ALL_PRIORITY,
    direction: 'Inbound',
    access: 'Deny',
    protocol: '*',
    sourcePortRange: '*',
    sourceAddressPrefix: '*',
    destinationAddressPrefix: '*',
    destinationPortRange: '*',
  });
  return rules;
}

/** Props of a deny-by-default NSG on one subnet. @internal */
export interface DenyByDefaultNsgProps {
  readonly name: string;
  readonly resourceGroupName: string;
  readonly location: string;
  readonly tags: { [key: string]: string };
  readonly subnetId: string;
  readonly allows: InboundAllow[];
}

/**
 * Creates a deny-by-default NSG and associates it with a subnet.
 * @internal
 */
export function denyByDefaultNsg(scope: Construct, id: string, props: DenyByDefaultNsgProps): NetworkSecurityGroup {
  const nsg = new NetworkSecurityGroup(scope, id, {
    name: props.name,
    resourceGroupName: props.resourceGroupName,
    location: props.location,
    securityRule: denyByDefaultRules(props.allows),
    tags: props.tags,
  });
  new SubnetNetworkSecurityGroupAssociation(scope, `${id}Association`, {
    subnetId: props.subnetId,
    networkSecurityGroupId: nsg.id,
  });
  return nsg;
}

/** True for an IPv4/IPv6 address or CIDR range, false for a service tag or `*`. */
function isAddressRange(source: string): boolean {
  return /^[0-9a-fA-F.:]+(\/\d+)?$/.test(source) && /[.:]/.test(source);
}
