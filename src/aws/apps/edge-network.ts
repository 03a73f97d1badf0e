import { Stack, aws_ec2 as ec2 } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { EDGE_SUBNET_VALUES, EdgeValue, edgeSubnetCidrs, publishEdgeValue } from './internal';
import { AddressPlan } from '../../core/address-plan';
import { BackboneSpec } from '../../core/backbone-spec';
import { BackboneError } from '../../core/errors';
import { HubNetwork } from '../network/hub-network';
import { AWS_AZS } from '../network/zones';

/** Props of the hub's public app edge. */
export interface AppEdgeNetworkProps {
  /** The validated backbone spec. */
  readonly spec: BackboneSpec;
  /** The backbone's address plan: the edge subnets come from the hub's EGRESS block. */
  readonly addressPlan: AddressPlan;
  /** The hub network (in the same stack): the edge lives in its inspection/egress VPC, the only VPC with an internet gateway. */
  readonly hub: HubNetwork;
}

/**
 * The public edge of the backbone's internet-facing apps, in the hub stack:
 * three public subnets (one /26 per zone) in the hub's inspection/egress VPC,
 * the only VPC with an internet gateway (trust spokes have none, by design).
 * Each app with internet ingress puts its load balancer here (InternetAppEdge,
 * one per app, in a stack of its own).
 *
 * The subnets are carved from the hub's EGRESS /24 above its first /26, which
 * holds the NAT gateways' /28s; each shares the route table of the NAT subnet
 * in its zone: the default route to the internet gateway, and the backbone's
 * pool through the Network Firewall endpoint of that zone, so traffic from an
 * edge load balancer to an app's targets in a trust is inspected (and dropped
 * unless AppIngressFirewallRules passes it). Nothing runs here but the app
 * load balancers; no public IP on launch.
 *
 * Publishes the hub VPC's id and the subnets' ids as SSM parameters, which the
 * app edge stacks read at deploy time (no cross-stack export).
 */
export class AppEdgeNetwork extends Construct {
  /** The edge subnets' CIDR blocks, in zone order, from the address plan alone. */
  public static subnetCidrs(plan: AddressPlan): string[] {
    return edgeSubnetCidrs(plan);
  }

  /** The edge subnets, in zone order. */
  public readonly subnets: ec2.CfnSubnet[];
  /** Their CIDR blocks, in zone order. */
  public readonly cidrs: string[];

  constructor(scope: Construct, id: string, props: AppEdgeNetworkProps) {
    super(scope, id);
    const { spec, addressPlan: plan, hub } = props;
    if (!hub || !(hub as { vpc?: unknown }).vpc) {
      throw BackboneError.of('hub', 'is not a HubNetwork: pass Backbone.hub');
    }
    if (Stack.of(hub) !== Stack.of(this)) {
      throw BackboneError.of('hub', `is in stack ${Stack.of(hub).stackName}, not ${Stack.of(this).stackName}: make the edge network in the hub's stack`);
    }
    const azs = AWS_AZS(spec);
    this.cidrs = edgeSubnetCidrs(plan);
    const egress = hub.vpc.selectSubnets({ subnetGroupName: 'egress' }).subnets;
    this.subnets = azs.map((az, i) => {
      const nat = egress.find((s) => s.availabilityZone === az);
      if (!nat) throw new Error(`hub VPC has no egress subnet in ${az}`);
      const subnet = new ec2.CfnSubnet(this, `Subnet${i + 1}`, {
        vpcId: hub.vpc.vpcId,
        cidrBlock: this.cidrs[i],
        availabilityZone: az,
        mapPublicIpOnLaunch: false,
        tags: [{ key: 'Name', value: spec.naming.hub(`edge-${az.slice(-1)}`) }],
      });
      new ec2.CfnSubnetRouteTableAssociation(this, `Subnet${i + 1}RouteTable`, {
        subnetId: subnet.ref,
        routeTableId: nat.routeTable.routeTableId,
      });
      publishEdgeValue(this, spec, EDGE_SUBNET_VALUES[i], subnet.ref);
      return subnet;
    });
    publishEdgeValue(this, spec, EdgeValue.VPC_ID, hub.vpc.vpcId);
  }
}
