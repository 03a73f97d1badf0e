import {
  CfnResourceJson, ResourceRef, StackTemplate, acknowledgementsOf, allResources, bucketArnOf, isTaggable, list,
  normaliseArn, pointsTo, props, refTarget, render, resourcesOfType, stackRecordOf, tagsOf, withResourcesOf,
} from './template';
import { Cidr } from '../../core/cidr';
import { ComplianceFinding, NhsComplianceProfile, RECORDS_CATEGORY_TAG } from '../../core/compliance';
import { Cloud, UkRegions } from '../../core/regions';
import { RecordsCategory } from '../../core/retention';
import { NhsTagKey } from '../../core/tags';

// The NHS compliance profile over CloudFormation templates (JSON only, no
// aws-cdk-lib): one evaluator per rule, each a pure function of the stacks
// of a synthesised output. The same evaluators serve `nhs-backbone check`
// (checkSynthOutput) and synth time (NhsCompliancePlugin). Not part of the
// jsii API.

/** Tag that names the app a resource belongs to (WorkloadIdentity and app edges carry it). */
export const APP_TAG = 'nhs-backbone:app';
/** Tag that marks a resource as an app's declared ingress edge (`internet` or `hscn`). */
export const INGRESS_TAG = 'nhs-backbone:ingress';

/** What an evaluator reports before acknowledgements are applied. */
interface RawFinding {
  readonly stack: StackTemplate;
  /** Undefined for a finding about the stack as a whole. */
  readonly logicalId?: string;
  readonly resourceType: string;
  readonly message: string;
}

/** One rule's evaluator. */
type Evaluator = (stacks: StackTemplate[]) => RawFinding[];

/** The resource id a stack-level finding carries. */
export const STACK_RESOURCE = '(stack)';
const STACK_TYPE = 'AWS::CloudFormation::Stack';

const at = (r: ResourceRef, message: string): RawFinding =>
  ({ stack: r.stack, logicalId: r.logicalId, resourceType: r.resource.Type, message });
const onStack = (stack: StackTemplate, message: string): RawFinding =>
  ({ stack, resourceType: STACK_TYPE, message });

// ---- NHS-ENC-1: encryption at rest with a customer-managed key ---------------

/** A key reference that is a customer-managed key (present, not an `alias/aws/...` AWS-managed key). */
function customerKey(x: unknown, stack: StackTemplate): boolean {
  if (x === undefined || x === null || x === '') return false;
  const s = render(x, stack);
  return !/(^|:)alias\/aws\//.test(s);
}

type EncCheck = (p: { [k: string]: any }, stack: StackTemplate) => string | undefined;
const needKey = (field: string, what = field): EncCheck => (p, stack) =>
  (customerKey(p[field], stack) ? undefined : `is not encrypted with a customer-managed KMS key (${what})`);

/** The stores of data, and how each names its customer-managed key. */
const ENCRYPTION: { [type: string]: EncCheck } = {
  'AWS::S3::Bucket': (p, stack) => {
    const rules = list(p.BucketEncryption?.ServerSideEncryptionConfiguration);
    const kms = rules.map((r) => r?.ServerSideEncryptionByDefault).find((d) => ['aws:kms', 'aws:kms:dsse'].includes(d?.SSEAlgorithm));
    if (!kms) return 'is not encrypted with SSE-KMS (S3-managed keys are not customer keys)';
    return customerKey(kms.KMSMasterKeyID, stack) ? undefined : 'uses SSE-KMS without a customer-managed key (KMSMasterKeyID)';
  },
  'AWS::Logs::LogGroup': needKey('KmsKeyId'),
  'AWS::SNS::Topic': needKey('KmsMasterKeyId'),
  'AWS::SQS::Queue': needKey('KmsMasterKeyId'),
  'AWS::EFS::FileSystem': (p, stack) => (p.Encrypted === true || p.Encrypted === 'true') && customerKey(p.KmsKeyId, stack)
    ? undefined : 'is not encrypted with a customer-managed KMS key (Encrypted and KmsKeyId)',
  'AWS::Backup::BackupVault': needKey('EncryptionKeyArn'),
  'AWS::HealthImaging::Datastore': needKey('KmsKeyArn'),
  'AWS::DynamoDB::Table': (p, stack) => (p.SSESpecification?.SSEEnabled === true && p.SSESpecification?.SSEType === 'KMS' && customerKey(p.SSESpecification?.KMSMasterKeyId, stack))
    ? undefined : 'is not encrypted with a customer-managed KMS key (SSESpecification)',
  'AWS::RDS::DBInstance': (p, stack) => (p.DBClusterIdentifier !== undefined || ((p.StorageEncrypted === true || p.StorageEncrypted === 'true') && customerKey(p.KmsKeyId, stack)))
    ? undefined : 'is not encrypted with a customer-managed KMS key (StorageEncrypted and KmsKeyId)',
  'AWS::RDS::DBCluster': (p, stack) => ((p.StorageEncrypted === true || p.StorageEncrypted === 'true') && customerKey(p.KmsKeyId, stack))
    ? undefined : 'is not encrypted with a customer-managed KMS key (StorageEncrypted and KmsKeyId)',
  'AWS::SecretsManager::Secret': needKey('KmsKeyId'),
  'AWS::Kinesis::Stream': (p, stack) => (p.StreamEncryption?.EncryptionType === 'KMS' && customerKey(p.StreamEncryption?.KeyId, stack))
    ? undefined : 'is not encrypted with a customer-managed KMS key (StreamEncryption)',
  'AWS::EC2::Volume': (p, stack) => ((p.Encrypted === true || p.Encrypted === 'true') && customerKey(p.KmsKeyId, stack))
    ? undefined : 'is not encrypted with a customer-managed KMS key (Encrypted and KmsKeyId)',
  'AWS::ECR::Repository': (p, stack) => (p.EncryptionConfiguration?.EncryptionType === 'KMS' && customerKey(p.EncryptionConfiguration?.KmsKey, stack))
    ? undefined : 'is not encrypted with a customer-managed KMS key (EncryptionConfiguration)',
  'AWS::CloudTrail::Trail': needKey('KMSKeyId'),
  'AWS::OpenSearchService::Domain': (p, stack) => (p.EncryptionAtRestOptions?.Enabled === true && customerKey(p.EncryptionAtRestOptions?.KmsKeyId, stack))
    ? undefined : 'is not encrypted with a customer-managed KMS key (EncryptionAtRestOptions)',
  'AWS::Lambda::Function': (p, stack) => (Object.keys(p.Environment?.Variables ?? {}).length === 0 || customerKey(p.KmsKeyArn, stack))
    ? undefined : 'has environment variables not encrypted with a customer-managed KMS key (KmsKeyArn)',
};

