import { ApplicationGateway } from '@cdktf/provider-azurerm/lib/application-gateway';
import { PublicIp } from '@cdktf/provider-azurerm/lib/public-ip';
import { WebApplicationFirewallPolicy } from '@cdktf/provider-azurerm/lib/web-application-firewall-policy';
import { Token } from 'cdktf';
import { Construct } from 'constructs';
import { applicationGateway, checkAddressesIn, checkEdgeSubnet, checkSecretId, checkTlsPolicy, defaultEdgeSubnet, findApp, gatewaySubnet, ingressOf, requireText } from './internal';
import { AddressPlan } from '../../core/address-plan';
import { shardTrustsBySlot } from '../../core/app-contract';
import { BackboneSpec } from '../../core/backbone-spec';
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
   * The edge's dedicated subnet in the hub VNet, shared by all its gateways:
   * a /27 or larger block of the hub block outside the hub's own subnets
   * (its EGRESS /24, unused on Azure, is allowed).
   * @default - a /26 of the hub's EGRESS /24, by the app's place among the internet apps (the first 4 only)
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
 * Sharding: Application Gateway v2 holds at most 100 backend pools (and
 * in practice 100 listeners and rules), so an app serving more than
 * `MAX_TRUSTS_PER_GATEWAY` trusts gets ceil(n/100) gateways (`gateways`),
 * each with its own public IP and identity, all in the one edge subnet and
 * all under the one WAF policy. A trust's gateway is fixed by its rank in
 * address-lock slot order among the trusts the app serves (`gatewayIndexOf`):
 * a trust new to the backbone takes a slot after every slot ever used, so
 * adding it never moves another trust. Removing a trust shifts the trusts
 * after it by one place (at most one per gateway boundary moves to the
 * previous gateway; its DNS record must follow: `publicIpOf`). The first
 * gateway keeps the names and construct ids of the single-gateway edge.
 *
 * CIS2 sign-in is not here: Application Gateway cannot run an OpenID Connect
 * flow. It sits on the app's App Service (Cis2SignIn, docs/azure-apps.md).
 */
export class InternetAppEdge extends Construct {
  /** The most trusts (backend pools, host listeners and routing rules) one gateway of an edge carries: Application Gateway v2's limit of 100 backend pools. */
  public static readonly MAX_TRUSTS_PER_GATEWAY = 100;
  /** The most instances one gateway of an edge scales out to (fewer when several gateways share a small subnet). */
  public static readonly MAX_INSTANCES_PER_GATEWAY = 10;

  /** The first application gateway (the only one for an app serving at most 100 trusts). */
  public readonly gateway: ApplicationGateway;
  /** Every application gateway of the edge, the first being `gateway`: ceil(trusts / 100). */
  public readonly gateways: ApplicationGateway[];
  /** The WAF policy, associated with every gateway. */
  public readonly wafPolicy: WebApplicationFirewallPolicy;
  /** The first gateway's public IP. */
  public readonly publicIp: PublicIp;
  /** Every gateway's public IP, in the order of `gateways`. */
  public readonly publicIps: PublicIp[];
  /** The autoscale maximum of each gateway: at most 10, and gateways x maximum fits the edge subnet's usable addresses. */
  public readonly maxCapacityPerGateway: number;
  /** The app. */
  public readonly appName: string;
  /** The trusts the edge forwards to. */
  public readonly trusts: string[];
  /** The edge subnet's CIDR in the hub (each served trust's app subnet NSG admits it on `targetPort`). */
  public readonly subnetCidr: string;
  /** The port the edge forwards to on the app. */
  public readonly targetPort: number;
  private readonly domainName?: string;
  private readonly shards: string[][];

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
    const cidr = props.subnetCidr ?? defaultEdgeSubnet('subnetCidr', spec, plan, appName);
    const c = checkEdgeSubnet('subnetCidr', cidr, plan);
    const shards = shardTrustsBySlot(trusts, plan, InternetAppEdge.MAX_TRUSTS_PER_GATEWAY);
    // Each v2 instance takes one address of the subnet (the frontends are public); Azure keeps 5.
    const usable = c.size - 5;
    const maxCapacity = Math.min(InternetAppEdge.MAX_INSTANCES_PER_GATEWAY, Math.floor(usable / shards.length));
    if (maxCapacity < 2) {
      let prefix = c.prefix;
      while (prefix > 16 && 2 ** (32 - prefix) - 5 < 2 * shards.length) prefix--;
      throw BackboneError.of('subnetCidr', `${cidr} has ${usable} usable addresses, too few for the ${shards.length} gateways of app ${appName} (${trusts.length} trusts, at most ${InternetAppEdge.MAX_TRUSTS_PER_GATEWAY} each) with 2 instances each: give a /${prefix} or larger`);
    }
    const targetPort = props.targetPort ?? 8443;
    if (!Number.isInteger(targetPort) || targetPort < 1 || targetPort > 65535) throw BackboneError.of('targetPort', `${targetPort} is not a TCP port (1-65535)`);

