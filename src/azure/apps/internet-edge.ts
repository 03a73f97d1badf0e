import { ApplicationGateway } from '@cdktf/provider-azurerm/lib/application-gateway';
import { PublicIp } from '@cdktf/provider-azurerm/lib/public-ip';
import { WebApplicationFirewallPolicy } from '@cdktf/provider-azurerm/lib/web-application-firewall-policy';
import { Token } from 'cdktf';
import { Construct } from 'constructs';
import { applicationGateway, checkAddressesIn, checkSecretId, checkTlsPolicy, findApp, gatewaySubnet, ingressOf, requireText } from './internal';
import { AddressPlan, HubSubnet } from '../../core/address-plan';
import { BackboneSpec } from '../../core/backbone-spec';
import { Cidr } from '../../core/cidr';
import { BackboneError } from '../../core/errors';
import { Cloud } from '../../core/regions';
import { AppIngress } from '../../core/spec';
import { AzureCompliance } from '../compliance/acknowledge';

/** Props of an internet app's public edge. */
export interface InternetAppEdgeProps {
  /** The validated backbone spec. */
  readonly spec: BackboneSpec;
  /** The backbone's address plan. */
  readonly addressPlan: AddressPlan;
  /** The app (ingress `internet`). */
  readonly appName: string;
  /** The hub's resource group, as a plain name. */
  readonly resourceGroupName: string;
  /** The hub's VNet name. */
  readonly virtualNetworkName: string;
  /** The Key Vault (ARM id) holding the public certificate. */
  readonly keyVaultId: string;
  /** The public TLS certificate: versionless secret id `https://<vault>.vault.azure.net/secrets/<name>`. */
  readonly certificateSecretId: string;
  /** The hub's Log Analytics workspace (ARM id). */
  readonly logAnalyticsWorkspaceId: string;
  /**
   * The hub's immutable log archive account (ARM id).
   * @default - the workspace only
   */
  readonly logStorageAccountId?: string;
  /**
   * The app's domain; required when the app serves several trusts (each trust is `<ods>.<domainName>`).
   * @default - one trust: any host name
   */
  readonly domainName?: string;
  /**
   * The app's private addresses per trust (ODS code to addresses in its /27 there).
   * @default - empty pools
   */
  readonly backendAddresses?: { [odsCode: string]: string[] };
  /**
   * The edge's dedicated subnet in the hub VNet.
   * @default - a /26 of the hub's EGRESS /24 (unused on Azure), by the app's place among the internet apps
   */
  readonly subnetCidr?: string;
  /**
   * The port the app listens on (HTTPS).
   * @default 8443
   */
  readonly targetPort?: number;
  /**
   * Predefined TLS policy.
   * @default AppGwSslPolicy20220101S
   */
  readonly tlsPolicyName?: string;
}

/**
 * An internet app's public edge in the hub: an Application Gateway WAF_v2
 * with a public IP, HTTPS 443 only (TLS 1.2+, certificate from Key Vault), a
 * WAF policy (OWASP CRS 3.2 and Microsoft's bot rules, Prevention mode,
 * request body inspection) and one backend pool per served trust (the app's
 * private addresses in its /27 there), tagged `app=<name>` so that NHS-NET-1
 * recognises it as declared ingress. Every log to the central log store.
 *
 * CIS2 sign-in is not here: Application Gateway cannot run an OpenID Connect
 * flow. It sits on the app's App Service (Cis2SignIn, docs/azure-apps.md).
 */
export class InternetAppEdge extends Construct {
  /** The application gateway. */
  public readonly gateway: ApplicationGateway;
  /** The WAF policy. */
  public readonly wafPolicy: WebApplicationFirewallPolicy;
  /** The public IP. */
  public readonly publicIp: PublicIp;
  /** The app. */
  public readonly appName: string;
  /** The trusts the edge forwards to. */
  public readonly trusts: string[];
  /** The edge subnet's CIDR in the hub (each served trust's app subnet NSG admits it on `targetPort`). */
  public readonly subnetCidr: string;
  /** The port the edge forwards to on the app. */
  public readonly targetPort: number;
  private readonly domainName?: string;