/** The resource types NHS-ENC-1 checks. */
export function encryptedTypes(): string[] {
  return Object.keys(ENCRYPTION).sort();
}

const enc1: Evaluator = (stacks) => allResources(stacks).flatMap((r) => {
  const check = ENCRYPTION[r.resource.Type];
  const problem = check?.(props(r.resource), r.stack);
  return problem ? [at(r, problem)] : [];
});

// ---- NHS-RES-1: residency -------------------------------------------------------

const REGION_PATTERN = /\b((?:us-gov|us|eu|ap|sa|ca|me|af|il|mx|cn)-(?:east|west|north|south|central|northeast|northwest|southeast|southwest)-\d)(?![0-9])/g;
/** A part of every match of REGION_PATTERN (not global: for a quick `test`). */
const REGION_HINT = /-(?:east|west|north|south|central|northeast|northwest|southeast|southwest)-\d/;

/** The first region-looking literal in a value that the residency does not allow, with where it is. */
function foreignRegion(x: unknown, allowed: Set<string>, where: string): { region: string; where: string } | undefined {
  if (typeof x === 'string') {
    for (const m of x.matchAll(REGION_PATTERN)) if (!allowed.has(m[1])) return { region: m[1], where };
    return undefined;
  }
  if (Array.isArray(x)) {
    for (let i = 0; i < x.length; i++) {
      const f = foreignRegion(x[i], allowed, `${where}[${i}]`);
      if (f) return f;
    }
    return undefined;
  }
  if (x && typeof x === 'object') {
    for (const [k, v] of Object.entries(x)) {
      const f = foreignRegion(v, allowed, where ? `${where}.${k}` : k);
      if (f) return f;
    }
  }
  return undefined;
}

/**
 * A cheap pre-filter for foreignRegion: true when some string in the value
 * holds a region-looking literal outside `allowed` (so exactly when
 * foreignRegion finds one), without building the paths foreignRegion
 * reports. Strings without a `-<direction>-<digit>` part, which every match
 * of REGION_PATTERN has, are not matched at all.
 */
function hasForeignRegion(x: unknown, allowed: Set<string>): boolean {
  if (typeof x === 'string') {
    if (!REGION_HINT.test(x)) return false;
    for (const m of x.matchAll(REGION_PATTERN)) if (!allowed.has(m[1])) return true;
    return false;
  }
  if (Array.isArray(x)) {
    for (const v of x) if (hasForeignRegion(v, allowed)) return true;
    return false;
  }
  if (x && typeof x === 'object') {
    for (const k of Object.keys(x)) if (hasForeignRegion((x as { [k: string]: unknown })[k], allowed)) return true;
  }
  return false;
}

const res1: Evaluator = (stacks) => stacks.flatMap((stack) => {
  const { residency } = stackRecordOf(stack);
  const regions = UkRegions.allowedRegions(Cloud.AWS, residency);
  const allowed = new Set(regions);
  const out: RawFinding[] = [];
  if (stack.region === undefined) {
    out.push(onStack(stack, `is environment-agnostic: its region is chosen at deploy time, so its residency cannot be shown (give the stack an env region: ${regions.join(', ')})`));
  } else if (!allowed.has(stack.region)) {
    out.push(onStack(stack, `is in ${stack.region}, outside the regions residency ${residency} allows (${regions.join(', ')})`));
  }
  for (const [logicalId, resource] of Object.entries(stack.template.Resources ?? {})) {
    if (!hasForeignRegion(resource.Properties ?? {}, allowed)) continue;
    const f = foreignRegion(resource.Properties ?? {}, allowed, '');
    if (f) {
      out.push(at({ stack, logicalId, resource }, `refers to region ${f.region} (${f.where}), outside the regions residency ${residency} allows (${regions.join(', ')})`));
    }
  }
  return out;
});

// ---- NHS-NET-1: no inbound from the internet except declared app ingress ------------

const PRIVATE_V4 = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', '127.0.0.0/8', '169.254.0.0/16'].map((c) => Cidr.parse(c));

/**
 * True when a CIDR reaches beyond private address space (RFC 1918, shared
 * 100.64/10, loopback, link-local; IPv6 ULA fc00::/7 and link-local): the
 * internet. Unresolved values are not judged.
 */
