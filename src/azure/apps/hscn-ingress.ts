import { ApplicationGateway } from '@cdktf/provider-azurerm/lib/application-gateway';
import { NetworkSecurityGroup } from '@cdktf/provider-azurerm/lib/network-security-group';
import { Subnet } from '@cdktf/provider-azurerm/lib/subnet';
import { Construct } from 'constructs';
import { applicationGateway, checkAddressesIn, checkSecretId, checkTlsPolicy, findApp, gatewaySubnet, ingressOf, requireServes, requireText } from './internal';
import { AddressPlan } from '../../core/address-plan';
import { HSCN_CLIENT_RANGE } from '../../core/app-contract';
import { BackboneSpec } from '../../core/backbone-spec';
import { Cidr } from '../../core/cidr';
import { BackboneError } from '../../core/errors';
import { Cloud } from '../../core/regions';
import { AppIngress } from '../../core/spec';
import { hscnAppGatewaySubnet } from '../network/hub-names';

/** The NHS range on the HSCN: the only clients an HSCN ingress admits by default. */
export { HSCN_CLIENT_RANGE };

/** Props of an app's HSCN ingress in one trust. */
export interface HscnAppIngressProps {
  /** The validated backbone spec. */
  readonly spec: BackboneSpec;
  /** The backbone's address plan (the app's /27 and the gateway subnet come from it). */
  readonly addressPlan: AddressPlan;
  /** The app (ingress `hscn`). */
  readonly appName: string;
  /** The trust; the app must serve it. */
  readonly odsCode: string;
  /** The trust's resource group (the spoke's), as a plain name. */
  readonly resourceGroupName: string;
  /** The trust spoke's VNet name. */
  readonly virtualNetworkName: string;
  /** The spoke's route table (0.0.0.0/0 to the hub firewall), so HSCN replies go back through the firewall. */
  readonly routeTableId: string;
  /** The trust's Key Vault (ARM id), holding the certificate. */
  readonly keyVaultId: string;
  /** The TLS certificate: versionless secret id `https://<vault>.vault.azure.net/secrets/<name>` in the trust's vault. */
  readonly certificateSecretId: string;
  /** The hub's Log Analytics workspace (ARM id). */
  readonly logAnalyticsWorkspaceId: string;
  /**
   * The hub's immutable log archive account (ARM id).
   * @default - the workspace only
   */
  readonly logStorageAccountId?: string;
  /**
   * A gateway subnet shared by the trust's HSCN apps (HscnGatewaySubnet, as
   * the Backbone makes one per trust); `subnetCidr` and `sourceRanges` are
   * then the shared subnet's.
   * @default - a dedicated subnet of the gateway's own (`subnetCidr`)
   */
  readonly gatewaySubnet?: HscnGatewaySubnet;
  /**
   * The gateway's dedicated subnet (Application Gateway v2 needs one of its own).
   * @default - the trust's TRANSIT /26 (unused on Azure: peering needs no attachment subnet)
   */
  readonly subnetCidr?: string;
  /**
   * The gateway's static private address.
   * @default - in a shared `gatewaySubnet`, an address from the top of the subnet down by the
   *   app's address slot; in a dedicated subnet, its 4th address
   */
  readonly privateIpAddress?: string;
  /**
   * Client ranges admitted on 443, each inside 10.0.0.0/8.
   * @default ["10.0.0.0/8"]
   */
  readonly sourceRanges?: string[];
  /**
   * The app's private addresses, all in its /27 in the trust.
   * @default - none yet (an empty pool)
   */
  readonly backendAddresses?: string[];
  /**
   * The port the app listens on (HTTPS).
   * @default 8443
   */
  readonly targetPort?: number;
  /**
   * The host name the gateway sends to the app and checks its certificate against.
   * @default - the backend's address
   */
  readonly backendHostName?: string;
  /**
   * Predefined TLS policy.
   * @default AppGwSslPolicy20220101S
   */
  readonly tlsPolicyName?: string;
}

/**
 * An app's ingress from the HSCN in one trust: an internal Application
 * Gateway v2 (Standard_v2) with a private frontend only (no public IP) in a
 * dedicated subnet of the trust's spoke, HTTPS 443 only with a TLS 1.2+ policy
 * and the trust's certificate from Key Vault, HTTPS on to the app's addresses
 * in its /27, every log to the central log store. The subnet's NSG admits 443
 * from the HSCN range only (plus the v2 control plane and health probes), and
 * its route table sends replies back through the hub firewall.
 */
