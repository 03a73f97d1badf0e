import { aws_ec2 as ec2 } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { PlanIpAddresses } from './plan-ip-addresses';
import { AWS_AZS } from './zones';
import { AddressPlan, TrustSubnet } from '../../core/address-plan';
import { BackboneSpec } from '../../core/backbone-spec';

/** Props of a trust's spoke. */
export interface TrustSpokeProps {
  /** The validated backbone spec. */
  readonly spec: BackboneSpec;
  /** The backbone's address plan. */
  readonly addressPlan: AddressPlan;
  /** The trust's ODS code. */
  readonly odsCode: string;
}

/**
 * A trust's spoke on AWS: a VPC addressed from the trust's block, with no
 * internet gateway and no public subnet.
 */
export class TrustSpoke extends Construct {
  /** The spoke VPC. */
  public readonly vpc: ec2.Vpc;
  /** The trust's ODS code. */
  public readonly odsCode: string;

  constructor(scope: Construct, id: string, props: TrustSpokeProps) {
    super(scope, id);
    const { spec, addressPlan: plan, odsCode } = props;
    spec.trust(odsCode);
    this.odsCode = odsCode;
    this.vpc = new ec2.Vpc(this, 'Resource', {
      vpcName: spec.naming.trust(odsCode, 'vpc'),
      ipAddresses: new PlanIpAddresses(plan.trustBlock(odsCode), {
        workload: plan.trustSubnet(odsCode, TrustSubnet.WORKLOAD),
        data: plan.trustSubnet(odsCode, TrustSubnet.DATA),
        transit: plan.trustSubnet(odsCode, TrustSubnet.TRANSIT),
      }),
      availabilityZones: AWS_AZS(spec),
      natGateways: 0,
      subnetConfiguration: [
        { name: 'workload', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 26 },
        { name: 'data', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 27 },
        { name: 'transit', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 28 },
      ],
    });
  }
}
