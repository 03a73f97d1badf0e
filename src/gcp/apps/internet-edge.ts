import { ComputeBackendService } from '@cdktf/provider-google/lib/compute-backend-service';
import { ComputeGlobalAddress } from '@cdktf/provider-google/lib/compute-global-address';
import { ComputeGlobalForwardingRule } from '@cdktf/provider-google/lib/compute-global-forwarding-rule';
import { ComputeHealthCheck } from '@cdktf/provider-google/lib/compute-health-check';
import { ComputeNetworkEndpoint } from '@cdktf/provider-google/lib/compute-network-endpoint';
import { ComputeNetworkEndpointGroup } from '@cdktf/provider-google/lib/compute-network-endpoint-group';
import { ComputeSecurityPolicy, ComputeSecurityPolicyRule } from '@cdktf/provider-google/lib/compute-security-policy';
import { ComputeSslPolicy } from '@cdktf/provider-google/lib/compute-ssl-policy';
import { ComputeTargetHttpsProxy } from '@cdktf/provider-google/lib/compute-target-https-proxy';
import { ComputeUrlMap } from '@cdktf/provider-google/lib/compute-url-map';
import { IapSettings } from '@cdktf/provider-google/lib/iap-settings';
import { TerraformStack, Token } from 'cdktf';
import { Construct } from 'constructs';
import {
  EDGE_WAF_RULES, RATE_INTERVALS, checkCertificates, checkHealthPath, checkIpIn, checkPort, checkTlsProfile, findApp, pascal, requireIngress,
} from './internal';
import { AppTlsProfile } from './tls-profile';
import { AddressPlan } from '../../core/address-plan';
import { BackboneSpec } from '../../core/backbone-spec';
import { BackboneError, entryOf } from '../../core/errors';
import { NameKind } from '../../core/naming';
import { Cloud } from '../../core/regions';
import { AppIngress } from '../../core/spec';
import { APP_INGRESS_LABEL } from '../compliance/rules';
import { Cis2Edge } from '../identity/cis2-edge';
import { checkProjectId, hubNetworkName, networkUri } from '../network/ids';

/** Props of an internet-facing app's edge, in the hub project. */
export interface InternetAppEdgeProps {
  /** The validated backbone spec. */
  readonly spec: BackboneSpec;
  /** The app, as in the spec's `apps`; its ingress must be `internet`. */
  readonly appName: string;
  /** The backbone's address plan (the app's /27 in each trust it serves). */
  readonly addressPlan: AddressPlan;
  /** The hub's project (the edge and its NEGs live there, on the hub VPC). */
  readonly projectId: string;
  /** CIS2 sign-in at the edge (same stack and project). */
  readonly cis2: Cis2Edge;
  /** Global SSL certificates (Google-managed, for `domainName` and, for several trusts, `<ods>.<domainName>`). */
  readonly certificateIds: string[];
  /**
   * The app's public name (or a token read at plan time). Required when the
   * app serves several trusts: each trust's copy is then at
   * `<ods lower-case>.<domainName>`.
   * @default - one trust: any host reaches it
   */
  readonly domainName?: string;
  /**
   * The port (HTTPS) the app's endpoints listen on in each trust.
   * @default 443
   */
  readonly targetPort?: number;
  /**
   * The health check's request path.
   * @default "/"
   */
  readonly healthCheckPath?: string;
  /**
   * Requests per client address per `rateLimitIntervalSec` before Cloud Armor answers 429.
   * @default 500
   */
  readonly rateLimit?: number;
  /**
   * The rate limit's interval in seconds (10, 30, 60, 120, ... 3600).
   * @default 60
   */
  readonly rateLimitIntervalSec?: number;
  /**
   * TLS profile of the listener.
   * @default AppTlsProfile.RESTRICTED
   */
  readonly tlsProfile?: AppTlsProfile;
}

