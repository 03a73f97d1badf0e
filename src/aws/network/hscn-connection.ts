import { Duration, aws_directconnect as dx, aws_ec2 as ec2, custom_resources as cr } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { CUSTOM_RESOURCE_POLICY_REASON } from './default-security-group';
import { BackboneSpec } from '../../core/backbone-spec';
import { BackboneError } from '../../core/errors';
import { HscnConnectionType } from '../../core/spec';
import { acknowledgeNag } from '../compliance/internal';

/** Props of the HSCN connection. */
export interface HscnConnectionProps {
  /** The validated backbone spec (its `network.hscn` must be set). */
  readonly spec: BackboneSpec;
  /** The hub transit gateway. */
  readonly transitGatewayId: string;
  /**
   * The attachment that traffic arriving from the HSCN is sent to (the
   * inspection VPC's), so that HSCN inbound is inspected and denied by default.
   */
  readonly hscnRouteTableDefaultAttachmentId: string;
  /** The route table the HSCN attachment propagates its BGP routes to (the hub's). */
  readonly propagateToRouteTableId: string;
  /** Prefixes the backbone advertises to the HSCN over a private circuit. */
  readonly advertisedPrefixes: string[];
}

/**
 * The backbone's connection to the HSCN network provider, on the hub transit
 * gateway, chosen by `network.hscn.connection`:
 *
 * - `vpn`: one customer gateway per provider endpoint and one site-to-site VPN
 *   per customer gateway, attached to the transit gateway, with BGP (dynamic
 *   routing, no static routes). Pre-shared keys are never in the template: they
 *   are read at deploy time from Secrets Manager (`network.hscn.sharedSecretName`).
 * - `private`: a Direct Connect gateway associated with the transit gateway and
 *   advertising the backbone's pool. The circuit itself (connection, transit
 *   virtual interface) is ordered from the HSCN provider and is not modelled.
 *
 * Either way the transit gateway attachment of the connection (which
 * CloudFormation creates implicitly and does not return) is looked up, then
 * associated with an "hscn" route table that sends everything to the
 * inspection VPC, and propagated to the hub route table.
 */
export class HscnConnection extends Construct {
  /** The route table the HSCN attachment is associated with. */
  public readonly routeTable: ec2.CfnTransitGatewayRouteTable;
  /** The VPN connections (VPN only), by peer address. */
  public readonly vpnConnections: ec2.CfnVPNConnection[] = [];
  /** The Direct Connect gateway (private only). */
  public readonly directConnectGateway?: dx.CfnDirectConnectGateway;

