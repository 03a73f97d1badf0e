import { ApplicationGateway } from '@cdktf/provider-azurerm/lib/application-gateway';
import { NetworkSecurityGroup } from '@cdktf/provider-azurerm/lib/network-security-group';
import { Subnet } from '@cdktf/provider-azurerm/lib/subnet';
import { Construct } from 'constructs';
import { applicationGateway, checkAddressesIn, checkSecretId, checkTlsPolicy, findApp, gatewaySubnet, ingressOf, requireServes, requireText } from './internal';
import { AddressPlan, TrustSubnet } from '../../core/address-plan';
import { HSCN_CLIENT_RANGE } from '../../core/app-contract';
import { BackboneSpec } from '../../core/backbone-spec';
import { Cidr } from '../../core/cidr';
import { BackboneError } from '../../core/errors';
import { Cloud } from '../../core/regions';
import { AppIngress } from '../../core/spec';

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
   * The gateway's dedicated subnet (Application Gateway v2 needs one of its own).
   * @default - the trust's TRANSIT /26 (unused on Azure: peering needs no attachment subnet)
   */
  readonly subnetCidr?: string;
  /**
   * The gateway's static private address.
   * @default - the 4th address of the gateway subnet
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
    const hscn = Cidr.parse(HSCN_CLIENT_RANGE);
    const sources = props.sourceRanges ?? [HSCN_CLIENT_RANGE];
    if (sources.length === 0) throw BackboneError.of('sourceRanges', 'is empty (give at least one range inside 10.0.0.0/8)');
    sources.forEach((s, i) => {
      const c = Cidr.tryParse(s);
      if (!c || !hscn.contains(c)) throw BackboneError.of(`sourceRanges[${i}]`, `${JSON.stringify(s)} is not inside the HSCN range ${HSCN_CLIENT_RANGE}`);
    });
    const block = Cidr.parse(plan.trustBlock(odsCode));
    const cidr = props.subnetCidr ?? plan.trustSubnet(odsCode, TrustSubnet.TRANSIT);
    const subnetBlock = Cidr.tryParse(cidr);
    if (!subnetBlock || !block.contains(subnetBlock) || subnetBlock.prefix > 27) {
      throw BackboneError.of('subnetCidr', `${JSON.stringify(cidr)} is not a /27 or larger block inside trust ${odsCode}'s block ${block}`);
    }
    const privateIp = props.privateIpAddress ?? subnetBlock.address(4);
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
    const sub = gatewaySubnet(this, 'Subnet', {
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
