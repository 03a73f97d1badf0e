import { ComputeForwardingRule } from '@cdktf/provider-google/lib/compute-forwarding-rule';
import { ComputeNetworkEndpointGroup } from '@cdktf/provider-google/lib/compute-network-endpoint-group';
import { ComputeNetworkFirewallPolicyRule } from '@cdktf/provider-google/lib/compute-network-firewall-policy-rule';
import { ComputeRegionBackendService } from '@cdktf/provider-google/lib/compute-region-backend-service';
import { ComputeRegionHealthCheck } from '@cdktf/provider-google/lib/compute-region-health-check';
import { ComputeRegionSslPolicy } from '@cdktf/provider-google/lib/compute-region-ssl-policy';
import { ComputeRegionTargetHttpsProxy } from '@cdktf/provider-google/lib/compute-region-target-https-proxy';
import { ComputeRegionUrlMap } from '@cdktf/provider-google/lib/compute-region-url-map';
import { ComputeSubnetwork } from '@cdktf/provider-google/lib/compute-subnetwork';
import { Construct } from 'constructs';
import {
  HSCN_RULE_PRIORITY, appIndex, checkCertificates, checkHealthPath, checkHscnRanges, checkPort,
  checkTlsProfile, findApp, requireIngress, requireOwnIdentity, requireServes,
} from './internal';
import { AppTlsProfile } from './tls-profile';
import { AddressPlan, TrustSubnet } from '../../core/address-plan';
import { BackboneSpec } from '../../core/backbone-spec';
import { BackboneError } from '../../core/errors';
import { NameKind } from '../../core/naming';
import { Cloud } from '../../core/regions';
import { AppIngress } from '../../core/spec';
import { WorkloadIdentity } from '../identity/workload-identity';
import { AppAttachment, TrustSpoke } from '../network/trust-spoke';

/** Props of a trust's proxy-only subnet. */
export interface ProxyOnlySubnetProps {
  /** The validated backbone spec. */
  readonly spec: BackboneSpec;
  /** The backbone's address plan: the subnet takes the trust's TRANSIT /26, which Google Cloud does not otherwise use. */
  readonly addressPlan: AddressPlan;
  /** The trust's spoke (same stack). */
  readonly spoke: TrustSpoke;
}

/**
 * The proxy-only subnet (purpose REGIONAL_MANAGED_PROXY) that every regional
 * Envoy-based load balancer of a trust's VPC in the spec's region shares: one
 * per trust, made once however many HSCN apps the trust has. It takes the
 * trust's TRANSIT /26 from the address plan (NCC needs no transit subnet).
 * Proxy-only subnets cannot have flow logs.
 */
export class ProxyOnlySubnet extends Construct {
  /** The subnet. */
  public readonly subnet: ComputeSubnetwork;
  /** Its range: the source of every proxied connection to the backends. */
  public readonly cidr: string;
  /** The trust. */
  public readonly odsCode: string;

  constructor(scope: Construct, id: string, props: ProxyOnlySubnetProps) {
    super(scope, id);
    const { spec, spoke } = props;
    if (!(spoke instanceof TrustSpoke)) throw BackboneError.of('spoke', 'is not a TrustSpoke');
    this.odsCode = spoke.odsCode;
    this.cidr = props.addressPlan.trustSubnet(spoke.odsCode, TrustSubnet.TRANSIT);
    this.subnet = new ComputeSubnetwork(this, 'Resource', {
      name: spec.naming.trust(spoke.odsCode, 'proxy-only', NameKind.GCP_RESOURCE),
      project: spoke.projectId,
      region: spec.region(Cloud.GCP),
      network: spoke.network.id,
      ipCidrRange: this.cidr,
      purpose: 'REGIONAL_MANAGED_PROXY',
      role: 'ACTIVE',
      description: 'Proxy-only subnet of the trust\'s internal Application Load Balancers (HSCN app ingress)',
    });
  }
}