/**
 * An internet-facing app's edge, one per app in the hub project: a global
 * external Application Load Balancer (EXTERNAL_MANAGED), HTTPS 443 only with
 * an SSL policy of TLS 1.2 minimum, a Cloud Armor policy (a per-address rate
 * limit and Google's preconfigured WAF rules), and per trust served one
 * backend service with IAP on and NHS CIS2 sign-in (Cis2Edge), whose backend
 * is a hybrid connectivity NEG (NON_GCP_PRIVATE_IP_PORT) on the hub VPC
 * holding the app's private addresses in that trust's /27, reached over NCC.
 * Its address and forwarding rule are labelled `app-ingress=<app>`: the
 * declared ingress NHS-NET-1 accepts.
 */
export class InternetAppEdge extends Construct {
  /** The app's name. */
  public readonly appName: string;
  /** The public address. */
  public readonly address: ComputeGlobalAddress;
  /** The forwarding rule (443). */
  public readonly forwardingRule: ComputeGlobalForwardingRule;
  /** The Cloud Armor policy. */
  public readonly securityPolicy: ComputeSecurityPolicy;
  /** The SSL policy. */
  public readonly sslPolicy: ComputeSslPolicy;
  /** The URL map. */
  public readonly urlMap: ComputeUrlMap;
  /** The app's public name, if given. */
  public readonly domainName?: string;
  private readonly spec: BackboneSpec;
  private readonly plan: AddressPlan;
  private readonly port: number;
  private readonly backends = new Map<string, ComputeBackendService>();
  private readonly negs = new Map<string, ComputeNetworkEndpointGroup>();
  private readonly iap = new Map<string, IapSettings>();