export function isInternetCidr(cidr: unknown): boolean {
  if (typeof cidr !== 'string') return false;
  if (cidr.includes(':')) {
    const [addr, bitsText] = cidr.toLowerCase().split('/');
    const bits = Number(bitsText ?? 128);
    return !(bits >= 7 && /^f[cd]/.test(addr)) && !(bits >= 10 && /^fe[89ab]/.test(addr)) && addr !== '::1';
  }
  const c = Cidr.tryParse(cidr.includes('/') ? cidr : `${cidr}/32`);
  return c !== undefined && !PRIVATE_V4.some((p) => p.contains(c));
}

/** Why a resource is reachable from the internet, or undefined. */
function internetExposure(r: ResourceRef, stacks: StackTemplate[]): string | undefined {
  const p = props(r.resource);
  switch (r.resource.Type) {
    case 'AWS::EC2::SecurityGroup': {
      const open = list(p.SecurityGroupIngress).find((i) => isInternetCidr(i?.CidrIp) || isInternetCidr(i?.CidrIpv6));
      return open ? `admits ${open.CidrIp ?? open.CidrIpv6} (${portsOf(open)}): inbound from the internet` : undefined;
    }
    case 'AWS::EC2::SecurityGroupIngress':
      return isInternetCidr(p.CidrIp) || isInternetCidr(p.CidrIpv6) ? `admits ${p.CidrIp ?? p.CidrIpv6} (${portsOf(p)}): inbound from the internet` : undefined;
    case 'AWS::ElasticLoadBalancingV2::LoadBalancer':
    case 'AWS::ElasticLoadBalancing::LoadBalancer':
      return (p.Scheme ?? 'internet-facing') === 'internet-facing' ? 'is an internet-facing load balancer' : undefined;
    case 'AWS::EC2::Subnet':
      return p.MapPublicIpOnLaunch === true || p.MapPublicIpOnLaunch === 'true' ? 'gives every instance launched in it a public IP (MapPublicIpOnLaunch)' : undefined;
    case 'AWS::EC2::Instance':
      return list(p.NetworkInterfaces).some((n) => n?.AssociatePublicIpAddress === true || n?.AssociatePublicIpAddress === 'true') ? 'has a public IP address' : undefined;
    case 'AWS::EC2::LaunchTemplate':
      return list(p.LaunchTemplateData?.NetworkInterfaces).some((n) => n?.AssociatePublicIpAddress === true) ? 'launches instances with public IP addresses' : undefined;
    case 'AWS::ECS::Service':
      return p.NetworkConfiguration?.AwsvpcConfiguration?.AssignPublicIp === 'ENABLED' ? 'gives its tasks public IP addresses (AssignPublicIp)' : undefined;
    case 'AWS::Lambda::Url':
      return p.AuthType === 'NONE' ? 'is a function URL anyone on the internet can call (AuthType NONE)' : undefined;
    case 'AWS::ApiGateway::RestApi':
      return list(p.EndpointConfiguration?.Types).every((t) => t === 'PRIVATE') && list(p.EndpointConfiguration?.Types).length > 0 ? undefined : 'is a public API Gateway endpoint';
    case 'AWS::ApiGatewayV2::Api':
      return 'is a public API Gateway (HTTP/WebSocket) endpoint';
    case 'AWS::CloudFront::Distribution':
      return 'is a CloudFront distribution (an internet edge)';
    case 'AWS::RDS::DBInstance':
      return p.PubliclyAccessible === true || p.PubliclyAccessible === 'true' ? 'is publicly accessible' : undefined;
    case 'AWS::S3::Bucket': {
      const b = p.PublicAccessBlockConfiguration ?? {};
      const all = ['BlockPublicAcls', 'BlockPublicPolicy', 'IgnorePublicAcls', 'RestrictPublicBuckets'].every((k) => b[k] === true || b[k] === 'true');
      return all ? undefined : 'does not block public access on all four Block Public Access settings';
    }
    default:
      void stacks;
      return undefined;
  }
}

function portsOf(rule: any): string {
  if (rule?.IpProtocol === '-1' || rule?.IpProtocol === -1) return 'all traffic';
  return `${rule?.IpProtocol ?? 'tcp'} ${rule?.FromPort ?? ''}${rule?.ToPort !== undefined && rule?.ToPort !== rule?.FromPort ? `-${rule.ToPort}` : ''}`;
}

/** The resource whose tags decide whether an exposure is a declared edge (a rule's security group for an ingress rule). */
function taggedOwner(r: ResourceRef): CfnResourceJson {
  if (r.resource.Type === 'AWS::EC2::SecurityGroupIngress') {
    const sg = refTarget(props(r.resource).GroupId);
    const owner = sg ? r.stack.template.Resources?.[sg] : undefined;
    if (owner) return owner;
  }
  return r.resource;
}