/** Props of an app's HSCN ingress in one trust. */
export interface HscnAppIngressProps {
  /** The validated backbone spec. */
  readonly spec: BackboneSpec;
  /** The app, as in the spec's `apps`; its ingress must be `hscn`. */
  readonly appName: string;
  /** The trust's spoke (same stack); the app is attached to it (`attachApp`) if it is not already. */
  readonly spoke: TrustSpoke;
  /** The trust's proxy-only subnet (one per trust, shared by its HSCN apps). */
  readonly proxySubnet: ProxyOnlySubnet;
  /** The app's workload identity in this trust: the firewall rules target its service account. */
  readonly identity: WorkloadIdentity;
  /**
   * Regional SSL certificates (`projects/<p>/regions/<r>/sslCertificates/<name>`) for the
   * app's HSCN name, e.g. issued by the trust's private CA (Certificate Authority Service).
   */
  readonly certificateIds: string[];
  /**
   * Where HSCN clients may come from: ranges inside 10.0.0.0/8.
   * @default ["10.0.0.0/8"]
   */
  readonly sourceRanges?: string[];
  /**
   * The port (HTTPS) the app's endpoints listen on.
   * @default 443
   */
  readonly targetPort?: number;
  /**
   * The health check's request path.
   * @default "/"
   */
  readonly healthCheckPath?: string;
  /**
   * TLS profile of the listener.
   * @default AppTlsProfile.RESTRICTED
   */
  readonly tlsProfile?: AppTlsProfile;
}

/**
 * An app's HSCN ingress in one trust, in the trust's project: a regional
 * internal Application Load Balancer (INTERNAL_MANAGED) on a private address
 * in the app's subnet, HTTPS 443 only with an SSL policy of TLS 1.2 minimum,
 * forwarding over HTTPS to zonal network endpoint groups (GCE_VM_IP_PORT) in
 * the app's subnet that the app fills with its instances or pods; request
 * logs on; and firewall policy rules that let 443 in from the HSCN range only
 * and the proxies reach the app's service account on its port.
 */
export class HscnAppIngress extends Construct {
  /** The app's name. */
  public readonly appName: string;
  /** The trust's ODS code. */
  public readonly odsCode: string;
  /** The app's place in the trust's spoke. */
  public readonly attachment: AppAttachment;
  /** The internal forwarding rule (the HSCN-facing address). */
  public readonly forwardingRule: ComputeForwardingRule;
  /** The backend service. */
  public readonly backendService: ComputeRegionBackendService;
  /** The zonal NEGs the app registers its endpoints in (zones a and b). */
  public readonly networkEndpointGroups: ComputeNetworkEndpointGroup[];
  /** The SSL policy. */
  public readonly sslPolicy: ComputeRegionSslPolicy;
  /** The firewall policy rule letting HSCN clients reach the app. */
  public readonly hscnRule: ComputeNetworkFirewallPolicyRule;