export class HscnAppIngress extends Construct {
  /** The application gateway. */
  public readonly gateway: ApplicationGateway;
  /** Its dedicated subnet. */
  public readonly subnet: Subnet;
  /** The subnet's NSG. */
  public readonly networkSecurityGroup: NetworkSecurityGroup;
  /** The private address HSCN clients reach. */
  public readonly privateIpAddress: string;
  /** The gateway subnet's CIDR (the app subnet's NSG admits it on `targetPort`). */
  public readonly subnetCidr: string;
  /** The port the gateway forwards to on the app. */
  public readonly targetPort: number;
  /** The app. */
  public readonly appName: string;
  /** The trust. */
  public readonly odsCode: string;

  constructor(scope: Construct, id: string, props: HscnAppIngressProps) {
    super(scope, id);
    const { spec, addressPlan: plan, appName, odsCode } = props;
    const app = findApp(spec, appName);
    requireServes(spec, app, odsCode);
    if (ingressOf(app) !== AppIngress.HSCN) {
      throw BackboneError.of('appName', `app "${appName}" has ingress "${ingressOf(app)}": an HSCN ingress is for apps with ingress "hscn"`);
    }
    for (const p of ['resourceGroupName', 'virtualNetworkName', 'routeTableId', 'keyVaultId', 'logAnalyticsWorkspaceId'] as const) requireText(p, props[p], `see HscnAppIngressProps.${p}`);
    const secretName = checkSecretId('certificateSecretId', props.certificateSecretId);
    const tlsPolicy = checkTlsPolicy('tlsPolicyName', props.tlsPolicyName);
    const shared = props.gatewaySubnet;
    if (shared) {
      if (shared.odsCode !== odsCode) throw BackboneError.of('gatewaySubnet', `is trust ${shared.odsCode}'s, not trust ${odsCode}'s`);
      if (props.subnetCidr !== undefined) throw BackboneError.of('subnetCidr', 'is given with gatewaySubnet: the shared subnet has its own address range');
      if (props.sourceRanges !== undefined) throw BackboneError.of('sourceRanges', 'is given with gatewaySubnet: the shared subnet\'s NSG admits its own sourceRanges');
    }
    const sources = shared ? shared.sourceRanges : checkHscnSources(props.sourceRanges);
    const cidr = shared ? shared.cidr : checkGatewaySubnetCidr(plan, odsCode, props.subnetCidr);
    const subnetBlock = Cidr.parse(cidr);
    const privateIp = props.privateIpAddress ?? (shared ? topDownAddress(plan, subnetBlock, appName) : subnetBlock.address(4));
    checkAddressesIn('privateIpAddress', [privateIp], cidr, 'the gateway subnet');
    const appCidr = plan.appSubnet(odsCode, appName);
    const backends = checkAddressesIn('backendAddresses', props.backendAddresses, appCidr, `app ${appName}'s subnet in trust ${odsCode}`);
    const targetPort = props.targetPort ?? 8443;
    if (!Number.isInteger(targetPort) || targetPort < 1 || targetPort > 65535) throw BackboneError.of('targetPort', `${targetPort} is not a TCP port (1-65535)`);

    this.appName = appName;
    this.odsCode = odsCode;
    this.privateIpAddress = privateIp;
    const location = spec.region(Cloud.AZURE);
    const tags = { ...spec.tagsFor(odsCode), app: appName };
    const sub = shared ? { subnet: shared.subnet, nsg: shared.networkSecurityGroup } : gatewaySubnet(this, 'Subnet', {
      name: spec.naming.trust(odsCode, `${appName}-agw`),
      nsgName: spec.naming.trust(odsCode, `${appName}-agw-nsg`),
      cidr,
      resourceGroupName: props.resourceGroupName,
      virtualNetworkName: props.virtualNetworkName,
      location,
      tags,
      clientSources: sources,
      routeTableId: props.routeTableId,
    });
    this.subnet = sub.subnet;
    this.networkSecurityGroup = sub.nsg;
    this.subnetCidr = cidr;
    this.targetPort = targetPort;
    this.gateway = applicationGateway(this, {
      name: spec.naming.trust(odsCode, `${appName}-hscn-agw`),
      identityName: spec.naming.trust(odsCode, `${appName}-agw-id`),
      resourceGroupName: props.resourceGroupName,
      location,
      tags,
      subnetId: sub.subnet.id,
      sku: 'Standard_v2',
      privateIp,
      certificateSecretId: props.certificateSecretId,
      certificateSecretName: secretName,
      keyVaultId: props.keyVaultId,
      tlsPolicy,
      targetPort,
      backendHostName: props.backendHostName,
      backends: [{ key: odsCode.toLowerCase(), addresses: backends }],
      minCapacity: 1,
      maxCapacity: 4,
      logAnalyticsWorkspaceId: props.logAnalyticsWorkspaceId,
      logStorageAccountId: props.logStorageAccountId,
      what: `app ${appName}'s HSCN ingress in trust ${odsCode}`,
    }).gateway;
  }
}