/** The edge controls a declared internet ingress needs (WAF; CIS2 sign-in on load balancers), or what is missing. */
function missingEdgeControls(r: ResourceRef): string[] {
  const resources = Object.entries(r.stack.template.Resources ?? {});
  const missing: string[] = [];
  if (r.resource.Type === 'AWS::ElasticLoadBalancingV2::LoadBalancer' && (props(r.resource).Type ?? 'application') === 'application') {
    const waf = resources.some(([, x]) => x.Type === 'AWS::WAFv2::WebACLAssociation' && pointsTo(props(x).ResourceArn, r.logicalId));
    if (!waf) missing.push('a WAF web ACL (AWS::WAFv2::WebACLAssociation)');
    const listeners = resources.filter(([, x]) => x.Type === 'AWS::ElasticLoadBalancingV2::Listener' && pointsTo(props(x).LoadBalancerArn, r.logicalId));
    const ids = new Set(listeners.map(([id]) => id));
    const actions = [
      ...listeners.flatMap(([, l]) => list(props(l).DefaultActions)),
      ...resources.filter(([, x]) => x.Type === 'AWS::ElasticLoadBalancingV2::ListenerRule' && ids.has(refTarget(props(x).ListenerArn) ?? ''))
        .flatMap(([, x]) => list(props(x).Actions)),
    ];
    if (!actions.some((a) => a?.Type === 'authenticate-oidc')) missing.push('CIS2 sign-in (an authenticate-oidc listener action)');
    if (listeners.some(([, l]) => props(l).Protocol === 'HTTP' && !list(props(l).DefaultActions).every((a) => a?.Type === 'redirect'))) {
      missing.push('HTTPS only (an HTTP listener serves content)');
    }
  } else if (r.resource.Type === 'AWS::CloudFront::Distribution' && !props(r.resource).DistributionConfig?.WebACLId) {
    missing.push('a WAF web ACL (WebACLId)');
  }
  return missing;
}

const net1: Evaluator = (stacks) => allResources(stacks).flatMap((r) => {
  const exposure = internetExposure(r, stacks);
  if (!exposure) return [];
  const tags = tagsOf(taggedOwner(r));
  const app = tags[APP_TAG];
  const declared = app !== undefined && tags[INGRESS_TAG] === 'internet' && stackRecordOf(r.stack).internetIngressApps.includes(app);
  if (!declared) {
    const claim = app !== undefined && tags[INGRESS_TAG] === 'internet'
      ? ` (tagged as app ${app}'s internet edge, but the stack declares no internet ingress for ${app})` : '';
    return [at(r, `${exposure}${claim}`)];
  }
  const missing = missingEdgeControls(r);
  return missing.length > 0 ? [at(r, `is app ${app}'s declared internet edge but lacks ${missing.join(', ')}`)] : [];
});

// ---- NHS-TAG-1: the ODS-code tag ----------------------------------------------------

const tag1: Evaluator = (stacks) => allResources(stacks).flatMap((r) => {
  if (!isTaggable(r.resource.Type)) return [];
  const v = tagsOf(r.resource)[NhsTagKey.ODS_CODE];
  return v && v.trim() !== '' ? [] : [at(r, `has no "${NhsTagKey.ODS_CODE}" tag`)];
});

// ---- NHS-LOG-1: audit and flow logs -------------------------------------------------

/** One data-event selector of a trail, reduced to what coverage needs. */
interface DataSelector {
  readonly type: string;
  readonly startsWith: string[];
  readonly notStartsWith: string[];
  readonly equals: string[];
  /** True when it records only some events (readOnly or eventName conditions). */
  readonly partial: boolean;
}

interface TrailFacts {
  readonly trails: ResourceRef[];
  readonly managementTrails: ResourceRef[];
  readonly selectors: DataSelector[];
}

function trailFacts(stacks: StackTemplate[]): TrailFacts {
  const trails = resourcesOfType(stacks, 'AWS::CloudTrail::Trail');
  const managementTrails: ResourceRef[] = [];
  const selectors: DataSelector[] = [];
  for (const t of trails) {
    const p = props(t.resource);
    if (!(p.IsLogging === true || p.IsLogging === 'true')) continue;
    const advanced = list(p.AdvancedEventSelectors);
    const basic = list(p.EventSelectors);
    if (advanced.length > 0) {
      for (const sel of advanced) {
        const fields = list(sel?.FieldSelectors);
        const field = (name: string) => fields.find((f) => f?.Field === name);
        const category = list(field('eventCategory')?.Equals);
        if (category.includes('Management')) managementTrails.push(t);
        if (!category.includes('Data')) continue;
        const arn = field('resources.ARN');
        const partial = fields.some((f) => f?.Field === 'readOnly' || f?.Field === 'eventName' || f?.Field === 'eventSource' || f?.Field === 'userIdentity.arn');
        for (const type of list(field('resources.type')?.Equals)) {
          selectors.push({
            type,
            startsWith: list(arn?.StartsWith).map((x) => normaliseArn(render(x, t.stack))),
            notStartsWith: list(arn?.NotStartsWith).map((x) => normaliseArn(render(x, t.stack))),
            equals: list(arn?.Equals).map((x) => normaliseArn(render(x, t.stack))),
            partial,
          });
        }
      }
    } else {
      if (basic.length === 0 || basic.some((s) => s?.IncludeManagementEvents !== false)) managementTrails.push(t);
      for (const s of basic) {
        const partial = s?.ReadWriteType !== undefined && s.ReadWriteType !== 'All';
        for (const d of list(s?.DataResources)) {
          const values = list(d?.Values).map((x) => normaliseArn(render(x, t.stack)));
          const all = values.some((v) => /^arn:\$\{AWS::Partition\}:s3:?:?:?$/.test(v) || v === 'arn:${AWS::Partition}:s3:::');
          selectors.push({ type: d?.Type, startsWith: all ? [] : values, notStartsWith: [], equals: [], partial });
        }
      }
    }
  }
  return { trails, managementTrails, selectors };
}