  constructor(scope: Construct, id: string, props: HscnAppIngressProps) {
    super(scope, id);
    const { spec, appName, spoke } = props;
    const app = findApp(spec, appName);
    if (!(spoke instanceof TrustSpoke)) throw BackboneError.of('spoke', 'is not a TrustSpoke (the trust\'s spoke from the backbone)');
    const ods = spoke.odsCode;
    requireServes(spec, app, ods);
    requireIngress(app, AppIngress.HSCN, 'an HSCN ingress');
    if (!(props.proxySubnet instanceof ProxyOnlySubnet) || props.proxySubnet.odsCode !== ods) {
      throw BackboneError.of('proxySubnet', `is not trust ${ods}'s ProxyOnlySubnet`);
    }
    const identity = requireOwnIdentity(props.identity, appName, ods);
    const certs = checkCertificates(props.certificateIds, appName, 'regional SSL certificate for the app\'s HSCN name');
    const sources = checkHscnRanges(props.sourceRanges);
    const port = checkPort(props.targetPort);
    const path = checkHealthPath(props.healthCheckPath);
    const profile = checkTlsProfile(props.tlsProfile);
    this.appName = appName;
    this.odsCode = ods;
    this.attachment = spoke.attachApp(appName);
    const region = spec.region(Cloud.GCP);
    const project = spoke.projectId;
    const labels = { ...spec.labelsFor(ods), app: appName };
    const name = (what: string) => spec.naming.trust(ods, `${appName}-${what}`, NameKind.GCP_RESOURCE);

    this.networkEndpointGroups = ['a', 'b'].map((z) => new ComputeNetworkEndpointGroup(this, `Neg-${z}`, {
      name: name(`neg-${z}`),
      project,
      zone: `${region}-${z}`,
      network: spoke.network.id,
      subnetwork: this.attachment.subnet.id,
      networkEndpointType: 'GCE_VM_IP_PORT',
      defaultPort: port,
      description: `App ${appName} in trust ${ods}: endpoints in its /27 (${this.attachment.cidr})`,
    }));
    const health = new ComputeRegionHealthCheck(this, 'HealthCheck', {
      name: name('hc'),
      project,
      region,
      httpsHealthCheck: { portSpecification: 'USE_SERVING_PORT', requestPath: path },
      logConfig: { enable: true },
    });
    this.backendService = new ComputeRegionBackendService(this, 'Backend', {
      name: name('hscn'),
      project,
      region,
      loadBalancingScheme: 'INTERNAL_MANAGED',
      protocol: 'HTTPS',
      healthChecks: [health.id],
      backend: this.networkEndpointGroups.map((n) => ({
        group: n.id, balancingMode: 'RATE', maxRatePerEndpoint: 100, capacityScaler: 1,
      })),
      logConfig: { enable: true, sampleRate: 1 },
    });
    const urlMap = new ComputeRegionUrlMap(this, 'UrlMap', {
      name: name('hscn'),
      project,
      region,
      defaultService: this.backendService.id,
    });
    this.sslPolicy = new ComputeRegionSslPolicy(this, 'SslPolicy', {
      name: name('tls'),
      project,
      region,
      profile,
      minTlsVersion: 'TLS_1_2',
    });
    const proxy = new ComputeRegionTargetHttpsProxy(this, 'Proxy', {
      name: name('hscn'),
      project,
      region,
      urlMap: urlMap.id,
      sslCertificates: certs,
      sslPolicy: this.sslPolicy.id,
    });
    this.forwardingRule = new ComputeForwardingRule(this, 'Resource', {
      name: name('hscn'),
      project,
      region,
      loadBalancingScheme: 'INTERNAL_MANAGED',
      ipProtocol: 'TCP',
      portRange: '443',
      network: spoke.network.id,
      subnetwork: this.attachment.subnet.id,
      target: proxy.id,
      allowGlobalAccess: false,
      labels,
      dependsOn: [props.proxySubnet.subnet],
    });

    const base = HSCN_RULE_PRIORITY + 2 * appIndex(spec, appName);
    this.hscnRule = new ComputeNetworkFirewallPolicyRule(this, 'FromHscn', {
      project,
      firewallPolicy: spoke.firewallPolicy.name,
      ruleName: `allow-${appName}-from-hscn`,
      description: `HTTPS 443 from the HSCN (${sources.join(', ')}) to app ${appName} only`,
      priority: base,
      direction: 'INGRESS',
      action: 'allow',
      enableLogging: true,
      targetServiceAccounts: [identity.email],
      match: { srcIpRanges: sources, layer4Configs: [{ ipProtocol: 'tcp', ports: ['443'] }] },
    });
    new ComputeNetworkFirewallPolicyRule(this, 'FromProxies', {
      project,
      firewallPolicy: spoke.firewallPolicy.name,
      ruleName: `allow-${appName}-from-proxies`,
      description: `The internal load balancer's proxies (${props.proxySubnet.cidr}) to app ${appName} on ${port}`,
      priority: base + 1,
      direction: 'INGRESS',
      action: 'allow',
      enableLogging: true,
      targetServiceAccounts: [identity.email],
      match: { srcIpRanges: [props.proxySubnet.cidr], layer4Configs: [{ ipProtocol: 'tcp', ports: [String(port)] }] },
    });
  }

  /** The HSCN-facing private address (known after apply). */
  public get ipAddress(): string {
    return this.forwardingRule.ipAddress;
  }
}