    this.appName = appName;
    this.trusts = [...trusts];
    this.subnetCidr = cidr;
    this.targetPort = targetPort;
    this.domainName = props.domainName;
    this.shards = shards;
    this.maxCapacityPerGateway = maxCapacity;
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
    const gateways: ApplicationGateway[] = [];
    const publicIps: PublicIp[] = [];
    shards.forEach((members, index) => {
      // The first gateway keeps the single-gateway edge's construct ids and names.
      const parent = index === 0 ? this : new Construct(this, `Gateway${index + 1}`);
      const edge = index === 0 ? `${appName}-edge` : `${appName}-edge${index + 1}`;
      const publicIp = new PublicIp(parent, 'PublicIp', {
        name: spec.naming.hub(`${edge}-pip`),
        resourceGroupName: props.resourceGroupName,
        location,
        allocationMethod: 'Static',
        sku: 'Standard',
        zones: ['1', '2', '3'],
        tags,
      });
      gateways.push(applicationGateway(parent, {
        name: spec.naming.hub(`${edge}-agw`),
        identityName: spec.naming.hub(`${edge}-id`),
        resourceGroupName: props.resourceGroupName,
        location,
        tags,
        subnetId: sub.subnet.id,
        sku: 'WAF_v2',
        publicIpId: publicIp.id,
        firewallPolicyId: this.wafPolicy.id,
        certificateSecretId: props.certificateSecretId,
        certificateSecretName: secretName,
        keyVaultId: props.keyVaultId,
        tlsPolicy,
        targetPort,
        backends: members.map((ods) => ({
          key: ods.toLowerCase(),
          addresses: checkAddressesIn(`backendAddresses.${ods}`, given[ods], plan.appSubnet(ods, appName), `app ${appName}'s subnet in trust ${ods}`),
          hostName: props.domainName ? this.hostNameIn(ods) : undefined,
        })),
        minCapacity: 1,
        maxCapacity,
        logAnalyticsWorkspaceId: props.logAnalyticsWorkspaceId,
        logStorageAccountId: props.logStorageAccountId,
        what: shards.length === 1 ? `app ${appName}'s internet edge` : `app ${appName}'s internet edge (gateway ${index + 1} of ${shards.length})`,
      }).gateway);
      publicIps.push(publicIp);
    });
    this.gateways = gateways;
    this.publicIps = publicIps;
    this.gateway = gateways[0];
    this.publicIp = publicIps[0];
  }

  /**
   * The place (0-based) in `gateways` of the gateway carrying a trust's
   * listener and pool (always 0 for an app serving at most 100 trusts).
   */
  public gatewayIndexOf(odsCode: string): number {
    this.checkServes(odsCode);
    return this.shards.findIndex((members) => members.includes(odsCode));
  }

  /** The trusts one gateway (0-based place in `gateways`) carries, in the app's spec order. */
  public trustsOfGateway(index: number): string[] {
    if (!Number.isInteger(index) || index < 0 || index >= this.shards.length) {
      throw BackboneError.of('index', `${index} is not the place of a gateway of app ${this.appName}'s edge (0 to ${this.shards.length - 1})`);
    }
    return [...this.shards[index]];
  }

  /** The public IP a trust's host name (`hostNameIn`) must resolve to: that of the trust's gateway. */
  public publicIpOf(odsCode: string): PublicIp {
    return this.publicIps[this.gatewayIndexOf(odsCode)];
  }

  /** The host name a trust's users reach the app at (`<ods>.<domainName>`, lower case), or the domain itself for one trust without one. */
  public hostNameIn(odsCode: string): string | undefined {
    this.checkServes(odsCode);
    return this.domainName ? `${odsCode.toLowerCase()}.${this.domainName}` : undefined;
  }

  private checkServes(odsCode: string): void {
    if (!this.trusts.includes(odsCode)) throw BackboneError.of('odsCode', `"${odsCode}" is not a trust app ${this.appName} serves (${this.trusts.join(', ')})`);
  }
}
