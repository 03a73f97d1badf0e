import { ResourceGroup } from '@cdktf/provider-azurerm/lib/resource-group';
import { Subnet } from '@cdktf/provider-azurerm/lib/subnet';
import { VirtualNetwork } from '@cdktf/provider-azurerm/lib/virtual-network';
import { Construct } from 'constructs';
import { AddressPlan, TrustSubnet } from '../../core/address-plan';
import { BackboneSpec } from '../../core/backbone-spec';
import { NameKind } from '../../core/naming';
import { Cloud } from '../../core/regions';

/** Props of a trust's spoke on Azure. */
export interface TrustSpokeProps {
  /** The validated backbone spec. */
  readonly spec: BackboneSpec;
  /** The backbone's address plan. */
  readonly addressPlan: AddressPlan;
  /** The trust's ODS code. */
  readonly odsCode: string;
}

/**
 * A trust's spoke on Azure: its own resource group and a VNet addressed from
 * the trust's block, with default outbound access off on every subnet.
 */
export class TrustSpoke extends Construct {
  public readonly odsCode: string;
  public readonly resourceGroup: ResourceGroup;
  public readonly vnet: VirtualNetwork;

  constructor(scope: Construct, id: string, props: TrustSpokeProps) {
    super(scope, id);
    const { spec, addressPlan: plan, odsCode } = props;
    spec.trust(odsCode);
    this.odsCode = odsCode;
    const tags = spec.tagsFor(odsCode);
    const location = spec.region(Cloud.AZURE);
    this.resourceGroup = new ResourceGroup(this, 'ResourceGroup', {
      name: spec.naming.trust(odsCode, 'network', NameKind.AZURE_RESOURCE_GROUP),
      location,
      tags,
    });
    this.vnet = new VirtualNetwork(this, 'Resource', {
      name: spec.naming.trust(odsCode, 'vnet'),
      resourceGroupName: this.resourceGroup.name,
      location,
      addressSpace: [plan.trustBlock(odsCode)],
      tags,
    });
    for (const role of [TrustSubnet.WORKLOAD, TrustSubnet.DATA]) {
      new Subnet(this, `${role}-subnet`, {
        name: spec.naming.trust(odsCode, role),
        resourceGroupName: this.resourceGroup.name,
        virtualNetworkName: this.vnet.name,
        addressPrefixes: [plan.trustSubnet(odsCode, role)],
        defaultOutboundAccessEnabled: false,
      });
    }
  }
}
