import {
  Annotations, ArnFormat, Aws, Duration, RemovalPolicy, Stack, Tags, Token,
  aws_ec2 as ec2,
  aws_elasticloadbalancingv2 as elbv2,
  aws_elasticloadbalancingv2_targets as targets,
  aws_iam as iam,
  aws_logs as logs,
  aws_wafv2 as wafv2,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import {
  EDGE_SUBNET_VALUES, EdgeValue, checkCertificateArn, checkHealthPath, checkIpIn, checkPort, checkSslPolicy,
  deliverAccessLogs, edgeSubnetCidrs, findApp, hardenLoadBalancer, pascal, readEdgeValue, requireIngress, retentionAtLeast,
} from './internal';
import { AddressPlan } from '../../core/address-plan';
import { shardTrustsBySlot } from '../../core/app-contract';
import { BackboneSpec } from '../../core/backbone-spec';
import { BackboneError, entryOf } from '../../core/errors';
import { AppIngress } from '../../core/spec';
import { acknowledgeNag } from '../compliance/internal';
import { Cis2SignIn } from '../identity/cis2-sign-in';
import { CustomerManagedKey } from '../identity/customer-managed-key';
import { AWS_AZS } from '../network/zones';
import { fitName } from '../storage/internal';

/** AWS managed rule groups every app edge's web ACL runs, in order after the rate limit. */
const MANAGED_RULE_GROUPS = [
  'AWSManagedRulesAmazonIpReputationList',
  'AWSManagedRulesCommonRuleSet',
  'AWSManagedRulesKnownBadInputsRuleSet',
  'AWSManagedRulesSQLiRuleSet',
];
/** Quota of targets per application load balancer (default, adjustable): the only per-ALB quota sharding does not keep. */
const ALB_TARGETS_QUOTA = 1000;

/** Props of an app's internet edge. */
export interface InternetAppEdgeProps {
  /** The validated backbone spec: its `identity.cis2` signs staff in. */
  readonly spec: BackboneSpec;
  /** The app (ingress `internet`), as in the spec's `apps`. */
  readonly appName: string;
  /** The backbone's address plan: the edge subnets, each trust's app /27 and the rule priorities. */
  readonly addressPlan: AddressPlan;
  /**
   * ARN of the listener's certificate: a public ACM certificate in the
   * backbone's region for `domainName` (and `*.domainName` when the app
   * serves more than one trust). Required.
   */
  readonly certificateArn: string;
  /**
   * The app's public DNS name, e.g. `reporting.example.nhs.uk`. Each trust's
   * copy is reached at `<ods>.<domainName>` (lower-case ODS code); required
   * when the app serves more than one trust.
   * @default - none: the app serves one trust, reached at the load balancer's own name or any name pointing at it
   */
  readonly domainName?: string;
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
  /**
   * Requests one client address may make in 5 minutes before the web ACL blocks it (10 or more).
   * @default 1000
   */
  readonly rateLimit?: number;
  /**
   * Rules of AWSManagedRulesCommonRuleSet to count rather than block (e.g.
   * `SizeRestrictions_BODY` for an app that takes uploads over 8 KB).
   * @default - none: every rule blocks
   */
  readonly commonRuleSetCountOnly?: string[];
  /**
   * How long a CIS2 sign-in lasts.
   * @default Duration.hours(12) - one clinical shift
   */
  readonly sessionTimeout?: Duration;
  /**
   * Which of the app's edges this is (0-based). An app serving more than
   * `InternetAppEdge.MAX_TRUSTS_PER_EDGE` trusts has
   * `InternetAppEdge.edgeCountOf(...)` edges, each in a stack of its own,
   * carrying the trusts `InternetAppEdge.trustsOfEdge(...)` gives; the first
   * keeps the names of a single edge, edge k (2, 3, ...) has `-<k>` after the app's name.
   * @default 0 - the first edge (the only one for an app serving at most 100 trusts)
   */
  readonly edgeIndex?: number;
}

/**
 * An app's internet ingress: its public edge, one per app (not per trust;
 * one per 100 trusts, see Sharding below), in the hub's inspection/egress VPC, the only one with an internet gateway.
 * Make it in a stack of its own that deploys after the hub (it reads the hub
 * VPC's and the edge subnets' ids from SSM, published by AppEdgeNetwork).
 *
 * - An internet-facing application load balancer in the edge subnets. HTTPS
 *   on 443 with the given certificate and a TLS 1.2+ policy; port 80 only
 *   redirects to HTTPS. Deletion protection, invalid headers dropped, desync
 *   mitigation strictest, access logs to the central log archive.
 * - An AWS WAF web ACL on it: a per-address rate limit, then AWS's IP
 *   reputation list, common rule set, known bad inputs and SQL injection rule
 *   groups. Its logs go to a CloudWatch Logs group (`aws-waf-logs-...`, as WAF
 *   requires) encrypted with a customer-managed key, kept the spec's
 *   `storage.logRetentionDays` or longer; the cookie and authorization
 *   headers are redacted.
 * - NHS CIS2 sign-in (Cis2SignIn, `authenticate-oidc`) before every forward:
 *   for one trust the listener's default action signs in, then forwards to
 *   the trust's targets; for several, a rule per trust on the host
 *   `<ods>.<domainName>` signs in, then forwards to that trust's targets, and
 *   the default action signs in, then answers 404.
 * - One target group per trust served: IP targets in the app's /27 in that
 *   trust, reached across the transit gateway (through the hub firewall,
 *   which AppIngressFirewallRules must open), registered with availability
 *   zone `all` (`addTargetIp`). The security group admits 443 and 80 from
 *   anywhere (the declared ingress, acknowledged for NHS-NET-1 in the
 *   resources' metadata) and may only reach the backbone's pool on the
 *   target port.
 *
 * Sharding: an application load balancer holds at most 100 target groups (a
 * hard quota) and 100 listener rules besides the default ones, and one edge
 * carries a target group and a rule per trust, so an app serving more than
 * `MAX_TRUSTS_PER_EDGE` (100) trusts gets ceil(n/100) edges (`edgeCountOf`),
 * each an InternetAppEdge of its own (`edgeIndex`) in a stack of its own, with
 * its own load balancer, security group, web ACL, log group and key, all in
 * the one set of edge subnets. A trust's edge is fixed by its rank in
 * address-lock slot order among the trusts the app serves (`edgeIndexOf`): a
 * trust new to the backbone takes a slot after every slot ever used, so
 * adding it never moves another trust. Removing a trust shifts the trusts
 * after it by one place (at most one per edge boundary moves to the previous
 * edge; its DNS record must follow: `dnsName` of its new edge). The first
 * edge keeps the names and construct ids of the single edge.
 */
export class InternetAppEdge extends Construct {
  /**
   * The most trusts (target groups and host rules) one edge carries: an
   * application load balancer's quota of 100 target groups (not adjustable)
   * and of 100 rules besides the default ones. The edge adds no other target
   * group, and no rule besides the listeners' default actions.
   */
  public static readonly MAX_TRUSTS_PER_EDGE = 100;

  /** How many edges an internet app has: ceil(trusts / MAX_TRUSTS_PER_EDGE), at least 1. */
  public static edgeCountOf(spec: BackboneSpec, addressPlan: AddressPlan, appName: string): number {
    return shardsOf(spec, addressPlan, appName).length;
  }

  /** The trusts one edge (0-based `edgeIndex`) of an internet app carries, in the app's spec order. */
  public static trustsOfEdge(spec: BackboneSpec, addressPlan: AddressPlan, appName: string, edgeIndex: number): string[] {
    const shards = shardsOf(spec, addressPlan, appName);
    return [...shards[checkEdgeIndex(edgeIndex, appName, shards.length)]];
  }

  /**
   * The place (0-based) of the edge carrying a trust's target group and rule
   * among an internet app's edges (always 0 for an app serving at most 100 trusts).
   */
  public static edgeIndexOf(spec: BackboneSpec, addressPlan: AddressPlan, appName: string, odsCode: string): number {
    const shards = shardsOf(spec, addressPlan, appName);
    const index = shards.findIndex((members) => members.includes(odsCode));
    if (index < 0) throw BackboneError.of('odsCode', `"${odsCode}" is not a trust app ${appName} serves (${shards.flat().join(', ')})`);
    return index;
  }

  /** The app's name. */
  public readonly appName: string;
  /** The internet-facing application load balancer. */
  public readonly loadBalancer: elbv2.ApplicationLoadBalancer;
  /** The HTTPS listener (443). */
  public readonly httpsListener: elbv2.ApplicationListener;
  /** The HTTP listener (80): redirects to HTTPS, nothing else. */
  public readonly httpListener: elbv2.ApplicationListener;
  /** The load balancer's security group. */
  public readonly securityGroup: ec2.SecurityGroup;
  /** The web ACL. */
  public readonly webAcl: wafv2.CfnWebACL;
  /** The web ACL's log group. */
  public readonly webAclLogGroup: logs.LogGroup;
  /** The key that encrypts the web ACL's logs. */
  public readonly logKey: CustomerManagedKey;
  /** CIS2 sign-in on the listener's default action. */
  public readonly signIn: Cis2SignIn;
  /** The load balancer's DNS name (point the app's public name at it). */
  public readonly dnsName: string;
  /** The app's public DNS name, when given. */
  public readonly domainName?: string;
  /** The port the targets listen on. */
  public readonly targetPort: number;
  /** This edge's place (0-based) among the app's edges. */
  public readonly edgeIndex: number;
  /** How many edges the app has (1 for an app serving at most 100 trusts). */
  public readonly edgeCount: number;
  private readonly plan: AddressPlan;
  private targetCount = 0;
  private readonly targetGroups = new Map<string, elbv2.ApplicationTargetGroup>();
  private readonly hostNames = new Map<string, string>();

  constructor(scope: Construct, id: string, props: InternetAppEdgeProps) {
    super(scope, id);
    const { spec, appName, addressPlan: plan } = props;
    const app = findApp(spec, appName);
    requireIngress(app, AppIngress.INTERNET, 'an internet edge');
    const served = app.trusts ?? [];
    if (served.length === 0) throw BackboneError.of('appName', `app "${appName}" serves no trust`);
    const certificateArn = checkCertificateArn(spec, props.certificateArn, appName);
    const sslPolicy = checkSslPolicy(props.sslPolicy);
    const targetPort = checkPort(props.targetPort);
    const healthCheckPath = checkHealthPath(props.healthCheckPath);
    const domainName = checkDomainName(props.domainName, appName, served.length);
    const rateLimit = checkRateLimit(props.rateLimit);
    const slot = plan.lock.apps[appName];
    if (slot === undefined) throw BackboneError.of('addressPlan', `has no slot for app "${appName}": allocate one (AddressPlan.allocateApp)`);
    const shards = shardsOf(spec, plan, appName);
    const index = checkEdgeIndex(props.edgeIndex ?? 0, appName, shards.length);
    // This edge's trusts; every name of the first edge is a single edge's, edge k's has -<k> after the app's name.
    const trusts = shards[index];
    const k = index + 1;
    const edgeName = index === 0 ? `edge-${appName}` : `edge-${appName}-${k}`;
    const ofEdge = index === 0 ? '' : ` (edge ${k} of ${shards.length})`;
    this.edgeIndex = index;
    this.edgeCount = shards.length;
    this.appName = appName;
    this.plan = plan;
    this.domainName = domainName;
    this.targetPort = targetPort;
    const hub = (purpose: string) => spec.naming.hub(purpose);

    // ---- the hub VPC and the edge subnets, by their SSM values -----------------
    const azs = AWS_AZS(spec);
    const subnetIds = EDGE_SUBNET_VALUES.map((v) => readEdgeValue(this, spec, v));
    const vpc = ec2.Vpc.fromVpcAttributes(this, 'HubVpc', {
      vpcId: readEdgeValue(this, spec, EdgeValue.VPC_ID),
      availabilityZones: azs,
      publicSubnetIds: subnetIds,
      publicSubnetIpv4CidrBlocks: edgeSubnetCidrs(plan),
    });
    const subnets = subnetIds.map((subnetId, i) => ec2.Subnet.fromSubnetAttributes(this, `EdgeSubnet${i + 1}`, {
      subnetId, availabilityZone: azs[i], ipv4CidrBlock: edgeSubnetCidrs(plan)[i],
    }));

    // ---- security group: the declared ingress ---------------------------------
    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc,
      securityGroupName: hub(edgeName),
      description: `Internet edge of app ${appName}${ofEdge}: HTTPS (and HTTP, redirected) from anywhere, behind WAF and CIS2`,
      allowAllOutbound: false,
    });
    this.securityGroup.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'HTTPS from the internet (declared app ingress)');
    this.securityGroup.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(80), 'HTTP from the internet, redirected to HTTPS');
    this.securityGroup.addEgressRule(ec2.Peer.ipv4(plan.addressPool), ec2.Port.tcp(targetPort), `to app ${appName}'s targets in the trusts (the hub firewall limits it to the app's subnets)`);
    // NHS-NET-1: inbound from the internet is this app's declared ingress. The tags make the group a
    // declared edge (the stack's record lists the app), so the rule checks it rather than an acknowledgement.
    Tags.of(this.securityGroup).add('nhs-backbone:app', appName);
    Tags.of(this.securityGroup).add('nhs-backbone:ingress', AppIngress.INTERNET);

    // ---- the load balancer --------------------------------------------------
    this.loadBalancer = new elbv2.ApplicationLoadBalancer(this, 'Resource', {
      loadBalancerName: fitName(hub(edgeName), 32),
      vpc,
      vpcSubnets: { subnets },
      internetFacing: true,
      securityGroup: this.securityGroup,
      deletionProtection: true,
      dropInvalidHeaderFields: true,
      http2Enabled: true,
    });
    hardenLoadBalancer(this.loadBalancer);
    Tags.of(this.loadBalancer).add('nhs-backbone:app', appName);
    Tags.of(this.loadBalancer).add('nhs-backbone:ingress', AppIngress.INTERNET);
    deliverAccessLogs(this, spec, this.loadBalancer, hub(`alb-${edgeName}`), index === 0 ? `edge/${appName}` : `edge/${appName}-${k}`);
    this.dnsName = this.loadBalancer.loadBalancerDnsName;

    this.httpListener = this.loadBalancer.addListener('Http', {
      port: 80,
      protocol: elbv2.ApplicationProtocol.HTTP,
      open: false,
      defaultAction: elbv2.ListenerAction.redirect({ protocol: 'HTTPS', port: '443', permanent: true }),
    });
    acknowledgeNag(this.httpListener, ['ELBv2ACMCertificateRequired'],
      'Port 80 serves nothing: its only action is a permanent redirect to HTTPS on 443, whose listener has the ACM certificate and a TLS 1.2+ policy.');
    this.httpsListener = this.loadBalancer.addListener('Https', {
      port: 443,
      protocol: elbv2.ApplicationProtocol.HTTPS,
      certificates: [elbv2.ListenerCertificate.fromArn(certificateArn)],
      sslPolicy,
      open: false,
    });

    // ---- a target group per trust, behind CIS2 ---------------------------------
    for (const ods of trusts) {
      this.targetGroups.set(ods, new elbv2.ApplicationTargetGroup(this, `Targets${ods}`, {
        targetGroupName: fitName(spec.naming.trust(ods, edgeName), 32),
        vpc,
        targetType: elbv2.TargetType.IP,
        protocol: elbv2.ApplicationProtocol.HTTPS,
        port: targetPort,
        deregistrationDelay: Duration.seconds(30),
        healthCheck: { protocol: elbv2.Protocol.HTTPS, path: healthCheckPath, healthyHttpCodes: '200-399' },
      }));
    }
    const sessionTimeout = props.sessionTimeout;
    // One trust in all (not in this edge): the default action forwards. Several: a host rule per trust, on every edge.
    if (served.length === 1) {
      const only = trusts[0];
      this.hostNames.set(only, domainName ?? this.dnsName);
      this.signIn = new Cis2SignIn(this, 'SignIn', {
        spec,
        appName,
        listener: this.httpsListener,
        sessionTimeout,
        next: elbv2.ListenerAction.forward([this.targetGroups.get(only)!]),
      });
    } else {
      this.signIn = new Cis2SignIn(this, 'SignIn', {
        spec,
        appName,
        listener: this.httpsListener,
        sessionTimeout,
        next: elbv2.ListenerAction.fixedResponse(404, {
          contentType: 'text/plain',
          messageBody: `Use your trust's address: https://<your trust's ODS code>.${domainName}/`,
        }),
      });
      for (const ods of trusts) {
        const host = `${ods.toLowerCase()}.${domainName}`;
        this.hostNames.set(ods, host);
        // Cis2SignIn adds its action under the listener it is given, with an id
        // from the app's name: one imported view of the same listener per trust
        // keeps the rules' ids apart while every rule still signs in with CIS2.
        const listener = elbv2.ApplicationListener.fromApplicationListenerAttributes(this, `HttpsListener${ods}`, {
          listenerArn: this.httpsListener.listenerArn,
          securityGroup: this.securityGroup,
        });
        new Cis2SignIn(this, `SignIn${ods}`, {
          spec,
          appName,
          listener,
          sessionTimeout,
          conditions: [elbv2.ListenerCondition.hostHeaders([host])],
          priority: plan.trustSlot(ods) + 1,
          next: elbv2.ListenerAction.forward([this.targetGroups.get(ods)!]),
        });
      }
    }

    // ---- AWS WAF ---------------------------------------------------------------
    const metric = (name: string) => `${pascal(appName)}${index === 0 ? '' : `Edge${k}`}${name}`;
    const visibility = (name: string): wafv2.CfnWebACL.VisibilityConfigProperty => ({
      cloudWatchMetricsEnabled: true, sampledRequestsEnabled: true, metricName: metric(name),
    });
    const countOnly = props.commonRuleSetCountOnly ?? [];
    countOnly.forEach((r, i) => {
      if (typeof r !== 'string' || !/^[A-Za-z0-9_]+$/.test(r)) {
        throw BackboneError.of(`commonRuleSetCountOnly[${i}]`, `${JSON.stringify(r)} is not a rule name of AWSManagedRulesCommonRuleSet (e.g. SizeRestrictions_BODY)`);
      }
    });
    this.webAcl = new wafv2.CfnWebACL(this, 'WebAcl', {
      name: hub(edgeName),
      description: `nhs-backbone ${spec.name}: internet edge of app ${appName}${ofEdge}`,
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      visibilityConfig: visibility('WebAcl'),
      rules: [
        {
          name: 'RateLimitPerAddress',
          priority: 0,
          action: { block: {} },
          statement: { rateBasedStatement: { limit: rateLimit, aggregateKeyType: 'IP', evaluationWindowSec: 300 } },
          visibilityConfig: visibility('RateLimit'),
        },
        ...MANAGED_RULE_GROUPS.map((name, i) => ({
          name: `AWS-${name}`,
          priority: i + 1,
          overrideAction: { none: {} },
          statement: {
            managedRuleGroupStatement: {
              vendorName: 'AWS',
              name,
              ...(name === 'AWSManagedRulesCommonRuleSet' && countOnly.length > 0
                ? { ruleActionOverrides: countOnly.map((r) => ({ name: r, actionToUse: { count: {} } })) }
                : {}),
            },
          },
          visibilityConfig: visibility(name.replace('AWSManagedRules', '')),
        })),
      ],
    });
    new wafv2.CfnWebACLAssociation(this, 'WebAclAssociation', {
      resourceArn: this.loadBalancer.loadBalancerArn,
      webAclArn: this.webAcl.attrArn,
    });

    // WAF logs: CloudWatch Logs (the group's name must start with aws-waf-logs-), with a key of the edge's own.
    const logGroupName = `aws-waf-logs-${hub(edgeName)}`;
    this.logKey = new CustomerManagedKey(this, 'LogKey', { spec, dataClass: index === 0 ? `edge-${slot}` : `edge-${slot}-${k}` });
    this.logKey.key.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'CloudWatchLogsWafLogs',
      principals: [new iam.ServicePrincipal(`logs.${Aws.REGION}.amazonaws.com`)],
      actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
      resources: ['*'],
      conditions: {
        ArnEquals: { 'kms:EncryptionContext:aws:logs:arn': `arn:${Aws.PARTITION}:logs:${Aws.REGION}:${Aws.ACCOUNT_ID}:log-group:${logGroupName}` },
      },
    }));
    this.webAclLogGroup = new logs.LogGroup(this, 'WebAclLogs', {
      logGroupName,
      encryptionKey: this.logKey.key,
      retention: retentionAtLeast(spec.storage.logRetentionDays ?? 365),
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const logging = new wafv2.CfnLoggingConfiguration(this, 'WebAclLogging', {
      resourceArn: this.webAcl.attrArn,
      logDestinationConfigs: [Stack.of(this).formatArn({
        service: 'logs', resource: 'log-group', resourceName: logGroupName, arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      })],
      redactedFields: [{ singleHeader: { Name: 'cookie' } }, { singleHeader: { Name: 'authorization' } }],
    });
    logging.node.addDependency(this.webAclLogGroup);
  }

  /** The trusts this edge carries (all the app serves, unless it has several edges), in the app's spec order. */
  public get trusts(): string[] {
    return [...this.targetGroups.keys()];
  }

  /** A trust's target group (IP targets in the app's /27 in that trust). */
  public targetGroupIn(odsCode: string): elbv2.ApplicationTargetGroup {
    return entryOf(this.targetGroups, odsCode, 'odsCode', this.notServed(odsCode));
  }

  /** The host name a trust's users reach the app at (`<ods>.<domainName>`, or the app's only name). */
  public hostNameIn(odsCode: string): string {
    return entryOf(this.hostNames, odsCode, 'odsCode', this.notServed(odsCode));
  }

  /**
   * Registers a target of a trust's copy of the app by its private address,
   * which must lie in the app's /27 in that trust. The address is outside the
   * hub VPC, so it is registered for every zone (`all`).
   * @param odsCode the trust
   * @param ip the target's IPv4 address
   * @param port the target's port (default: `targetPort`)
   */
  public addTargetIp(odsCode: string, ip: string, port?: number): void {
    const group = this.targetGroupIn(odsCode);
    checkIpIn(ip, this.plan.appSubnet(odsCode, this.appName), 'ip', `app ${this.appName}'s subnet in trust ${odsCode}`);
    group.addTarget(new targets.IpTarget(ip, port === undefined ? undefined : checkPort(port, 'port'), 'all'));
    this.targetCount++;
    if (this.targetCount === ALB_TARGETS_QUOTA + 1) {
      Annotations.of(this).addWarningV2('nhs-backbone:edge-alb-quota',
        `app ${this.appName}'s edge ${this.edgeIndex + 1} has more than ${ALB_TARGETS_QUOTA} targets, over the default quota of "Targets per Application Load Balancer"; ask AWS to raise it before deploying`);
    }
  }

  private notServed(odsCode: string): string {
    return this.edgeCount === 1
      ? `"${odsCode}" is not a trust app ${this.appName} serves (${this.trusts.join(', ')})`
      : `"${odsCode}" is not a trust edge ${this.edgeIndex + 1} of app ${this.appName} carries (${this.trusts.join(', ')}): see InternetAppEdge.edgeIndexOf`;
  }
}

