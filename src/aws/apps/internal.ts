import {
  Aws, CfnResource, Token,
  aws_elasticloadbalancingv2 as elbv2,
  aws_logs as logs,
  aws_ssm as ssm,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { AddressPlan, HubSubnet } from '../../core/address-plan';
import { HSCN_CLIENT_RANGE } from '../../core/app-contract';
import { BackboneSpec } from '../../core/backbone-spec';
import { Cidr } from '../../core/cidr';
import { ACKNOWLEDGEMENTS_KEY, NhsComplianceProfile } from '../../core/compliance';
import { BackboneError } from '../../core/errors';
import { Cloud } from '../../core/regions';
import { acknowledgeGuard, acknowledgeNag } from '../compliance/internal';
import { CentralLogStore } from '../logging/central-log-store';
import { fitName } from '../storage/internal';
export { findApp, ingressOf, requireServes, requireIngress } from '../../core/app-contract';

// Helpers shared by the app constructs. Not re-exported from index.ts: not
// part of the jsii API.

/**
 * Where HSCN clients come from: the NHS's private range on the HSCN (N3 /
 * Transition Network addressing policy). The same range the hub routes to the
 * HSCN (hub-network.ts, HSCN_PRIVATE_RANGE); the HSCN DNS resolvers
 * (155.231.231.1/.2) are servers, not clients, and are not in it.
 */
export const HSCN_CLIENT_RANGES = [HSCN_CLIENT_RANGE];

/** The port (HTTPS) the load balancers reach an app's targets on, unless told otherwise. */
export const DEFAULT_TARGET_PORT = 8443;

/**
 * TLS policies an app's listener may use: TLS 1.2 or later, forward-secret
 * AEAD ciphers (AWS's TLS13-1-2 family without the "Ext" policies that re-admit
 * CBC and SHA-1 ciphers), or TLS 1.3 only; FIPS and post-quantum variants too.
 */
export const ALLOWED_SSL_POLICIES: string[] = [
  elbv2.SslPolicy.RECOMMENDED_TLS,
  elbv2.SslPolicy.TLS13_RES,
  elbv2.SslPolicy.TLS13_13,
  elbv2.SslPolicy.TLS13_12_PQ,
  elbv2.SslPolicy.TLS13_12_RES_PQ,
  elbv2.SslPolicy.TLS13_13_PQ,
  elbv2.SslPolicy.FIPS_TLS13_13,
  elbv2.SslPolicy.FIPS_TLS13_12_RES,
  elbv2.SslPolicy.FIPS_TLS13_12,
  elbv2.SslPolicy.FIPS_TLS13_13_PQ,
  elbv2.SslPolicy.FIPS_TLS13_12_PQ,
  elbv2.SslPolicy.FIPS_TLS13_12_RES_PQ,
];

/**
 * Checks a listener certificate: required, and (when not a token) an ACM or
 * ACM Private CA-issued certificate ARN in the backbone's region, or an IAM
 * server certificate ARN. Throws a BackboneError naming `certificateArn`.
 */
export function checkCertificateArn(spec: BackboneSpec, arn: unknown, app: string): string {
  if (arn === undefined || arn === null || arn === '') {
    throw BackboneError.of('certificateArn', `is required for app "${app}": give the ARN of the listener's certificate (an ACM certificate, public or issued by ACM Private CA, or one imported into ACM)`);
  }
  if (typeof arn !== 'string') {
    throw BackboneError.of('certificateArn', `${JSON.stringify(arn)} is not a certificate ARN`);
  }
  if (Token.isUnresolved(arn)) return arn;
  const region = spec.region(Cloud.AWS);
  const acm = /^arn:aws[a-z-]*:acm:([a-z0-9-]+):\d{12}:certificate\/[A-Za-z0-9-]+$/.exec(arn);
  const iam = /^arn:aws[a-z-]*:iam::\d{12}:server-certificate\/.+$/.test(arn);
  if (!acm && !iam) {
    throw BackboneError.of('certificateArn', `"${arn}" is not an ACM certificate ARN (arn:aws:acm:${region}:<account>:certificate/<id>)`);
  }
  if (acm && acm[1] !== region) {
    throw BackboneError.of('certificateArn', `"${arn}" is in ${acm[1]}: a load balancer's certificate must be in its own region, ${region}`);
  }
  return arn;
}

/** Checks a TLS policy (naming `sslPolicy`); the default is RECOMMENDED_TLS (TLS 1.2 and 1.3). */
export function checkSslPolicy(policy: elbv2.SslPolicy | undefined): elbv2.SslPolicy {
  const p = policy ?? elbv2.SslPolicy.RECOMMENDED_TLS;
  if (!ALLOWED_SSL_POLICIES.includes(p)) {
    throw BackboneError.of('sslPolicy', `${p} is not allowed: TLS 1.2 or later with forward-secret AEAD ciphers only (one of: ${ALLOWED_SSL_POLICIES.join(', ')})`);
  }
  return p;
}

/** Checks a target port (naming `targetPort`). */
export function checkPort(port: number | undefined, path: string = 'targetPort'): number {
  const p = port ?? DEFAULT_TARGET_PORT;
  if (Token.isUnresolved(p)) return p;
  if (!Number.isInteger(p) || p < 1 || p > 65535) {
    throw BackboneError.of(path, `${p} is not a TCP port (1-65535)`);
  }
  return p;
}

/** Checks a health check path (naming `healthCheckPath`). */
export function checkHealthPath(path: string | undefined): string {
  const p = path ?? '/';
  if (typeof p !== 'string' || !/^\/[\x21-\x7e]{0,1023}$/.test(p)) {
    throw BackboneError.of('healthCheckPath', `${JSON.stringify(p)} is not an HTTP path (starts with '/', printable characters, at most 1024)`);
  }
  return p;
}

/** Checks that `ip` is a single IPv4 address inside `cidr` (naming `path`). */
export function checkIpIn(ip: string, cidr: string, path: string, where: string): void {
  if (Token.isUnresolved(ip)) return;
  const c = Cidr.tryParse(`${ip}/32`);
  if (!c) throw BackboneError.of(path, `${JSON.stringify(ip)} is not an IPv4 address`);
  if (!Cidr.parse(cidr).contains(c)) {
    throw BackboneError.of(path, `${ip} is not in ${where} (${cidr}): an app's targets live in its own subnet only`);
  }
}

/**
 * Records acknowledgements of NHS compliance rules on a CloudFormation
 * resource's metadata (ACKNOWLEDGEMENTS_KEY), where `nhs-backbone check`
 * reads them. Each carries a written reason.
 */
export function acknowledge(resource: CfnResource, ruleId: string, reason: string): void {
  const ack = NhsComplianceProfile.checkAcknowledgement({ ruleId, reason });
  const existing = (resource.getMetadata(ACKNOWLEDGEMENTS_KEY) as Array<{ ruleId: string; reason: string }> | undefined) ?? [];
  resource.addMetadata(ACKNOWLEDGEMENTS_KEY, [...existing.filter((a) => a.ruleId !== ack.ruleId), ack]);
}

/** Why an app's load balancer has no classic access-log attribute (NHS-LOG-1). */
export const ACCESS_LOG_REASON = 'Access logs go through CloudWatch Logs vended log delivery (AWS::Logs::Delivery, log type ALB_ACCESS_LOGS) to the central log archive: '
  + 'classic ALB access logs accept only SSE-S3 buckets, and the archive is SSE-KMS with a customer key and Object Lock.';

/**
 * Sends a load balancer's access logs to the central log archive by name,
 * through CloudWatch Logs vended log delivery (V2): classic ALB access logs
 * (`access_logs.s3.*`) accept only SSE-S3 buckets, and the archive is
 * SSE-KMS with a customer key and Object Lock. The archive's bucket policy
 * lets `delivery.logs.amazonaws.com` write under `*\/AWSLogs/<account>/*`
 * with bucket-owner-full-control, and its key lets that service encrypt,
 * so the objects go under `alb-access-logs/<scope>/<app>/AWSLogs/<account>/`.
 */
export function deliverAccessLogs(scope: Construct, spec: BackboneSpec, lb: elbv2.ApplicationLoadBalancer, name: string, path: string): void {
  const deliveryName = fitName(name, 60);
  const source = new logs.CfnDeliverySource(scope, 'AccessLogSource', {
    name: deliveryName,
    logType: 'ALB_ACCESS_LOGS',
    resourceArn: lb.loadBalancerArn,
  });
  const destination = new logs.CfnDeliveryDestination(scope, 'AccessLogDestination', {
    name: deliveryName,
    destinationResourceArn: CentralLogStore.bucketArn(spec),
  });
  const delivery = new logs.CfnDelivery(scope, 'AccessLogDelivery', {
    deliverySourceName: deliveryName,
    deliveryDestinationArn: destination.attrArn,
    s3SuffixPath: `alb-access-logs/${path}/AWSLogs/${Aws.ACCOUNT_ID}/{yyyy}/{MM}/{dd}`,
  });
  delivery.node.addDependency(source);
  const cfn = lb.node.defaultChild as CfnResource;
  acknowledge(cfn, 'NHS-LOG-1', ACCESS_LOG_REASON);
  acknowledgeNag(lb, ['ELBLoggingEnabled'], ACCESS_LOG_REASON);
  acknowledgeGuard(lb, ['elbv2_logging_enabled_check'], ACCESS_LOG_REASON);
}

/** The attributes every app load balancer gets (besides deletion protection and dropping invalid headers). */
export function hardenLoadBalancer(lb: elbv2.ApplicationLoadBalancer): void {
  // Refuse requests that could smuggle a second request past the load balancer.
  lb.setAttribute('routing.http.desync_mitigation_mode', 'strictest');
  // Tell the app which TLS version and cipher the client used.
  lb.setAttribute('routing.http.x_amzn_tls_version_and_cipher_suite.enabled', 'true');
}

// ---- the public edge's subnets in the hub ---------------------------------

/** Zones (and so /26 subnets) the public edge uses. */
export const EDGE_ZONES = 3;

/**
 * The public edge's subnets: the /26s of the hub's EGRESS /24 above the
 * first (which holds the NAT gateways' /28s, one per zone). One per zone.
 */
export function edgeSubnetCidrs(plan: AddressPlan): string[] {
  const egress = Cidr.parse(plan.hubSubnet(HubSubnet.EGRESS));
  return Array.from({ length: EDGE_ZONES }, (_, i) => egress.subnet(26, i + 1).toString());
}

/** What the hub publishes about the public edge, for the app edge stacks. */
export enum EdgeValue {
  VPC_ID = 'edge-vpc-id',
  SUBNET_1 = 'edge-subnet-1-id',
  SUBNET_2 = 'edge-subnet-2-id',
  SUBNET_3 = 'edge-subnet-3-id',
}

/** The edge subnet values, in zone order. */
export const EDGE_SUBNET_VALUES = [EdgeValue.SUBNET_1, EdgeValue.SUBNET_2, EdgeValue.SUBNET_3];

/** SSM parameter name of an edge value (beside the hub's own, HubParameters). */
export function edgeParameterName(spec: BackboneSpec, value: EdgeValue): string {
  return `/nhs-backbone/${spec.name}/${spec.environment}/hub/${value}`;
}

/** Publishes an edge value (in the hub stack). */
export function publishEdgeValue(scope: Construct, spec: BackboneSpec, value: EdgeValue, stringValue: string): ssm.StringParameter {
  return new ssm.StringParameter(scope, `Param-${value}`, {
    parameterName: edgeParameterName(spec, value),
    stringValue,
    description: `nhs-backbone ${spec.name}: ${value} of the hub's public app edge, read by the app edge stacks`,
  });
}

/** Reads an edge value (in an app edge stack): a deploy-time SSM parameter reference. */
export function readEdgeValue(scope: Construct, spec: BackboneSpec, value: EdgeValue): string {
  return ssm.StringParameter.valueForStringParameter(scope, edgeParameterName(spec, value));
}

/** PascalCase of a kebab name, for construct ids. */
export function pascal(s: string): string {
  return s.split(/[^a-zA-Z0-9]+/).filter(Boolean).map((w) => w[0].toUpperCase() + w.slice(1)).join('');
}

/** The shortest CloudWatch Logs retention that keeps logs at least `days`. */
export function retentionAtLeast(days: number): logs.RetentionDays {
  const values = (Object.values(logs.RetentionDays).filter((v) => typeof v === 'number') as number[])
    .filter((v) => v !== logs.RetentionDays.INFINITE)
    .sort((a, b) => a - b);
  const fit = values.find((v) => v >= days);
  return (fit ?? logs.RetentionDays.INFINITE) as logs.RetentionDays;
}