/** How a trail's data events cover a resource: fully, partly (some events only) or not at all. */
function coverage(facts: TrailFacts, type: string, arnPrefix: string | undefined): 'full' | 'partial' | 'none' {
  let best: 'full' | 'partial' | 'none' = 'none';
  for (const s of facts.selectors) {
    if (s.type !== type) continue;
    const restricted = s.startsWith.length > 0 || s.equals.length > 0;
    if (arnPrefix === undefined) {
      if (restricted || s.notStartsWith.length > 0) continue;
    } else {
      if (s.startsWith.length > 0 && !s.startsWith.some((x) => arnPrefix.startsWith(x) || x.startsWith(arnPrefix))) continue;
      if (s.startsWith.length === 0 && s.equals.length > 0) continue;
      if (s.notStartsWith.some((x) => arnPrefix.startsWith(x) || x.startsWith(arnPrefix))) continue;
    }
    if (!s.partial) return 'full';
    best = 'partial';
  }
  return best;
}

/**
 * True when a load balancer's access logs go through CloudWatch Logs vended
 * log delivery: a delivery source of type ALB_ACCESS_LOGS for it, and a
 * delivery from that source (the way to an SSE-KMS bucket).
 */
function vendedAccessLogs(resources: { [id: string]: CfnResourceJson }, lbId: string): boolean {
  const sources = Object.entries(resources).filter(([, x]) => x.Type === 'AWS::Logs::DeliverySource'
    && props(x).LogType === 'ALB_ACCESS_LOGS' && pointsTo(props(x).ResourceArn, lbId));
  return sources.some(([id, src]) => Object.values(resources).some((d) => d.Type === 'AWS::Logs::Delivery'
    && (pointsTo(props(d).DeliverySourceName, id) || (typeof props(d).DeliverySourceName === 'string' && props(d).DeliverySourceName === props(src).Name))));
}

const log1: Evaluator = (stacks) => {
  const out: RawFinding[] = [];
  const facts = trailFacts(stacks);
  const all = allResources(stacks);

  // The account's audit trail.
  if (facts.trails.length === 0 && stacks.length > 0) {
    out.push(onStack(stacks[0], 'the output has no CloudTrail trail, so no audit log of API calls is shown to be on'));
  }
  for (const t of facts.trails) {
    const p = props(t.resource);
    if (!(p.IsLogging === true || p.IsLogging === 'true')) out.push(at(t, 'is a trail that is not logging (IsLogging)'));
    if (!(p.EnableLogFileValidation === true || p.EnableLogFileValidation === 'true')) out.push(at(t, 'does not validate its log files (EnableLogFileValidation): tampering would go unseen'));
  }
  if (facts.trails.length > 0 && facts.managementTrails.length === 0) {
    for (const t of facts.trails) out.push(at(t, 'records no management events, and no other trail in the output does'));
  }

  for (const r of all) {
    const p = props(r.resource);
    const resources = r.stack.template.Resources ?? {};
    switch (r.resource.Type) {
      case 'AWS::EC2::VPC': {
        const logs = Object.values(resources).filter((x) => x.Type === 'AWS::EC2::FlowLog' && pointsTo(props(x).ResourceId, r.logicalId));
        if (logs.length === 0) out.push(at(r, 'has no VPC flow log'));
        else if (!logs.some((x) => props(x).TrafficType === 'ALL')) out.push(at(r, 'has flow logs of accepted or rejected traffic only (TrafficType is not ALL)'));
        break;
      }
      case 'AWS::S3::Bucket': {
        if (p.LoggingConfiguration) break;
        const arn = bucketArnOf(r.resource);
        const cover = coverage(facts, 'AWS::S3::Object', arn ? `${arn}/` : undefined);
        if (cover === 'none') out.push(at(r, 'has no access log: no server access logging and no trail records its object-level (data) events'));
        else if (cover === 'partial') out.push(at(r, 'has a partial access log: the trail records only some of its object-level events'));
        break;
      }
      case 'AWS::HealthImaging::Datastore':
        if (coverage(facts, 'AWS::MedicalImaging::Datastore', undefined) !== 'full') {
          out.push(at(r, 'has no access log: no trail records HealthImaging data events (AWS::MedicalImaging::Datastore) of every datastore'));
        }
        break;
      case 'AWS::ElasticLoadBalancingV2::LoadBalancer': {
        const type = p.Type ?? 'application';
        const logged = list(p.LoadBalancerAttributes).some((a) => a?.Key === 'access_logs.s3.enabled' && String(a?.Value) === 'true')
          || vendedAccessLogs(resources, r.logicalId);
        if (logged || type === 'gateway') break;
        if (type === 'application') {
          out.push(at(r, 'is an application load balancer without access logs (access_logs.s3.enabled)'));
        } else {
          const tls = Object.values(resources).some((x) => x.Type === 'AWS::ElasticLoadBalancingV2::Listener' && pointsTo(props(x).LoadBalancerArn, r.logicalId) && props(x).Protocol === 'TLS');
          if (tls) out.push(at(r, 'is a network load balancer with a TLS listener but no access logs (access_logs.s3.enabled)'));
        }
        break;
      }
      case 'AWS::NetworkFirewall::Firewall': {
        const types = new Set(Object.values(resources)
          .filter((x) => x.Type === 'AWS::NetworkFirewall::LoggingConfiguration' && pointsTo(props(x).FirewallArn, r.logicalId))
          .flatMap((x) => list(props(x).LoggingConfiguration?.LogDestinationConfigs).map((c) => c?.LogType)));
        const missing = ['FLOW', 'ALERT'].filter((t) => !types.has(t));
        if (missing.length > 0) out.push(at(r, `does not log ${missing.join(' and ')} (AWS::NetworkFirewall::LoggingConfiguration)`));
        break;
      }
      case 'AWS::ECS::TaskDefinition': {
        const bare = list(p.ContainerDefinitions).filter((c) => !c?.LogConfiguration).map((c) => c?.Name ?? '?');
        if (bare.length > 0) out.push(at(r, `has containers without a log configuration (${bare.join(', ')})`));
        break;
      }
      case 'AWS::ApiGateway::Stage':
        if (!p.AccessLogSetting?.DestinationArn) out.push(at(r, 'has no access log (AccessLogSetting)'));
        break;
      case 'AWS::ApiGatewayV2::Stage':
        if (!p.AccessLogSettings?.DestinationArn) out.push(at(r, 'has no access log (AccessLogSettings)'));
        break;
      case 'AWS::CloudFront::Distribution':
        if (!p.DistributionConfig?.Logging) out.push(at(r, 'has no access log (DistributionConfig.Logging)'));
        break;
      case 'AWS::RDS::DBInstance':
      case 'AWS::RDS::DBCluster':
        if (p.DBClusterIdentifier === undefined && list(p.EnableCloudwatchLogsExports).length === 0) out.push(at(r, 'exports no database logs (EnableCloudwatchLogsExports)'));
        break;
      default:
        break;
    }
  }
  return out;
};

