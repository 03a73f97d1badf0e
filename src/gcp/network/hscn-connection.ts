import { ComputeExternalVpnGateway } from '@cdktf/provider-google/lib/compute-external-vpn-gateway';
import { ComputeHaVpnGateway } from '@cdktf/provider-google/lib/compute-ha-vpn-gateway';
import { ComputeInterconnectAttachment } from '@cdktf/provider-google/lib/compute-interconnect-attachment';
import { ComputeRouter } from '@cdktf/provider-google/lib/compute-router';
import { ComputeRouterInterface } from '@cdktf/provider-google/lib/compute-router-interface';
import { ComputeRouterPeer } from '@cdktf/provider-google/lib/compute-router-peer';
import { ComputeVpnTunnel } from '@cdktf/provider-google/lib/compute-vpn-tunnel';
import { DataGoogleSecretManagerSecretVersion } from '@cdktf/provider-google/lib/data-google-secret-manager-secret-version';
import { Construct } from 'constructs';
import { bgpLinkAddresses, CLOUD_DNS_FORWARDING_RANGE } from './ids';
import { AddressPlan } from '../../core/address-plan';
import { BackboneSpec } from '../../core/backbone-spec';
import { BackboneError } from '../../core/errors';
import { NameKind } from '../../core/naming';
import { Cloud } from '../../core/regions';
import { HscnConnectionType } from '../../core/spec';

/** Props of the hub's connection to the HSCN. */
export interface HscnConnectionProps {
  /** The validated backbone spec; its `network.hscn` must be set. */
  readonly spec: BackboneSpec;
  /** The backbone's address plan. */
  readonly addressPlan: AddressPlan;
  /** The hub's project. */
  readonly projectId: string;
  /** Id (or self link) of the hub VPC network. */
  readonly networkId: string;
}

/**
 * The hub's connection to the HSCN network provider, from `spec.network.hscn`:
 *
 * - `vpn`: an HA VPN gateway, an external VPN gateway for the provider's one
 *   or two endpoints, a Cloud Router with the backbone's ASN and two tunnels
 *   (one per HA VPN interface) with a BGP session each. The pre-shared key is
 *   read from Secret Manager (`sharedSecretName` in the hub project) by a data
 *   source at plan time: it is never written into the configuration.
 * - `private`: two Partner Interconnect VLAN attachments (one per edge
 *   availability domain) on the Cloud Router; the partner completes BGP.
 *
 * The router advertises the hub's subnets, every trust's block and the Cloud
 * DNS forwarding range (35.199.192.0/19) so that the HSCN resolvers can answer
 * forwarded `nhs.uk` queries.
 */
export class HscnConnection extends Construct {
  /** The Cloud Router that holds the BGP sessions. */
  public readonly router: ComputeRouter;
  /** The HA VPN gateway (VPN only). */
  public readonly vpnGateway?: ComputeHaVpnGateway;
  /** The HSCN provider's endpoints (VPN only). */
  public readonly peerGateway?: ComputeExternalVpnGateway;
  /** The two tunnels (VPN only). */
  public readonly tunnels: ComputeVpnTunnel[] = [];
  /** The two VLAN attachments (private only). */
  public readonly attachments: ComputeInterconnectAttachment[] = [];

  constructor(scope: Construct, id: string, props: HscnConnectionProps) {
    super(scope, id);
    const { spec, projectId, networkId, addressPlan: plan } = props;
    const hscn = spec.network.hscn;
    if (!hscn) throw BackboneError.of('network.hscn', 'is not set: there is no HSCN connection to build');
    const region = spec.region(Cloud.GCP);
    const labels = spec.labelsFor();
    const name = (purpose: string) => spec.naming.hub(purpose, NameKind.GCP_RESOURCE);
    const asn = hscn.asn ?? 64512;

    this.router = new ComputeRouter(this, 'Router', {
      name: name('hscn-router'),
      project: projectId,
      region,
      network: networkId,
      bgp: {
        asn,
        advertiseMode: 'CUSTOM',
        advertisedGroups: ['ALL_SUBNETS'],
        advertisedIpRanges: [
          ...Object.values(plan.trustBlocks).map((range) => ({ range, description: 'trust block' })),
          { range: CLOUD_DNS_FORWARDING_RANGE, description: 'Cloud DNS forwarding (nhs.uk to the HSCN resolvers)' },
        ],
      },
    });

    if (hscn.connection === HscnConnectionType.PRIVATE) {
      for (const [i, domain] of ['AVAILABILITY_DOMAIN_1', 'AVAILABILITY_DOMAIN_2'].entries()) {
        this.attachments.push(new ComputeInterconnectAttachment(this, `Attachment${i + 1}`, {
          name: name(`hscn-vlan${i + 1}`),
          project: projectId,
          region,
          router: this.router.id,
          type: 'PARTNER',
          edgeAvailabilityDomain: domain,
          adminEnabled: true,
          labels,
        }));
      }
      return;
    }

    const peers = hscn.peerAddresses ?? [];
    if (peers.length === 0) {
      throw BackboneError.of('network.hscn.peerAddresses', 'is empty: a VPN needs the HSCN provider\'s one or two endpoint addresses');
    }
    const secret = new DataGoogleSecretManagerSecretVersion(this, 'SharedSecret', {
      project: projectId,
      secret: hscn.sharedSecretName ?? 'hscn-vpn-psk',
    });
    this.vpnGateway = new ComputeHaVpnGateway(this, 'Gateway', {
      name: name('hscn-vpn'),
      project: projectId,
      region,
      network: networkId,
      labels,
    });
    this.peerGateway = new ComputeExternalVpnGateway(this, 'PeerGateway', {
      name: name('hscn-peer'),
      project: projectId,
      redundancyType: peers.length === 2 ? 'TWO_IPS_REDUNDANCY' : 'SINGLE_IP_INTERNALLY_REDUNDANT',
      interface: peers.map((ipAddress, i) => ({ id: i, ipAddress })),
      labels,
    });
    for (const i of [0, 1]) {
      const n = i + 1;
      const tunnel = new ComputeVpnTunnel(this, `Tunnel${n}`, {
        name: name(`hscn-tunnel${n}`),
        project: projectId,
        region,
        vpnGateway: this.vpnGateway.id,
        vpnGatewayInterface: i,
        peerExternalGateway: this.peerGateway.id,
        peerExternalGatewayInterface: peers.length === 2 ? i : 0,
        sharedSecret: secret.secretData,
        router: this.router.id,
        ikeVersion: 2,
        labels,
      });
      this.tunnels.push(tunnel);
      const link = bgpLinkAddresses(i);
      const iface = new ComputeRouterInterface(this, `Interface${n}`, {
        name: name(`hscn-if${n}`),
        project: projectId,
        region,
        router: this.router.name,
        ipRange: link.range,
        vpnTunnel: tunnel.name,
      });
      new ComputeRouterPeer(this, `Peer${n}`, {
        name: name(`hscn-bgp${n}`),
        project: projectId,
        region,
        router: this.router.name,
        interface: iface.name,
        ipAddress: link.local,
        peerIpAddress: link.peer,
        peerAsn: hscn.peerAsn,
      });
    }
  }
}
