import {
  Annotations, Duration, Stack, Tags,
  aws_ec2 as ec2,
  aws_elasticloadbalancingv2 as elbv2,
  aws_elasticloadbalancingv2_targets as targets,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import {
  HSCN_CLIENT_RANGES, checkCertificateArn, checkHealthPath, checkIpIn, checkPort, checkSslPolicy,
  deliverAccessLogs, findApp, hardenLoadBalancer, requireIngress, requireServes,
} from './internal';
import { TrustSubnet } from '../../core/address-plan';
import { BackboneSpec } from '../../core/backbone-spec';
import { Cidr } from '../../core/cidr';
import { BackboneError } from '../../core/errors';
import { AppIngress } from '../../core/spec';
import { acknowledgeNag } from '../compliance/internal';
import { AppAttachment, TrustSpoke } from '../network/trust-spoke';
import { fitName } from '../storage/internal';

/** Props of an app's HSCN ingress in one trust. */
export interface HscnAppIngressProps {
  /** The validated backbone spec. */
  readonly spec: BackboneSpec;
  /** The app (ingress `hscn`), as in the spec's `apps`. */
  readonly appName: string;
  /** The trust whose copy of the app this ingress fronts; the app must serve it. */
  readonly odsCode: string;
  /** The trust's spoke (in the same stack): the load balancer goes in its workload subnets, the targets in the app's subnet. */
  readonly spoke: TrustSpoke;
  /**
   * ARN of the listener's certificate: an ACM certificate in the backbone's
   * region, issued by ACM Private CA (for a name under the trust's HSCN
   * domain) or imported into ACM. Required.
   */
  readonly certificateArn: string;
  /**
   * Where clients may connect from: CIDR blocks inside the HSCN's private
   * range (10.0.0.0/8), e.g. a site's IPAM-allocated block. Never 0.0.0.0/0.
   * @default HscnAppIngress.HSCN_CLIENT_RANGES - the whole of 10.0.0.0/8
   */
  readonly sourceRanges?: string[];
  /**
   * The port the app's targets listen on (HTTPS: the load balancer re-encrypts).
   * @default 8443
   */
  readonly targetPort?: number;
  /**
   * The targets' health check path.
   * @default "/"
   */
  readonly healthCheckPath?: string;
  /**
   * The listener's TLS policy: TLS 1.2 or later with forward-secret AEAD ciphers, or TLS 1.3 only.
   * @default elbv2.SslPolicy.RECOMMENDED_TLS - ELBSecurityPolicy-TLS13-1-2-2021-06
   */
  readonly sslPolicy?: elbv2.SslPolicy;
}

/**
 * An app's ingress from the HSCN in one trust, on private addresses only: an
 * INTERNAL application load balancer in the trust's spoke, made in the
 * trust's stack.
 *
 * - HTTPS on 443 only, with the given certificate and a TLS 1.2+ policy; it
 *   forwards to a target group of IP targets in the app's own /27 (HTTPS on
 *   `targetPort`), to which the app adds its targets (`addTargetIp`, or the
 *   target group with ECS's `loadBalancers`).
 * - The load balancer sits in the trust's WORKLOAD subnets (three /26):
 *   an application load balancer needs subnets of /27 or larger in two zones
 *   or more, and an app's /27 is split into two /28s.
 * - Its security group admits 443 from `sourceRanges` (inside 10.0.0.0/8, the
 *   NHS range on the HSCN) and nothing else, and may only reach the app's /27
 *   on the target port; the app's security group admits the target port from
 *   this load balancer only.
 * - Deletion protection on; invalid header fields dropped; desync mitigation
 *   strictest; access logs delivered to the central log archive (CloudWatch
 *   Logs vended delivery: classic access logs cannot write to its SSE-KMS,
 *   object-locked bucket).
 *
 * The hub's firewall drops inbound HSCN traffic by default: its policy must
 * carry the AppIngressFirewallRules group, which passes 443 from the HSCN
 * range (not the backbone's own pool) to the trust's workload subnets.
 */
export class HscnAppIngress extends Construct {
  /** The HSCN's private range, where HSCN clients come from (N3/Transition Network addressing policy). */
  public static readonly HSCN_CLIENT_RANGES: string[] = [...HSCN_CLIENT_RANGES];

  /** The app's name. */
  public readonly appName: string;
  /** The trust's ODS code. */
  public readonly odsCode: string;
  /** The internal application load balancer. */
  public readonly loadBalancer: elbv2.ApplicationLoadBalancer;
  /** The HTTPS listener (443). */
  public readonly listener: elbv2.ApplicationListener;
  /** The app's targets (IP targets in the app's /27). */
  public readonly targetGroup: elbv2.ApplicationTargetGroup;
  /** The load balancer's security group: 443 from `sourceRanges` only. */
  public readonly securityGroup: ec2.SecurityGroup;
  /** The load balancer's DNS name (resolves to private addresses). */
  public readonly dnsName: string;
  /** The CIDR blocks admitted on 443. */
  public readonly sourceRanges: string[];
  /** The port the targets listen on. */
  public readonly targetPort: number;
  /** The app's place in the spoke. */
  public readonly attachment: AppAttachment;

  constructor(scope: Construct, id: string, props: HscnAppIngressProps) {
    super(scope, id);
    const { spec, appName, odsCode, spoke } = props;
    const app = findApp(spec, appName);
    requireServes(spec, app, odsCode);
    requireIngress(app, AppIngress.HSCN, 'an HSCN ingress');
    if (!spoke || spoke.odsCode !== odsCode) {
      throw BackboneError.of('spoke', `is not the spoke of trust ${odsCode}${spoke?.odsCode ? ` (it is ${spoke.odsCode}'s)` : ''}: pass Backbone.spoke("${odsCode}")`);
    }
    if (Stack.of(spoke) !== Stack.of(this)) {
      throw BackboneError.of('spoke', `is in stack ${Stack.of(spoke).stackName}, not ${Stack.of(this).stackName}: make the ingress in the trust's stack, beside its spoke`);
    }
    const certificateArn = checkCertificateArn(spec, props.certificateArn, appName);
    const sslPolicy = checkSslPolicy(props.sslPolicy);
    const targetPort = checkPort(props.targetPort);
    const healthCheckPath = checkHealthPath(props.healthCheckPath);
    this.sourceRanges = checkSourceRanges(props.sourceRanges);
    if (!spec.network.hscn) {
      Annotations.of(this).addWarningV2('nhs-backbone:hscn-ingress-without-hscn',
        `app ${appName} has HSCN ingress but the spec has no network.hscn: nothing on the HSCN can reach it until the backbone connects to the HSCN`);
    }
    this.appName = appName;
    this.odsCode = odsCode;
    this.targetPort = targetPort;
    this.attachment = spoke.attachApp(appName);
    const name = (purpose: string) => spec.naming.trust(odsCode, purpose);

    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: spoke.vpc,
      securityGroupName: name(`app-${appName}-lb`),
      description: `HSCN ingress of app ${appName} in trust ${odsCode}: HTTPS from the HSCN only`,
      allowAllOutbound: false,
    });
    for (const cidr of this.sourceRanges) {
      this.securityGroup.addIngressRule(ec2.Peer.ipv4(cidr), ec2.Port.tcp(443), `HTTPS from the HSCN (${cidr})`);
    }
    this.securityGroup.addEgressRule(ec2.Peer.ipv4(this.attachment.cidr), ec2.Port.tcp(targetPort), `to app ${appName}'s targets`);
    this.attachment.securityGroup.addIngressRule(this.securityGroup, ec2.Port.tcp(targetPort), `from app ${appName}'s HSCN load balancer`);

    this.loadBalancer = new elbv2.ApplicationLoadBalancer(this, 'Resource', {
      loadBalancerName: fitName(name(appName), 32),
      vpc: spoke.vpc,
      vpcSubnets: { subnets: spoke.subnetsFor(TrustSubnet.WORKLOAD) },
      internetFacing: false,
      securityGroup: this.securityGroup,
      deletionProtection: true,
      dropInvalidHeaderFields: true,
      http2Enabled: true,
    });
    hardenLoadBalancer(this.loadBalancer);
    Tags.of(this.loadBalancer).add('nhs-backbone:app', appName);
    Tags.of(this.loadBalancer).add('nhs-backbone:ingress', AppIngress.HSCN);
    deliverAccessLogs(this, spec, this.loadBalancer, name(`alb-${appName}`), `${odsCode.toLowerCase()}/${appName}`);
    acknowledgeNag(this.loadBalancer, ['ALBWAFEnabled'],
      'An internal load balancer on private addresses, reached from the HSCN (10.0.0.0/8) only through the hub firewall, never from the internet; AWS WAF guards the backbone\'s internet edges (InternetAppEdge), where the public threat is.');

    this.targetGroup = new elbv2.ApplicationTargetGroup(this, 'Targets', {
      targetGroupName: fitName(name(appName), 32),
      vpc: spoke.vpc,
      targetType: elbv2.TargetType.IP,
      protocol: elbv2.ApplicationProtocol.HTTPS,
      port: targetPort,
      deregistrationDelay: Duration.seconds(30),
      healthCheck: { protocol: elbv2.Protocol.HTTPS, path: healthCheckPath, healthyHttpCodes: '200-399' },
    });
    this.listener = this.loadBalancer.addListener('Https', {
      port: 443,
      protocol: elbv2.ApplicationProtocol.HTTPS,
      certificates: [elbv2.ListenerCertificate.fromArn(certificateArn)],
      sslPolicy,
      open: false,
      defaultAction: elbv2.ListenerAction.forward([this.targetGroup]),
    });
    this.dnsName = this.loadBalancer.loadBalancerDnsName;
  }

  /**
   * Registers a target by its private address, which must lie in the app's
   * /27 in this trust (an app's targets live in its own subnet only).
   * @param ip the target's IPv4 address
   * @param port the target's port (default: `targetPort`)
   */
  public addTargetIp(ip: string, port?: number): void {
    checkIpIn(ip, this.attachment.cidr, 'ip', `app ${this.appName}'s subnet in trust ${this.odsCode}`);
    this.targetGroup.addTarget(new targets.IpTarget(ip, port === undefined ? undefined : checkPort(port, 'port')));
  }
}

function checkSourceRanges(ranges: string[] | undefined): string[] {
  if (ranges === undefined) return [...HSCN_CLIENT_RANGES];
  if (!Array.isArray(ranges) || ranges.length === 0) {
    throw BackboneError.of('sourceRanges', 'is empty: give one CIDR block or more inside the HSCN range 10.0.0.0/8 (or leave it out for the whole range)');
  }
  const hscn = HSCN_CLIENT_RANGES.map((c) => Cidr.parse(c));
  return ranges.map((r, i) => {
    const c = Cidr.tryParse(r);
    if (!c) throw BackboneError.of(`sourceRanges[${i}]`, `${JSON.stringify(r)} is not a CIDR block`);
    if (!hscn.some((h) => h.contains(c))) {
      throw BackboneError.of(`sourceRanges[${i}]`, `${r} is not inside the HSCN range (${HSCN_CLIENT_RANGES.join(', ')}): HSCN ingress admits HSCN clients only, never the internet`);
    }
    return c.toString();
  });
}
