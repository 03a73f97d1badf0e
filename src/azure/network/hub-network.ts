import { ResourceGroup } from '@cdktf/provider-azurerm/lib/resource-group';
import { Subnet } from '@cdktf/provider-azurerm/lib/subnet';
import { VirtualNetwork } from '@cdktf/provider-azurerm/lib/virtual-network';
import { Construct } from 'constructs';
import { AddressPlan, HubSubnet } from '../../core/address-plan';
import { BackboneSpec } from '../../core/backbone-spec';
import { NameKind } from '../../core/naming';
import { Cloud } from '../../core/regions';

/** Props of the Azure hub network. */
export interface HubNetworkProps {
  /** The validated backbone spec. */
  readonly spec: BackboneSpec;
  /** The backbone's address plan. */
  readonly addressPlan: AddressPlan;
}

/**
 * The backbone's hub on Azure: a resource group and a hub VNet addressed from
 * the plan's hub block.
 */
export class HubNetwork extends Construct {
  public readonly resourceGroup: ResourceGroup;
  public readonly vnet: VirtualNetwork;

  constructor(scope: Construct, id: string, props: HubNetworkProps) {
    super(scope, id);
    const { spec, addressPlan: plan } = props;
    const tags = spec.tagsFor();
    const location = spec.region(Cloud.AZURE);
    this.resourceGroup = new ResourceGroup(this, 'ResourceGroup', {
      name: spec.naming.hub('network', NameKind.AZURE_RESOURCE_GROUP),
      location,
      tags,
    });
    this.vnet = new VirtualNetwork(this, 'Resource', {
      name: spec.naming.hub('vnet'),
      resourceGroupName: this.resourceGroup.name,
      location,
      addressSpace: [plan.hubBlock],
      tags,
    });
    new Subnet(this, 'EndpointsSubnet', {
      name: spec.naming.hub('endpoints'),
      resourceGroupName: this.resourceGroup.name,
      virtualNetworkName: this.vnet.name,
      addressPrefixes: [plan.hubSubnet(HubSubnet.ENDPOINTS)],
      defaultOutboundAccessEnabled: false,
    });
  }
}