  constructor(scope: Construct, id: string, props: InternetAppEdgeProps) {
    super(scope, id);
    const { spec, appName } = props;
    const app = findApp(spec, appName);
    requireIngress(app, AppIngress.INTERNET, 'an internet edge');
    const project = checkProjectId('projectId', props.projectId);
    if (!(props.cis2 instanceof Cis2Edge)) throw BackboneError.of('cis2', 'is not a Cis2Edge (CIS2 sign-in at the edge)');
    if (TerraformStack.of(props.cis2) !== TerraformStack.of(this)) throw BackboneError.of('cis2', 'is in another stack: IAP and Identity Platform must be in the edge\'s own project and stack');
    const certs = checkCertificates(props.certificateIds, appName, 'global SSL certificate for the app\'s public name');
    const trusts = app.trusts ?? [];
    if (trusts.length === 0) throw BackboneError.of('appName', `app "${appName}" serves no trust`);
    if (props.domainName !== undefined && !Token.isUnresolved(props.domainName) && (typeof props.domainName !== 'string' || !/^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/.test(props.domainName))) {
      throw BackboneError.of('domainName', `${JSON.stringify(props.domainName)} is not a DNS name (lower-case labels, e.g. reporting.example.nhs.uk)`);
    }
    if (trusts.length > 1 && !props.domainName) {
      throw BackboneError.of('domainName', `is required: app "${appName}" serves ${trusts.length} trusts, each at <ods>.<domainName>`);
    }
    this.port = checkPort(props.targetPort);
    const path = checkHealthPath(props.healthCheckPath);
    const profile = checkTlsProfile(props.tlsProfile);
    const rate = props.rateLimit ?? 500;
    if (typeof rate !== 'number' || !Number.isInteger(rate) || rate < 1) {
      throw BackboneError.of('rateLimit', `${JSON.stringify(rate)} is not a whole number of requests (at least 1)`);
    }
    const interval = props.rateLimitIntervalSec ?? 60;
    if (!RATE_INTERVALS.includes(interval)) {
      throw BackboneError.of('rateLimitIntervalSec', `${JSON.stringify(interval)} is not a Cloud Armor interval (one of: ${RATE_INTERVALS.join(', ')})`);
    }
    this.spec = spec;
    this.plan = props.addressPlan;
    this.appName = appName;
    this.domainName = props.domainName;
    const region = spec.region(Cloud.GCP);
    const labels = { ...spec.labelsFor(), [APP_INGRESS_LABEL]: appName };
    const name = (what: string) => spec.naming.hub(`${appName}-${what}`, NameKind.GCP_RESOURCE);

    const rules: ComputeSecurityPolicyRule[] = [
      {
        priority: 1000,
        action: 'throttle',
        description: `Rate limit: ${rate} requests per ${interval}s per client address`,
        match: { versionedExpr: 'SRC_IPS_V1', config: { srcIpRanges: ['*'] } },
        rateLimitOptions: {
          conformAction: 'allow',
          exceedAction: 'deny(429)',
          enforceOnKey: 'IP',
          rateLimitThreshold: { count: rate, intervalSec: interval },
        },
      },
      ...EDGE_WAF_RULES.map((waf, i): ComputeSecurityPolicyRule => ({
        priority: 2000 + i,
        action: 'deny(403)',
        description: `Preconfigured WAF rule ${waf}`,
        match: { expr: { expression: `evaluatePreconfiguredWaf('${waf}', {'sensitivity': 1})` } },
      })),
      {
        priority: 2147483647,
        action: 'allow',
        description: 'Default: allow what the rules above let through (IAP then requires CIS2 sign-in)',
        match: { versionedExpr: 'SRC_IPS_V1', config: { srcIpRanges: ['*'] } },
      },
    ];
    this.securityPolicy = new ComputeSecurityPolicy(this, 'Armor', {
      name: name('armor'),
      project,
      type: 'CLOUD_ARMOR',
      description: `Edge of app ${appName}: rate limit and preconfigured WAF rules`,
      advancedOptionsConfig: { jsonParsing: 'STANDARD', logLevel: 'VERBOSE' },
      rule: rules,
    });
    const health = new ComputeHealthCheck(this, 'HealthCheck', {
      name: name('hc'),
      project,
      httpsHealthCheck: { port: this.port, requestPath: path },
      logConfig: { enable: true },
    });

    for (const ods of trusts) {
      const lower = ods.toLowerCase();
      const neg = new ComputeNetworkEndpointGroup(this, `Neg-${ods}`, {
        name: name(`${lower}-neg`),
        project,
        zone: `${region}-a`,
        network: networkUri(project, hubNetworkName(spec)),
        networkEndpointType: 'NON_GCP_PRIVATE_IP_PORT',
        defaultPort: this.port,
        description: `App ${appName} in trust ${ods}: private addresses in its /27 (${this.plan.appSubnet(ods, appName)}), over NCC`,
      });
      const backendName = name(lower);
      const backend = new ComputeBackendService(this, `Backend-${ods}`, {
        name: backendName,
        project,
        loadBalancingScheme: 'EXTERNAL_MANAGED',
        protocol: 'HTTPS',
        healthChecks: [health.id],
        securityPolicy: this.securityPolicy.id,
        iap: { enabled: true },
        backend: [{ group: neg.id, balancingMode: 'RATE', maxRatePerEndpoint: 100, capacityScaler: 1 }],
        logConfig: { enable: true, sampleRate: 1 },
        description: `App ${appName}, trust ${ods}: behind Cloud Armor and CIS2 sign-in (IAP)`,
      });
      this.negs.set(ods, neg);
      this.backends.set(ods, backend);
    }

    // CIS2 sign-in (IAP with Identity Platform) on every trust's backend.
    // Cis2Edge protects one backend per app; the others take the same
    // tenant and sign-in page from it.
    const [first, ...rest] = trusts;
    const firstIap = props.cis2.protectBackend(appName, name(first.toLowerCase()));
    firstIap.node.addDependency(this.backends.get(first)!);
    this.iap.set(first, firstIap);
    for (const ods of rest) {
      this.iap.set(ods, new IapSettings(this, `Iap-${ods}`, {
        name: `projects/${project}/iap_web/compute/services/${name(ods.toLowerCase())}`,
        accessSettings: {
          gcipSettings: {
            tenantIds: firstIap.accessSettings.gcipSettings.tenantIds,
            loginPageUri: firstIap.accessSettings.gcipSettings.loginPageUri,
          },
        },
        dependsOn: [this.backends.get(ods)!, props.cis2.resource],
      }));
    }

    this.urlMap = new ComputeUrlMap(this, 'UrlMap', trusts.length === 1 && !props.domainName
      ? { name: name('edge'), project, defaultService: this.backends.get(first)!.id }
      : {
        name: name('edge'),
        project,
        // Unknown hosts never reach a trust: they are sent to the NHS website.
        defaultUrlRedirect: { hostRedirect: 'www.nhs.uk', pathRedirect: '/', httpsRedirect: true, stripQuery: true, redirectResponseCode: 'FOUND' },
        hostRule: trusts.map((ods) => ({ hosts: [this.hostNameIn(ods)], pathMatcher: `trust-${ods.toLowerCase()}` })),
        pathMatcher: trusts.map((ods) => ({ name: `trust-${ods.toLowerCase()}`, defaultService: this.backends.get(ods)!.id })),
      });
    this.sslPolicy = new ComputeSslPolicy(this, 'SslPolicy', {
      name: name('tls'),
      project,
      profile,
      minTlsVersion: 'TLS_1_2',
    });
    const proxy = new ComputeTargetHttpsProxy(this, 'Proxy', {
      name: name('edge'),
      project,
      urlMap: this.urlMap.id,
      sslCertificates: certs,
      sslPolicy: this.sslPolicy.id,
      quicOverride: 'DISABLE',
    });
    this.address = new ComputeGlobalAddress(this, 'Address', {
      name: name('edge'),
      project,
      addressType: 'EXTERNAL',
      ipVersion: 'IPV4',
      labels,
    });
    this.forwardingRule = new ComputeGlobalForwardingRule(this, 'Resource', {
      name: name('edge'),
      project,
      loadBalancingScheme: 'EXTERNAL_MANAGED',
      ipProtocol: 'TCP',
      portRange: '443',
      ipAddress: this.address.id,
      target: proxy.id,
      labels,
    });
  }

