import { NetworkSecurityGroup } from '@cdktf/provider-azurerm/lib/network-security-group';
import { Subnet } from '@cdktf/provider-azurerm/lib/subnet';
import { SubnetRouteTableAssociation } from '@cdktf/provider-azurerm/lib/subnet-route-table-association';
import { Construct } from 'constructs';
import { denyByDefaultNsg, denyByDefaultRules, InboundAllow } from './nsg';

/** An inbound allow rule of a spoke subnet's NSG. */
export interface SpokeInboundRule {
  /** Rule name. */
  readonly name: string;
  /** Source CIDRs, or one Azure service tag. */
  readonly sources: string[];
  /** Tcp, Udp or '*'. */
  readonly protocol: string;
  /** Destination ports or ranges ('*' for all). */
  readonly ports: string[];
}

/** A delegation of a spoke subnet to one Azure service. */
export interface SpokeSubnetDelegation {
  /** The service, e.g. `Microsoft.ContainerInstance/containerGroups`. */
  readonly serviceName: string;
  /** The actions the service may take on the subnet, e.g. `Microsoft.Network/virtualNetworks/subnets/action`. */
  readonly actions: string[];
}

/** Props of a spoke subnet. */
export interface SpokeSubnetProps {
  /** The subnet's name. */
  readonly name: string;
  /** The name of the subnet's NSG. */
  readonly networkSecurityGroupName: string;
  /** The subnet's CIDR (from the address plan). */
  readonly cidr: string;
  /** The spoke's resource group. */
  readonly resourceGroupName: string;
  /** The spoke's VNet name. */
  readonly virtualNetworkName: string;
  /** The region. */
  readonly location: string;
  /** Tags of the NSG. */
  readonly tags: { [key: string]: string };
  /** The spoke's route table (everything leaving the VNet goes to the hub firewall). */
  readonly routeTableId: string;
  /**
   * Inbound traffic allowed; everything else is denied.
   * @default - none: all inbound denied
   */
  readonly inbound?: SpokeInboundRule[];
  /**
   * Delegates the subnet to one service: it then holds that service's
   * resources only (no private endpoints, no VMs).
   * @default - not delegated
   */
  readonly delegation?: SpokeSubnetDelegation;
}

/**
 * A subnet of a trust's spoke: default outbound access off, the spoke's route
 * table (0.0.0.0/0 to the hub firewall) and its own NSG that denies inbound by
 * default (explicit deny of the Internet tag, then deny all); optionally
 * delegated to one service.
 */
export class SpokeSubnet extends Construct {
  public readonly subnet: Subnet;
  public readonly networkSecurityGroup: NetworkSecurityGroup;
  /** The subnet's CIDR. */
  public readonly cidr: string;
  /** The service the subnet is delegated to (it holds that service's resources only), if any. */
  public readonly delegatedTo?: string;
  private readonly allows: InboundAllow[];

  constructor(scope: Construct, id: string, props: SpokeSubnetProps) {
    super(scope, id);
    this.cidr = props.cidr;
    this.delegatedTo = props.delegation?.serviceName;
    this.subnet = new Subnet(this, 'Resource', {
      name: props.name,
      resourceGroupName: props.resourceGroupName,
      virtualNetworkName: props.virtualNetworkName,
      addressPrefixes: [props.cidr],
      defaultOutboundAccessEnabled: false,
      privateEndpointNetworkPolicies: 'Enabled',
      delegation: props.delegation ? [{
        name: props.delegation.serviceName.toLowerCase().replace(/[^a-z0-9]+/g, '-'),
        serviceDelegation: { name: props.delegation.serviceName, actions: [...props.delegation.actions] },
      }] : undefined,
    });
    new SubnetRouteTableAssociation(this, 'RouteTable', { subnetId: this.subnet.id, routeTableId: props.routeTableId });
    const allows: InboundAllow[] = (props.inbound ?? []).map((r) => ({ ...r }));
    this.allows = allows;
    this.networkSecurityGroup = denyByDefaultNsg(this, 'Nsg', {
      name: props.networkSecurityGroupName,
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      tags: props.tags,
      subnetId: this.subnet.id,
      allows,
    });
  }

  /** The inbound allow rules so far (before the explicit denies). */
  public get inboundRules(): SpokeInboundRule[] {
    return this.allows.map((a) => ({ name: a.name, sources: [...a.sources], protocol: a.protocol, ports: [...a.ports] }));
  }

  /**
   * Adds an inbound allow rule after the existing ones (before the explicit
   * denies). A rule with the same name again is ignored. For TrustSpoke,
   * which checks the rule (allowAppIngress).
   * @internal
   */
  public _allowInbound(rule: SpokeInboundRule): void {
    if (this.allows.some((a) => a.name === rule.name)) return;
    this.allows.push({ ...rule, sources: [...rule.sources], ports: [...rule.ports] });
    this.networkSecurityGroup.putSecurityRule(denyByDefaultRules(this.allows));
  }
}
