import { aws_ec2 as ec2 } from 'aws-cdk-lib';
import { Cidr } from '../../core/cidr';

/**
 * An `IIpAddresses` that hands a VPC exactly the CIDRs of the backbone's
 * address plan: each subnet group is carved, zone by zone, from the block the
 * plan gives that group. The VPC never invents addresses of its own.
 * @internal
 */
export class PlanIpAddresses implements ec2.IIpAddresses {
  /**
   * @param vpcCidr the VPC's block
   * @param groups subnet group name -> the plan's block for that group
   */
  constructor(private readonly vpcCidr: string, private readonly groups: Record<string, string>) {}

  public allocateVpcCidr(): ec2.VpcIpamOptions {
    return { cidrBlock: this.vpcCidr };
  }

  public allocateSubnetsCidr(input: ec2.AllocateCidrRequest): ec2.SubnetIpamOptions {
    const next: Record<string, number> = {};
    const allocatedSubnets = input.requestedSubnets.map((req) => {
      const group = req.configuration.name;
      const parent = this.groups[group];
      if (!parent) throw new Error(`address plan has no block for subnet group ${group}`);
      const mask = req.configuration.cidrMask;
      if (mask === undefined) throw new Error(`subnet group ${group} needs a cidrMask`);
      const i = next[group] ?? 0;
      next[group] = i + 1;
      return { cidr: Cidr.parse(parent).subnet(mask, i).toString() };
    });
    return { allocatedSubnets };
  }
}