  constructor(scope: Construct, id: string, props: InternetAppEdgeProps) {
    super(scope, id);
    const { spec, addressPlan: plan, appName } = props;
    const app = findApp(spec, appName);
    if (ingressOf(app) !== AppIngress.INTERNET) {
      throw BackboneError.of('appName', `app "${appName}" has ingress "${ingressOf(app)}": an internet edge is for apps with ingress "internet"`);
    }
    if (!spec.identity.cis2) throw BackboneError.of('identity.cis2', 'is not set: an internet app needs CIS2 sign-in (Cis2SignIn on its App Service)');
    for (const p of ['resourceGroupName', 'virtualNetworkName', 'keyVaultId', 'logAnalyticsWorkspaceId'] as const) requireText(p, props[p], `see InternetAppEdgeProps.${p}`);
    const secretName = checkSecretId('certificateSecretId', props.certificateSecretId);
    const tlsPolicy = checkTlsPolicy('tlsPolicyName', props.tlsPolicyName);
    const trusts = app.trusts ?? [];
    if (trusts.length > 1 && !props.domainName) {
      throw BackboneError.of('domainName', `is required: app "${appName}" serves ${trusts.length} trusts (each is reached at <ods>.<domainName>)`);
    }
    if (props.domainName !== undefined && !Token.isUnresolved(props.domainName) && !/^([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}$/.test(props.domainName)) {
      throw BackboneError.of('domainName', `${JSON.stringify(props.domainName)} is not a DNS name (lower case, e.g. reporting.example.nhs.uk)`);
    }
    const given = props.backendAddresses ?? {};
    for (const ods of Object.keys(given)) {
      if (!trusts.includes(ods)) throw BackboneError.of(`backendAddresses.${ods}`, `"${ods}" is not a trust app ${appName} serves (${trusts.join(', ')})`);
    }
    const egress = Cidr.parse(plan.hubSubnet(HubSubnet.EGRESS));
    const slot = spec.apps.filter((a) => ingressOf(a) === AppIngress.INTERNET).findIndex((a) => a.name === appName);
    if (props.subnetCidr === undefined && slot > 3) throw BackboneError.of('subnetCidr', `is required: the hub's EGRESS /24 holds edges for the first 4 internet apps only (${appName} is #${slot + 1})`);
    const cidr = props.subnetCidr ?? egress.subnet(26, slot).toString();
    const c = Cidr.tryParse(cidr);
    if (!c || !Cidr.parse(plan.hubBlock).contains(c) || c.prefix > 27) throw BackboneError.of('subnetCidr', `${JSON.stringify(cidr)} is not a /27 or larger block inside the hub block ${plan.hubBlock}`);
    const targetPort = props.targetPort ?? 8443;
    if (!Number.isInteger(targetPort) || targetPort < 1 || targetPort > 65535) throw BackboneError.of('targetPort', `${targetPort} is not a TCP port (1-65535)`);

    this.appName = appName;
    this.trusts = [...trusts];
    this.subnetCidr = cidr;
    this.targetPort = targetPort;
    this.domainName = props.domainName;
    const location = spec.region(Cloud.AZURE);
    const tags = { ...spec.tagsFor(), app: appName };
    const sub = gatewaySubnet(this, 'Subnet', {
      name: spec.naming.hub(`${appName}-edge`),
      nsgName: spec.naming.hub(`${appName}-edge-nsg`),
      cidr,
      resourceGroupName: props.resourceGroupName,
      virtualNetworkName: props.virtualNetworkName,
      location,
      tags,
      clientSources: ['Internet'],
    });
    AzureCompliance.acknowledge(sub.nsg, 'NHS-NET-1', `Declared internet ingress of app ${appName}: HTTPS 443 from the internet reaches only its WAF_v2 application gateway (OWASP 3.2, Prevention); the app signs users in with NHS CIS2.`);

    this.publicIp = new PublicIp(this, 'PublicIp', {
      name: spec.naming.hub(`${appName}-edge-pip`),
      resourceGroupName: props.resourceGroupName,
      location,
      allocationMethod: 'Static',
      sku: 'Standard',
      zones: ['1', '2', '3'],
      tags,
    });
    this.wafPolicy = new WebApplicationFirewallPolicy(this, 'WafPolicy', {
      name: spec.naming.hub(`${appName}-edge-waf`),
      resourceGroupName: props.resourceGroupName,
      location,
      tags,
      policySettings: {
        enabled: true,
        mode: 'Prevention',
        requestBodyCheck: true,
        maxRequestBodySizeInKb: 128,
        fileUploadLimitInMb: 100,
      },
      managedRules: {
        managedRuleSet: [
          { type: 'OWASP', version: '3.2' },
          { type: 'Microsoft_BotManagerRuleSet', version: '1.0' },
        ],
      },
    });
    this.gateway = applicationGateway(this, {
      name: spec.naming.hub(`${appName}-edge-agw`),
      identityName: spec.naming.hub(`${appName}-edge-id`),
      resourceGroupName: props.resourceGroupName,
      location,
      tags,
      subnetId: sub.subnet.id,
      sku: 'WAF_v2',
      publicIpId: this.publicIp.id,
      firewallPolicyId: this.wafPolicy.id,
      certificateSecretId: props.certificateSecretId,
      certificateSecretName: secretName,
      keyVaultId: props.keyVaultId,
      tlsPolicy,
      targetPort,
      backends: trusts.map((ods) => ({
        key: ods.toLowerCase(),
        addresses: checkAddressesIn(`backendAddresses.${ods}`, given[ods], plan.appSubnet(ods, appName), `app ${appName}'s subnet in trust ${ods}`),
        hostName: props.domainName ? this.hostNameIn(ods) : undefined,
      })),
      minCapacity: 1,
      maxCapacity: 10,
      logAnalyticsWorkspaceId: props.logAnalyticsWorkspaceId,
      logStorageAccountId: props.logStorageAccountId,
      what: `app ${appName}'s internet edge`,
    }).gateway;
  }

  /** The host name a trust's users reach the app at (`<ods>.<domainName>`, lower case), or the domain itself for one trust without one. */
  public hostNameIn(odsCode: string): string | undefined {
    if (!this.trusts.includes(odsCode)) throw BackboneError.of('odsCode', `"${odsCode}" is not a trust app ${this.appName} serves (${this.trusts.join(', ')})`);
    return this.domainName ? `${odsCode.toLowerCase()}.${this.domainName}` : undefined;
  }
}