// ---- NHS-RET-1: retention lock at least the category's minimum -------------------------

function categoryOf(r: CfnResourceJson): { tag?: string; category?: RecordsCategory } {
  const tag = tagsOf(r)[RECORDS_CATEGORY_TAG];
  return { tag, category: tag ? RecordsCategory.fromId(tag) : undefined };
}

const NO_TAG = `carries no "${RECORDS_CATEGORY_TAG}" tag, so its retention cannot be checked against a records category`;
const unknownCategory = (tag: string) => `has "${RECORDS_CATEGORY_TAG}" ${JSON.stringify(tag)}, which is not a records category (one of: ${RecordsCategory.all().map((c) => c.id).join(', ')})`;

const ret1: Evaluator = (stacks) => allResources(stacks).flatMap((r): RawFinding[] => {
  const p = props(r.resource);
  switch (r.resource.Type) {
    case 'AWS::S3::Bucket': {
      const { tag, category } = categoryOf(r.resource);
      if (tag === undefined) return [at(r, NO_TAG)];
      if (!category) return [at(r, unknownCategory(tag))];
      const floor = category.minimumLockDays;
      if (!(p.ObjectLockEnabled === true || p.ObjectLockEnabled === 'true')) {
        return [at(r, `holds ${category.id} records but has no Object Lock (the category's floor is ${floor} days)`)];
      }
      const rule = p.ObjectLockConfiguration?.Rule?.DefaultRetention;
      const days = typeof rule?.Days === 'number' ? rule.Days : typeof rule?.Years === 'number' ? rule.Years * 365 : undefined;
      if (days === undefined) return [at(r, `holds ${category.id} records but sets no default Object Lock retention (the floor is ${floor} days)`)];
      const out: RawFinding[] = [];
      if (days < floor) out.push(at(r, `locks ${category.id} records for ${days} days, under the category's legal minimum of ${floor} days`));
      if (category.requiresComplianceMode && rule.Mode !== 'COMPLIANCE') out.push(at(r, `locks ${category.id} records in ${rule.Mode ?? 'no'} mode: the category needs COMPLIANCE mode`));
      return out;
    }
    case 'AWS::HealthImaging::Datastore': {
      const { tag, category } = categoryOf(r.resource);
      if (tag === undefined) return [at(r, NO_TAG)];
      if (!category) return [at(r, unknownCategory(tag))];
      return [at(r, `holds ${category.id} records but HealthImaging has no retention lock: nothing enforces the ${category.minimumLockDays}-day floor`)];
    }
    case 'AWS::Backup::BackupVault': {
      const { tag, category } = categoryOf(r.resource);
      if (tag === undefined) return [];
      if (!category) return [at(r, unknownCategory(tag))];
      const min = p.LockConfiguration?.MinRetentionDays;
      if (typeof min !== 'number') return [at(r, `holds backups of ${category.id} records without a Vault Lock minimum retention (the floor is ${category.minimumLockDays} days)`)];
      return min < category.minimumLockDays ? [at(r, `locks backups of ${category.id} records for ${min} days, under the category's legal minimum of ${category.minimumLockDays} days`)] : [];
    }
    default:
      return [];
  }
});

// ---- NHS-BAK-1: an immutable backup copy of every clinical store ----------------------------

/** True for a clinical store: a datastore, or a bucket whose records category is not the audit log's. */
function isClinicalStore(r: CfnResourceJson): boolean {
  if (r.Type === 'AWS::HealthImaging::Datastore') return true;
  if (r.Type !== 'AWS::S3::Bucket') return false;
  const tag = tagsOf(r)[RECORDS_CATEGORY_TAG];
  return tag !== undefined && tag !== RecordsCategory.AUDIT_LOG.id;
}

/** The vault a plan's rule targets, in the plan's stack. */
function vaultOf(stack: StackTemplate, target: unknown): [string, CfnResourceJson] | undefined {
  const resources = Object.entries(stack.template.Resources ?? {});
  const id = refTarget(target);
  if (id) return resources.find(([k, x]) => k === id && x.Type === 'AWS::Backup::BackupVault');
  return resources.find(([, x]) => x.Type === 'AWS::Backup::BackupVault' && props(x).BackupVaultName === target);
}

/** True when a vault's lock makes its recovery points immutable (compliance mode: a minimum retention that becomes unchangeable). */
function immutableVault(v: CfnResourceJson): boolean {
  const lock = props(v).LockConfiguration;
  return typeof lock?.MinRetentionDays === 'number' && lock.ChangeableForDays !== undefined;
}

