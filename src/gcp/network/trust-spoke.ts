import { ComputeNetwork } from '@cdktf/provider-google/lib/compute-network';
import { ComputeSubnetwork } from '@cdktf/provider-google/lib/compute-subnetwork';
import { Construct } from 'constructs';
import { AddressPlan, TrustSubnet } from '../../core/address-plan';
import { BackboneSpec } from '../../core/backbone-spec';
import { NameKind } from '../../core/naming';
import { Cloud } from '../../core/regions';

/** Props of a trust's spoke on Google Cloud. */
export interface TrustSpokeProps {
  /** The validated backbone spec. */
  readonly spec: BackboneSpec;
  /** The backbone's address plan. */
  readonly addressPlan: AddressPlan;
  /** The trust's ODS code. */
  readonly odsCode: string;
  /** The trust's project. */
  readonly projectId: string;
}

/**
 * A trust's spoke on Google Cloud: a custom-mode VPC in the trust's project,
 * addressed from the trust's block, with no default internet route.
 */
export class TrustSpoke extends Construct {
  public readonly odsCode: string;
  public readonly projectId: string;
  public readonly network: ComputeNetwork;

  constructor(scope: Construct, id: string, props: TrustSpokeProps) {
    super(scope, id);
    const { spec, addressPlan: plan, odsCode, projectId } = props;
    spec.trust(odsCode);
    this.odsCode = odsCode;
    this.projectId = projectId;
    this.network = new ComputeNetwork(this, 'Resource', {
      name: spec.naming.trust(odsCode, 'vpc', NameKind.GCP_RESOURCE),
      project: projectId,
      autoCreateSubnetworks: false,
      routingMode: 'REGIONAL',
      deleteDefaultRoutesOnCreate: true,
    });
    for (const role of [TrustSubnet.WORKLOAD, TrustSubnet.DATA]) {
      new ComputeSubnetwork(this, `${role}-subnet`, {
        name: spec.naming.trust(odsCode, role, NameKind.GCP_RESOURCE),
        project: projectId,
        region: spec.region(Cloud.GCP),
        network: this.network.id,
        ipCidrRange: plan.trustSubnet(odsCode, role),
        privateIpGoogleAccess: true,
        logConfig: { aggregationInterval: 'INTERVAL_5_SEC', flowSampling: 1, metadata: 'INCLUDE_ALL_METADATA' },
      });
    }
  }
}
