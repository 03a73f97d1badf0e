import { aws_ec2 as ec2 } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { PlanIpAddresses } from './plan-ip-addresses';
import { AWS_AZS } from './zones';
import { AddressPlan, HubSubnet } from '../../core/address-plan';
import { BackboneSpec } from '../../core/backbone-spec';

/** Props of the hub network. */
export interface HubNetworkProps {
  /** The validated backbone spec. */
  readonly spec: BackboneSpec;
  /** The backbone's address plan. */
  readonly addressPlan: AddressPlan;
}

/**
 * The backbone's hub on AWS: one VPC holding the shared services, addressed
 * from the plan's hub block.
 */
export class HubNetwork extends Construct {
  /** The hub VPC. */
  public readonly vpc: ec2.Vpc;

  constructor(scope: Construct, id: string, props: HubNetworkProps) {
    super(scope, id);
    const { spec, addressPlan: plan } = props;
    this.vpc = new ec2.Vpc(this, 'Resource', {
      vpcName: spec.naming.hub('vpc'),
      ipAddresses: new PlanIpAddresses(plan.hubBlock, {
        endpoints: plan.hubSubnet(HubSubnet.ENDPOINTS),
        dns: plan.hubSubnet(HubSubnet.DNS),
      }),
      availabilityZones: AWS_AZS(spec),
      natGateways: 0,
      subnetConfiguration: [
        { name: 'endpoints', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 26 },
        { name: 'dns', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 28 },
      ],
    });
  }
}