/**
 * Resources of the output indexed for lookup, each key listing the positions
 * (in output order) of the resources it finds: by their stack and a logical id
 * they name, and by an ARN.
 */
class RefIndex {
  private readonly byId = new Map<StackTemplate, Map<string, number[]>>();
  private readonly byArn = new Map<string, number[]>();

  public addId(stack: StackTemplate, logicalId: string | undefined, position: number): void {
    if (logicalId === undefined) return;
    let ids = this.byId.get(stack);
    if (!ids) this.byId.set(stack, ids = new Map());
    push(ids, logicalId, position);
  }

  public addArn(arn: string | undefined, position: number): void {
    if (arn !== undefined) push(this.byArn, arn, position);
  }

  /** The positions of the resources that name `logicalId` in `stack` or have the ARN `arn`, ascending, each once. */
  public find(stack: StackTemplate, logicalId: string | undefined, arn: string | undefined): number[] {
    const a = logicalId === undefined ? [] : this.byId.get(stack)?.get(logicalId) ?? [];
    const b = arn === undefined ? [] : this.byArn.get(arn) ?? [];
    if (b.length === 0) return a;
    if (a.length === 0) return b;
    return [...new Set([...a, ...b])].sort((x, y) => x - y);
  }
}

function push<K>(m: Map<K, number[]>, k: K, position: number): void {
  const l = m.get(k);
  if (l) {
    if (l[l.length - 1] !== position) l.push(position);
  } else {
    m.set(k, [position]);
  }
}

const bak1: Evaluator = (stacks) => {
  const selections = resourcesOfType(stacks, 'AWS::Backup::BackupSelection');
  const buckets = resourcesOfType(stacks, 'AWS::S3::Bucket');
  // What each selection selects (the stack's resources it refers to, and the ARNs it names), so each store is a lookup.
  const selected = new RefIndex();
  selections.forEach((s, i) => {
    for (const x of list(props(s.resource).BackupSelection?.Resources)) {
      selected.addId(s.stack, refTarget(x), i);
      selected.addArn(normaliseArn(render(x, s.stack)), i);
    }
  });
  // The buckets by logical id in their stack and by ARN.
  const bucketIndex = new RefIndex();
  buckets.forEach((b, i) => {
    bucketIndex.addId(b.stack, b.logicalId, i);
    bucketIndex.addArn(bucketArnOf(b.resource), i);
  });
  return allResources(stacks).filter((r) => isClinicalStore(r.resource)).flatMap((r): RawFinding[] => {
    if (r.resource.Type === 'AWS::HealthImaging::Datastore') {
      return [at(r, 'has no immutable backup copy: no backup plan or replication in the output copies a HealthImaging datastore')];
    }
    const arn = bucketArnOf(r.resource);
    const selecting = selected.find(r.stack, r.logicalId, arn).map((i) => selections[i]);
    let unlocked: string | undefined;
    for (const s of selecting) {
      const planId = refTarget(props(s.resource).BackupPlanId);
      const plan = planId ? s.stack.template.Resources?.[planId] : undefined;
      for (const rule of list(props(plan ?? { Type: '' }).BackupPlan?.BackupPlanRule)) {
        const vault = vaultOf(s.stack, rule?.TargetBackupVault);
        if (vault && immutableVault(vault[1])) return [];
        unlocked = vault ? vault[0] : render(rule?.TargetBackupVault, s.stack);
      }
    }
    // S3 replication into a bucket of the output that has Object Lock.
    for (const rule of list(props(r.resource).ReplicationConfiguration?.Rules)) {
      const dest = normaliseArn(render(rule?.Destination?.Bucket, r.stack));
      const first = bucketIndex.find(r.stack, refTarget(rule?.Destination?.Bucket), dest)[0];
      const target = first === undefined ? undefined : buckets[first];
      const tp = target ? props(target.resource) : undefined;
      if (tp && (tp.ObjectLockEnabled === true || tp.ObjectLockEnabled === 'true') && tp.ObjectLockConfiguration?.Rule?.DefaultRetention) return [];
    }
    if (selecting.length === 0) return [at(r, 'has no immutable backup copy: no backup plan selects it and it does not replicate to a locked bucket')];
    return [at(r, `is backed up to vault ${unlocked ?? '?'}, which has no compliance-mode Vault Lock (LockConfiguration with ChangeableForDays)`)];
  });
};

// ---- NHS-IAM-1: no wildcard administrative grants ---------------------------------------------

const ADMIN_MANAGED_POLICIES = ['AdministratorAccess', 'PowerUserAccess', 'IAMFullAccess'];

function statements(doc: unknown): any[] {
  const d = doc as any;
  return list(d?.Statement);
}

function wildcardGrant(statement: any): string | undefined {
  if (statement?.Effect !== 'Allow') return undefined;
  const resources = list(statement.Resource).map((x) => render(x));
  const anyResource = resources.includes('*') || (statement.NotResource !== undefined);
  if (statement.NotAction !== undefined) return `allows every action except ${JSON.stringify(statement.NotAction)} (NotAction)`;
  const actions = list(statement.Action).map((x) => render(x));
  const admin = actions.find((a) => a === '*' || a === '*:*' || a.toLowerCase() === 'iam:*');
  return admin && anyResource ? `allows "${admin}" on "*"` : undefined;
}

function anyPrincipal(statement: any): boolean {
  if (statement?.Effect !== 'Allow' || statement.Condition !== undefined) return false;
  const p = statement.Principal;
  return p === '*' || list(p?.AWS).some((x) => x === '*') || statement.NotPrincipal !== undefined;
}