/** Props of the subnet a trust's HSCN application gateways share. */
export interface HscnGatewaySubnetProps {
  /** The validated backbone spec. */
  readonly spec: BackboneSpec;
  /** The backbone's address plan. */
  readonly addressPlan: AddressPlan;
  /** The trust. */
  readonly odsCode: string;
  /** The trust's resource group (the spoke's), as a plain name. */
  readonly resourceGroupName: string;
  /** The trust spoke's VNet name. */
  readonly virtualNetworkName: string;
  /** The spoke's route table (0.0.0.0/0 to the hub firewall), so HSCN replies go back through the firewall. */
  readonly routeTableId: string;
  /**
   * The subnet's range.
   * @default - the trust's TRANSIT /26 (unused on Azure: peering needs no attachment subnet)
   */
  readonly subnetCidr?: string;
  /**
   * Client ranges admitted on 443, each inside 10.0.0.0/8.
   * @default ["10.0.0.0/8"]
   */
  readonly sourceRanges?: string[];
}

/**
 * The subnet a trust's HSCN application gateways share (Application Gateway
 * v2 allows several v2 gateways in one subnet): on the spoke's route table,
 * with a deny-by-default NSG admitting 443 from the HSCN range only, plus the
 * v2 control plane (GatewayManager) and health probes. Each gateway takes a
 * static frontend address from the top of the subnet down (by its app's
 * address slot); instances take addresses from the bottom.
 */
export class HscnGatewaySubnet extends Construct {
  /** The subnet. */
  public readonly subnet: Subnet;
  /** Its NSG. */
  public readonly networkSecurityGroup: NetworkSecurityGroup;
  /** Its range. */
  public readonly cidr: string;
  /** The trust. */
  public readonly odsCode: string;
  /** The client ranges its NSG admits on 443. */
  public readonly sourceRanges: string[];

  constructor(scope: Construct, id: string, props: HscnGatewaySubnetProps) {
    super(scope, id);
    const { spec, addressPlan: plan, odsCode } = props;
    spec.trust(odsCode);
    for (const p of ['resourceGroupName', 'virtualNetworkName', 'routeTableId'] as const) requireText(p, props[p], `see HscnGatewaySubnetProps.${p}`);
    this.odsCode = odsCode;
    this.sourceRanges = checkHscnSources(props.sourceRanges);
    this.cidr = checkGatewaySubnetCidr(plan, odsCode, props.subnetCidr);
    const sub = gatewaySubnet(this, 'Resource', {
      name: spec.naming.trust(odsCode, 'hscn-agw'),
      nsgName: spec.naming.trust(odsCode, 'hscn-agw-nsg'),
      cidr: this.cidr,
      resourceGroupName: props.resourceGroupName,
      virtualNetworkName: props.virtualNetworkName,
      location: spec.region(Cloud.AZURE),
      tags: spec.tagsFor(odsCode),
      clientSources: this.sourceRanges,
      routeTableId: props.routeTableId,
    });
    this.subnet = sub.subnet;
    this.networkSecurityGroup = sub.nsg;
  }
}

function checkHscnSources(given: string[] | undefined): string[] {
  const hscn = Cidr.parse(HSCN_CLIENT_RANGE);
  const sources = given ?? [HSCN_CLIENT_RANGE];
  if (sources.length === 0) throw BackboneError.of('sourceRanges', 'is empty (give at least one range inside 10.0.0.0/8)');
  sources.forEach((s, i) => {
    const c = Cidr.tryParse(s);
    if (!c || !hscn.contains(c)) throw BackboneError.of(`sourceRanges[${i}]`, `${JSON.stringify(s)} is not inside the HSCN range ${HSCN_CLIENT_RANGE}`);
  });
  return [...sources];
}

function checkGatewaySubnetCidr(plan: AddressPlan, odsCode: string, given: string | undefined): string {
  const block = Cidr.parse(plan.trustBlock(odsCode));
  const cidr = given ?? hscnAppGatewaySubnet(plan, odsCode);
  const subnetBlock = Cidr.tryParse(cidr);
  if (!subnetBlock || !block.contains(subnetBlock) || subnetBlock.prefix > 27) {
    throw BackboneError.of('subnetCidr', `${JSON.stringify(cidr)} is not a /27 or larger block inside trust ${odsCode}'s block ${block}`);
  }
  return cidr;
}

/** An app's frontend address in a shared subnet: from the top down by its address slot. */
function topDownAddress(plan: AddressPlan, subnet: Cidr, appName: string): string {
  const slot = plan.lock.apps[appName];
  if (slot === undefined || subnet.size - 2 - slot < 4) throw BackboneError.of('privateIpAddress', `is required: app ${appName} has no free address slot in the gateway subnet ${subnet}`);
  return subnet.address(subnet.size - 2 - slot);
}