  /** The trusts the edge serves. */
  public get trusts(): string[] {
    return [...this.backends.keys()];
  }

  /** The host name a trust's users reach it at: `<ods>.<domainName>`, or `domainName` for a single trust. */
  public hostNameIn(odsCode: string): string {
    this.backendIn(odsCode);
    if (!this.domainName) return '*';
    return this.backends.size === 1 && (findApp(this.spec, this.appName).trusts ?? []).length === 1
      ? this.domainName
      : `${odsCode.toLowerCase()}.${this.domainName}`;
  }

  /** The backend service of a trust's copy of the app. */
  public backendIn(odsCode: string): ComputeBackendService {
    return entryOf(this.backends, odsCode, 'odsCode', `"${odsCode}" is not a trust app ${this.appName} serves`);
  }

  /** The hybrid NEG holding a trust's copy of the app's addresses. */
  public networkEndpointGroupIn(odsCode: string): ComputeNetworkEndpointGroup {
    return entryOf(this.negs, odsCode, 'odsCode', `"${odsCode}" is not a trust app ${this.appName} serves`);
  }

  /** The IAP settings (CIS2 sign-in) of a trust's backend. */
  public iapIn(odsCode: string): IapSettings {
    return entryOf(this.iap, odsCode, 'odsCode', `"${odsCode}" is not a trust app ${this.appName} serves`);
  }

  /**
   * Adds a private address of the app in a trust (inside the app's /27
   * there) to that trust's hybrid NEG. Any other address is refused.
   */
  public addEndpoint(odsCode: string, ipAddress: string, port?: number): ComputeNetworkEndpoint {
    const neg = this.networkEndpointGroupIn(odsCode);
    checkIpIn(ipAddress, this.plan.appSubnet(odsCode, this.appName), 'ipAddress', `app ${this.appName}'s subnet in trust ${odsCode}`);
    const p = checkPort(port ?? this.port, 'port');
    return new ComputeNetworkEndpoint(this, `Endpoint-${odsCode}-${pascal(ipAddress)}-${p}`, {
      project: neg.project,
      zone: neg.zone,
      networkEndpointGroup: neg.name,
      ipAddress,
      port: p,
    });
  }
}