/** Resource policies, by type: where each keeps its policy document. */
const RESOURCE_POLICIES: { [type: string]: string } = {
  'AWS::S3::BucketPolicy': 'PolicyDocument',
  'AWS::KMS::Key': 'KeyPolicy',
  'AWS::SNS::TopicPolicy': 'PolicyDocument',
  'AWS::SQS::QueuePolicy': 'PolicyDocument',
  'AWS::SecretsManager::ResourcePolicy': 'ResourcePolicy',
  'AWS::EFS::FileSystem': 'FileSystemPolicy',
  'AWS::Backup::BackupVault': 'AccessPolicy',
  'AWS::ECR::Repository': 'RepositoryPolicyText',
  'AWS::Events::EventBusPolicy': 'Statement',
};

const iam1: Evaluator = (stacks) => allResources(stacks).flatMap((r): RawFinding[] => {
  const p = props(r.resource);
  const out: RawFinding[] = [];
  const docs: unknown[] = [];
  switch (r.resource.Type) {
    case 'AWS::IAM::Policy':
    case 'AWS::IAM::ManagedPolicy':
      docs.push(p.PolicyDocument);
      break;
    case 'AWS::IAM::Role':
    case 'AWS::IAM::User':
    case 'AWS::IAM::Group':
      docs.push(...list(p.Policies).map((x) => x?.PolicyDocument));
      for (const arn of list(p.ManagedPolicyArns)) {
        const name = render(arn, r.stack).split(':policy/').pop() ?? '';
        const admin = ADMIN_MANAGED_POLICIES.find((a) => name === a || name.endsWith(`/${a}`));
        if (admin && /:iam::aws:policy\//.test(render(arn, r.stack))) out.push(at(r, `has the AWS managed policy ${admin}`));
      }
      if (r.resource.Type === 'AWS::IAM::Role' && statements(p.AssumeRolePolicyDocument).some((s) => s?.Effect === 'Allow' && (s.Principal === '*' || list(s.Principal?.AWS).includes('*')) && s.Condition === undefined)) {
        out.push(at(r, 'can be assumed by any principal (Principal "*" without a condition)'));
      }
      break;
    default:
      break;
  }
  for (const doc of docs) {
    for (const s of statements(doc)) {
      const w = wildcardGrant(s);
      if (w) out.push(at(r, w));
    }
  }
  const field = RESOURCE_POLICIES[r.resource.Type];
  if (field) {
    const doc = r.resource.Type === 'AWS::Events::EventBusPolicy' ? { Statement: p.Statement } : p[field];
    for (const s of statements(doc)) {
      if (anyPrincipal(s)) out.push(at(r, `lets any principal ${JSON.stringify(s.Action ?? s.NotAction)} without a condition (Principal "*")`));
      else if (s?.Effect === 'Allow' && list(s.Action).some((a) => a === '*')) out.push(at(r, 'allows "*" (every action) in its resource policy'));
    }
  }
  if (r.resource.Type === 'AWS::Lambda::Permission' && p.Principal === '*' && p.SourceArn === undefined && p.SourceAccount === undefined && p.PrincipalOrgID === undefined) {
    out.push(at(r, 'lets any principal invoke the function (Principal "*" without SourceArn, SourceAccount or PrincipalOrgID)'));
  }
  return out;
});

/** The evaluators, by rule id (every rule of the profile has one). */
export const EVALUATORS: { [ruleId: string]: Evaluator } = {
  'NHS-ENC-1': enc1,
  'NHS-RES-1': res1,
  'NHS-NET-1': net1,
  'NHS-TAG-1': tag1,
  'NHS-LOG-1': log1,
  'NHS-RET-1': ret1,
  'NHS-BAK-1': bak1,
  'NHS-IAM-1': iam1,
};

/** A finding with the stack it was found in (for the synth-time plugin). */
export interface LocatedFinding {
  readonly finding: ComplianceFinding;
  readonly stack: StackTemplate;
}

/**
 * Runs every rule over the stacks and applies the acknowledgements recorded
 * in the output (a resource's `Metadata`, or the template's for a finding
 * about the stack).
 */
export function evaluateStacks(stacks: StackTemplate[], ruleIds?: string[]): LocatedFinding[] {
  return withResourcesOf(stacks, () => evaluateAll(stacks, ruleIds));
}

function evaluateAll(stacks: StackTemplate[], ruleIds?: string[]): LocatedFinding[] {
  const out: LocatedFinding[] = [];
  for (const rule of NhsComplianceProfile.rules()) {
    if (ruleIds && !ruleIds.includes(rule.id)) continue;
    const evaluate = EVALUATORS[rule.id];
    if (!evaluate) continue;
    const seen = new Set<string>();
    for (const raw of evaluate(stacks)) {
      const resource = raw.logicalId ?? STACK_RESOURCE;
      const key = `${raw.stack.name}\u0000${resource}\u0000${raw.message}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const ack = acknowledgementsOf(raw.stack, raw.logicalId).find((a) => a.ruleId === rule.id);
      out.push({
        stack: raw.stack,
        finding: {
          ruleId: rule.id,
          cloud: Cloud.AWS,
          stack: raw.stack.name,
          resource,
          resourceType: raw.resourceType,
          message: raw.message,
          severity: rule.severity,
          ...(ack ? { acknowledgedReason: ack.reason } : {}),
        },
      });
    }
  }
  return out;
}

/** The number of resources checked. */
export function resourceCount(stacks: StackTemplate[]): number {
  return stacks.reduce((n, s) => n + Object.keys(s.template.Resources ?? {}).length, 0);
}
