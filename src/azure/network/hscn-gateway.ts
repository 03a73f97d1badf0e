import { DataAzurermKeyVault } from '@cdktf/provider-azurerm/lib/data-azurerm-key-vault';
import { DataAzurermKeyVaultSecret } from '@cdktf/provider-azurerm/lib/data-azurerm-key-vault-secret';
import { LocalNetworkGateway } from '@cdktf/provider-azurerm/lib/local-network-gateway';
import { PublicIp } from '@cdktf/provider-azurerm/lib/public-ip';
import { VirtualNetworkGateway } from '@cdktf/provider-azurerm/lib/virtual-network-gateway';
import { VirtualNetworkGatewayConnection } from '@cdktf/provider-azurerm/lib/virtual-network-gateway-connection';
import { Construct } from 'constructs';
import { NetworkLogStore } from './log-store';
import { AzureKeyVaultRef } from './types';
import { BackboneSpec } from '../../core/backbone-spec';
import { BackboneError } from '../../core/errors';
import { NameKind } from '../../core/naming';
import { Cloud } from '../../core/regions';
import { HscnConnectionType } from '../../core/spec';

/** Props of the hub's gateway to the HSCN. */
export interface HscnGatewayProps {
  /** The validated backbone spec; it must have `network.hscn`. */
  readonly spec: BackboneSpec;
  /** The hub's resource group. */
  readonly resourceGroupName: string;
  /** ID of GatewaySubnet. */
  readonly subnetId: string;
  /** Where diagnostics go. */
  readonly logStore: NetworkLogStore;
  /**
   * The Key Vault holding the VPN pre-shared key (secret `network.hscn.sharedSecretName`).
   * @default - HscnGateway.defaultKeyVault(spec)
   */
  readonly keyVault?: AzureKeyVaultRef;
}

/**
 * The hub's gateway to the HSCN network provider.
 *
 * - `vpn`: a route-based, zone-redundant VPN gateway (VpnGw2AZ) with BGP on
 *   the spec's ASN, one local network gateway per provider endpoint (BGP with
 *   the provider's ASN) and an IKEv2 connection to each, whose pre-shared key
 *   is read from Key Vault at deploy time (a data source, never a literal).
 *   Its Standard static public IP is the backbone's address for IPsec to the provider.
 * - `private`: an ExpressRoute gateway (ErGw1AZ). The circuit is provisioned
 *   by the HSCN provider; its connection is made once the provider hands over
 *   the circuit and authorisation key.
 */
export class HscnGateway extends Construct {
  /** The Key Vault the pre-shared key is read from by default. */
  public static defaultKeyVault(spec: BackboneSpec): AzureKeyVaultRef {
    return {
      name: spec.naming.hub('secrets', NameKind.AZURE_KEY_VAULT),
      resourceGroupName: spec.naming.hub('security', NameKind.AZURE_RESOURCE_GROUP),
    };
  }

  public readonly gateway: VirtualNetworkGateway;
  public readonly publicIp: PublicIp;
  public readonly connectionType: HscnConnectionType;

  constructor(scope: Construct, id: string, props: HscnGatewayProps) {
    super(scope, id);
    const { spec, resourceGroupName } = props;
    const hscn = spec.network.hscn;
    if (!hscn) throw BackboneError.of('network.hscn', 'is not set: a gateway to the HSCN needs the provider\'s details');
    const connection = hscn.connection ?? HscnConnectionType.VPN;
    this.connectionType = connection;
    const tags = spec.tagsFor();
    const location = spec.region(Cloud.AZURE);
    const vpn = connection === HscnConnectionType.VPN;

    this.publicIp = new PublicIp(this, 'PublicIp', {
      name: spec.naming.hub(vpn ? 'vpngw-pip' : 'ergw-pip'),
      resourceGroupName,
      location,
      sku: 'Standard',
      allocationMethod: 'Static',
      zones: ['1', '2', '3'],
      tags,
    });
    this.gateway = new VirtualNetworkGateway(this, 'Resource', {
      name: spec.naming.hub(vpn ? 'vpngw' : 'ergw'),
      resourceGroupName,
      location,
      type: vpn ? 'Vpn' : 'ExpressRoute',
      ...(vpn ? {
        vpnType: 'RouteBased',
        sku: 'VpnGw2AZ',
        generation: 'Generation2',
        activeActive: false,
        enableBgp: true,
        bgpSettings: { asn: hscn.asn },
      } : { sku: 'ErGw1AZ' }),
      ipConfiguration: [{
        name: 'gateway',
        subnetId: props.subnetId,
        publicIpAddressId: this.publicIp.id,
        privateIpAddressAllocation: 'Dynamic',
      }],
      tags,
    });
    props.logStore.diagnose(this, 'Diagnostics', this.gateway.id);
    if (!vpn) return;

    const kv = props.keyVault ?? HscnGateway.defaultKeyVault(spec);
    const vault = new DataAzurermKeyVault(this, 'KeyVault', { name: kv.name, resourceGroupName: kv.resourceGroupName });
    const psk = new DataAzurermKeyVaultSecret(this, 'SharedKey', {
      name: hscn.sharedSecretName ?? 'hscn-vpn-psk',
      keyVaultId: vault.id,
    });
    for (const peer of hscn.peerAddresses ?? []) {
      const key = peer.replace(/\./g, '-');
      const local = new LocalNetworkGateway(this, `Peer-${key}`, {
        name: spec.naming.hub(`hscn-${key}`),
        resourceGroupName,
        location,
        gatewayAddress: peer,
        bgpSettings: { asn: hscn.peerAsn, bgpPeeringAddress: peer },
        tags,
      });
      new VirtualNetworkGatewayConnection(this, `Connection-${key}`, {
        name: spec.naming.hub(`hscn-${key}-conn`),
        resourceGroupName,
        location,
        type: 'IPsec',
        connectionProtocol: 'IKEv2',
        virtualNetworkGatewayId: this.gateway.id,
        localNetworkGatewayId: local.id,
        enableBgp: true,
        sharedKey: psk.value,
        tags,
      });
    }
  }
}
