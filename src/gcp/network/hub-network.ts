import { ComputeNetwork } from '@cdktf/provider-google/lib/compute-network';
import { ComputeSubnetwork } from '@cdktf/provider-google/lib/compute-subnetwork';
import { Construct } from 'constructs';
import { AddressPlan, HubSubnet } from '../../core/address-plan';
import { BackboneSpec } from '../../core/backbone-spec';
import { NameKind } from '../../core/naming';
import { Cloud } from '../../core/regions';

/** Props of the Google Cloud hub network. */
export interface HubNetworkProps {
  /** The validated backbone spec. */
  readonly spec: BackboneSpec;
  /** The backbone's address plan. */
  readonly addressPlan: AddressPlan;
  /** The hub's project. */
  readonly projectId: string;
}

/**
 * The backbone's hub on Google Cloud: a custom-mode VPC in the hub project,
 * addressed from the plan's hub block, with Private Google Access and flow logs.
 */
export class HubNetwork extends Construct {
  public readonly network: ComputeNetwork;
  public readonly projectId: string;

  constructor(scope: Construct, id: string, props: HubNetworkProps) {
    super(scope, id);
    const { spec, addressPlan: plan, projectId } = props;
    this.projectId = projectId;
    this.network = new ComputeNetwork(this, 'Resource', {
      name: spec.naming.hub('vpc', NameKind.GCP_RESOURCE),
      project: projectId,
      autoCreateSubnetworks: false,
      routingMode: 'GLOBAL',
      deleteDefaultRoutesOnCreate: true,
    });
    new ComputeSubnetwork(this, 'EndpointsSubnet', {
      name: spec.naming.hub('endpoints', NameKind.GCP_RESOURCE),
      project: projectId,
      region: spec.region(Cloud.GCP),
      network: this.network.id,
      ipCidrRange: plan.hubSubnet(HubSubnet.ENDPOINTS),
      privateIpGoogleAccess: true,
      logConfig: { aggregationInterval: 'INTERVAL_5_SEC', flowSampling: 1, metadata: 'INCLUDE_ALL_METADATA' },
    });
  }
}