  constructor(scope: Construct, id: string, props: HscnConnectionProps) {
    super(scope, id);
    const { spec } = props;
    const hscn = spec.network.hscn;
    if (!hscn) throw BackboneError.of('network.hscn', 'is not set: the HSCN connection needs it');
    const connection = hscn.connection ?? HscnConnectionType.VPN;
    const naming = spec.naming;

    this.routeTable = new ec2.CfnTransitGatewayRouteTable(this, 'RouteTable', {
      transitGatewayId: props.transitGatewayId,
      tags: [{ key: 'Name', value: naming.hub('tgw-rt-hscn') }],
    });
    new ec2.CfnTransitGatewayRoute(this, 'DefaultToInspection', {
      transitGatewayRouteTableId: this.routeTable.attrTransitGatewayRouteTableId,
      destinationCidrBlock: '0.0.0.0/0',
      transitGatewayAttachmentId: props.hscnRouteTableDefaultAttachmentId,
    });

    const attachments: Array<{ id: string; resourceId: string; resourceType: string; after: Construct }> = [];
    if (connection === HscnConnectionType.VPN) {
      const peers = hscn.peerAddresses ?? [];
      if (peers.length === 0) throw BackboneError.of('network.hscn.peerAddresses', 'is empty: a VPN needs the HSCN provider\'s one or two endpoint addresses');
      const secret = hscn.sharedSecretName ?? 'hscn-vpn-psk';
      peers.forEach((address) => {
        const pid = `Peer${address.replace(/\./g, '-')}`;
        const cgw = new ec2.CfnCustomerGateway(this, `${pid}Gateway`, {
          type: 'ipsec.1',
          ipAddress: address,
          bgpAsn: hscn.peerAsn,
          tags: [{ key: 'Name', value: naming.hub(`hscn-cgw-${address.replace(/\./g, '-')}`) }],
        });
        const vpn = new ec2.CfnVPNConnection(this, `${pid}Vpn`, {
          type: 'ipsec.1',
          customerGatewayId: cgw.ref,
          transitGatewayId: props.transitGatewayId,
          staticRoutesOnly: false, // BGP
          vpnTunnelOptionsSpecifications: [1, 2].map(() => ({
            // Read from Secrets Manager at deploy time; never written in the template.
            preSharedKey: `{{resolve:secretsmanager:${secret}:SecretString}}`,
          })),
          tags: [{ key: 'Name', value: naming.hub(`hscn-vpn-${address.replace(/\./g, '-')}`) }],
        });
        this.vpnConnections.push(vpn);
        attachments.push({ id: pid, resourceId: vpn.attrVpnConnectionId, resourceType: 'vpn', after: vpn });
      });
    } else {
      this.directConnectGateway = new dx.CfnDirectConnectGateway(this, 'DirectConnectGateway', {
        directConnectGatewayName: naming.hub('hscn-dxgw'),
        amazonSideAsn: String(hscn.asn ?? 64512),
      });
      const assoc = new dx.CfnDirectConnectGatewayAssociation(this, 'DirectConnectGatewayAssociation', {
        directConnectGatewayId: this.directConnectGateway.attrDirectConnectGatewayId,
        associatedGatewayId: props.transitGatewayId,
        allowedPrefixesToDirectConnectGateway: props.advertisedPrefixes,
      });
      attachments.push({ id: 'DirectConnect', resourceId: this.directConnectGateway.attrDirectConnectGatewayId, resourceType: 'direct-connect-gateway', after: assoc });
    }

    for (const a of attachments) {
      // CloudFormation does not return the transit gateway attachment that a VPN
      // connection or Direct Connect association creates: read it back.
      const lookup = new cr.AwsCustomResource(this, `${a.id}AttachmentLookup`, {
        onUpdate: {
          service: 'EC2',
          action: 'describeTransitGatewayAttachments',
          parameters: {
            Filters: [
              { Name: 'transit-gateway-id', Values: [props.transitGatewayId] },
              { Name: 'resource-id', Values: [a.resourceId] },
              { Name: 'resource-type', Values: [a.resourceType] },
            ],
          },
          physicalResourceId: cr.PhysicalResourceId.of(`${a.resourceType}-attachment`),
          outputPaths: ['TransitGatewayAttachments.0.TransitGatewayAttachmentId'],
        },
        policy: cr.AwsCustomResourcePolicy.fromSdkCalls({ resources: cr.AwsCustomResourcePolicy.ANY_RESOURCE }),
        installLatestAwsSdk: false,
        timeout: Duration.minutes(2),
      });
      lookup.node.addDependency(a.after);
      acknowledgeNag(lookup, ['IAMNoInlinePolicy'], CUSTOM_RESOURCE_POLICY_REASON);
      const attachmentId = lookup.getResponseField('TransitGatewayAttachments.0.TransitGatewayAttachmentId');
      new ec2.CfnTransitGatewayRouteTableAssociation(this, `${a.id}Association`, {
        transitGatewayAttachmentId: attachmentId,
        transitGatewayRouteTableId: this.routeTable.attrTransitGatewayRouteTableId,
      });
      new ec2.CfnTransitGatewayRouteTablePropagation(this, `${a.id}Propagation`, {
        transitGatewayAttachmentId: attachmentId,
        transitGatewayRouteTableId: props.propagateToRouteTableId,
      });
    }
  }
}