/**
 * Splits an internet app's trusts into edges of at most MAX_TRUSTS_PER_EDGE:
 * by rank in address-lock slot order (a trust new to the backbone ranks
 * last), each edge's trusts kept in the app's spec order. At most 100 trusts:
 * one edge with the trusts in spec order, as before sharding.
 */
function shardsOf(spec: BackboneSpec, plan: AddressPlan, appName: string): string[][] {
  return shardTrustsBySlot(findApp(spec, appName).trusts ?? [], plan, InternetAppEdge.MAX_TRUSTS_PER_EDGE);
}

function checkEdgeIndex(index: number, app: string, count: number): number {
  if (!Number.isInteger(index) || index < 0 || index >= count) {
    throw BackboneError.of('edgeIndex', `${index} is not the place of an edge of app ${app} (0 to ${count - 1}: it serves ${count > 1 ? 'more than ' : 'at most '}${InternetAppEdge.MAX_TRUSTS_PER_EDGE} trusts, ${InternetAppEdge.MAX_TRUSTS_PER_EDGE} per edge)`);
  }
  return index;
}

function checkDomainName(name: string | undefined, app: string, trusts: number): string | undefined {
  if (name === undefined) {
    if (trusts > 1) {
      throw BackboneError.of('domainName', `is required: app "${app}" serves ${trusts} trusts, each reached at <ods>.<domainName>`);
    }
    return undefined;
  }
  // A deploy-time value (e.g. an SSM parameter, Backbone.domainParameterName): checked by the load balancer.
  if (Token.isUnresolved(name)) return name;
  const ok = typeof name === 'string' && name.length <= 200
    && /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/.test(name);
  if (!ok) throw BackboneError.of('domainName', `${JSON.stringify(name)} is not a lower-case DNS name (e.g. reporting.example.nhs.uk)`);
  return name;
}

function checkRateLimit(limit: number | undefined): number {
  const l = limit ?? 1000;
  if (!Number.isInteger(l) || l < 10 || l > 2_000_000_000) {
    throw BackboneError.of('rateLimit', `${l} is not allowed (a whole number of requests per 5 minutes from one address, 10 to 2000000000)`);
  }
  return l;
}
