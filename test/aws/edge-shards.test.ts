import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { Lazy, Stack, aws_ssm as ssm } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { InternetAppEdge } from '../../src/aws/apps/internet-edge';
import { SpecialistApp } from '../../src/aws/apps/specialist-app';
import { Backbone } from '../../src/aws/backbone';
import { checkSynthOutput } from '../../src/aws/compliance/check-output';
import { readAssembly } from '../../src/aws/compliance/template';
import { newAwsApp } from '../../src/aws/synth';
import { BackboneSpec } from '../../src/core/backbone-spec';
import { ComplianceFinding, ComplianceReport } from '../../src/core/compliance';
import { expectBackboneError } from '../support/errors';
import { nationalProps, nationalSpec, syntheticOds } from '../support/specs';

// An internet app (remote-reporting) serving 150 trusts: two edges of 100 and
// 50, each in a stack of its own. Synthesised once, through newAwsApp like the CLI.
const APP = 'remote-reporting';
const TRUSTS = 150;
const spec = nationalSpec(TRUSTS, 30);
const ALL = spec.trusts.map((t) => t.odsCode);
let outdir: string;
let backbone: Backbone;
let templates: Map<string, any>; // by artifact id
let findings: ComplianceFinding[];

beforeAll(() => {
  outdir = mkdtempSync(join(tmpdir(), 'nhs-aws-edge-shards-'));
  const app = newAwsApp(outdir);
  backbone = new Backbone(app, 'Backbone', { spec });
  const assembly = app.synth();
  templates = new Map(assembly.stacks.map((s) => [s.id, s.template]));
  findings = checkSynthOutput(outdir).findings;
}, 120_000);

afterAll(() => rmSync(outdir, { recursive: true, force: true }));

const edgeStacks = () => backbone.edgeStacks(APP);
const edges = () => backbone.app(APP).edges;
const templateOf = (stack: Stack) => templates.get(stack.artifactId)!;
const resourcesOf = (stack: Stack, type: string): Array<[string, any]> =>
  Object.entries<any>(templateOf(stack).Resources).filter(([, r]) => r.Type === type);

test('an app serving 150 trusts gets 2 edge stacks, after the hub only; the first keeps the single edge\'s stack', () => {
  expect(InternetAppEdge.MAX_TRUSTS_PER_EDGE).toBe(100);
  const stacks = edgeStacks();
  expect(stacks.map((s) => s.node.id)).toEqual([`Edge-${APP}`, `Edge-${APP}-2`]);
  expect(stacks.map((s) => s.stackName)).toEqual([
    spec.naming.name('stack' as any, ['edge', APP]),
    spec.naming.name('stack' as any, ['edge', APP, '2']),
  ]);
  expect(backbone.edgeStack(APP)).toBe(stacks[0]);
  for (const s of stacks) {
    expect(s.dependencies).toEqual([backbone.hubStack]);
    expect(templateOf(s).Metadata['nhs-backbone'].internetIngressApps).toEqual([APP]);
  }
  for (const ods of ALL.slice(0, 5)) for (const s of stacks) expect(backbone.trustStack(ods).dependencies).not.toContain(s);
  expect(() => backbone.edgeStacks('pacs-viewer')).toThrow(/^appName: "pacs-viewer" is not an app with internet ingress/);
});

test('every trust is on exactly one edge: the 100 lowest address slots on the first, its target group and host rule only there', () => {
  const [first, second] = edges();
  expect(first.trusts).toHaveLength(100);
  expect(second.trusts).toHaveLength(50);
  expect([...first.trusts, ...second.trusts].sort()).toEqual([...ALL].sort());
  const bySlot = [...ALL].sort((a, b) => backbone.addressPlan.trustSlot(a) - backbone.addressPlan.trustSlot(b));
  expect([...first.trusts].sort()).toEqual(bySlot.slice(0, 100).sort());
  const specialist = backbone.app(APP);
  for (const ods of ALL) {
    const index = InternetAppEdge.edgeIndexOf(spec, backbone.addressPlan, APP, ods);
    const edge = edges()[index];
    expect(specialist.edgeOf(ods)).toBe(edge);
    // The trust's DNS name must point at its own edge's load balancer.
    const endpoint = specialist.ingressIn(ods);
    expect(endpoint.dnsName).toBe(edge.dnsName);
    expect(endpoint.targetGroup).toBe(edge.targetGroupIn(ods));
    const host = `${ods.toLowerCase()}.`;
    const carrying = edgeStacks().filter((s) => resourcesOf(s, 'AWS::ElasticLoadBalancingV2::ListenerRule')
      .some(([, r]) => JSON.stringify(r.Properties.Conditions).includes(`"${host}`)));
    expect(carrying).toEqual([edgeStacks()[index]]);
  }
  expect(first.dnsName).not.toBe(second.dnsName);
  expect(Stack.of(second).resolve(second.dnsName)).toEqual({ 'Fn::GetAtt': [Stack.of(second).getLogicalId(second.loadBalancer.node.defaultChild as any), 'DNSName'] });
  expect(InternetAppEdge.trustsOfEdge(spec, backbone.addressPlan, APP, 1)).toEqual(second.trusts);
  // A trust on the other edge is refused by this one, with where to look.
  expect(() => first.targetGroupIn(second.trusts[0])).toThrow(/odsCode: ".*" is not a trust edge 1 of app remote-reporting carries .*edgeIndexOf/);
});

test('each edge has its own load balancer, security group, web ACL on it, log group and key, with unique names', () => {
  const names = new Map<string, string[]>();
  const add = (kind: string, name: string) => names.set(kind, [...(names.get(kind) ?? []), name]);
  for (const s of edgeStacks()) {
    const [[lbId, lb]] = resourcesOf(s, 'AWS::ElasticLoadBalancingV2::LoadBalancer');
    expect(lb.Properties.Scheme).toBe('internet-facing');
    add('alb', lb.Properties.Name);
    const [[, assoc]] = resourcesOf(s, 'AWS::WAFv2::WebACLAssociation');
    const [[aclId, acl]] = resourcesOf(s, 'AWS::WAFv2::WebACL');
    expect(assoc.Properties).toEqual({ ResourceArn: { Ref: lbId }, WebACLArn: { 'Fn::GetAtt': [aclId, 'Arn'] } });
    add('acl', acl.Properties.Name);
    add('metric', acl.Properties.VisibilityConfig.MetricName);
    const [[, group]] = resourcesOf(s, 'AWS::Logs::LogGroup');
    add('logs', group.Properties.LogGroupName);
    expect(group.DeletionPolicy).toBe('Retain');
    const [[keyId]] = resourcesOf(s, 'AWS::KMS::Key');
    expect(group.Properties.KmsKeyId).toEqual({ 'Fn::GetAtt': [keyId, 'Arn'] });
    for (const [, a] of resourcesOf(s, 'AWS::KMS::Alias')) add('alias', a.Properties.AliasName);
    for (const [, g] of resourcesOf(s, 'AWS::EC2::SecurityGroup')) add('sg', g.Properties.GroupName);
    for (const [, t] of resourcesOf(s, 'AWS::ElasticLoadBalancingV2::TargetGroup')) add('tg', t.Properties.Name);
    for (const [, d] of resourcesOf(s, 'AWS::Logs::DeliverySource')) add('delivery', d.Properties.Name);
  }
  for (const kind of ['alb', 'acl', 'metric', 'logs', 'alias', 'sg', 'delivery']) expect(names.get(kind)).toHaveLength(2);
  expect(names.get('tg')).toHaveLength(TRUSTS);
  for (const [kind, list] of names) expect({ kind, unique: new Set(list).size }).toEqual({ kind, unique: list.length });
  for (const n of [...names.get('alb')!, ...names.get('tg')!]) expect(n.length).toBeLessThanOrEqual(32);
  // Edge 2's names say so; edge 1's are the single edge's.
  expect(names.get('acl')).toEqual([spec.naming.hub(`edge-${APP}`), spec.naming.hub(`edge-${APP}-2`)]);
  expect(names.get('logs')).toEqual([`aws-waf-logs-${spec.naming.hub(`edge-${APP}`)}`, `aws-waf-logs-${spec.naming.hub(`edge-${APP}-2`)}`]);
});

test('each load balancer stays within 100 target groups and 100 rules, with unique priorities; each stack under 500 resources', () => {
  for (const s of edgeStacks()) {
    const t = templateOf(s);
    const groups = resourcesOf(s, 'AWS::ElasticLoadBalancingV2::TargetGroup');
    const rules = resourcesOf(s, 'AWS::ElasticLoadBalancingV2::ListenerRule');
    expect(resourcesOf(s, 'AWS::ElasticLoadBalancingV2::LoadBalancer')).toHaveLength(1);
    expect(groups.length).toBeLessThanOrEqual(100);
    expect(rules.length).toBeLessThanOrEqual(100);
    expect(rules).toHaveLength(groups.length); // one CIS2 host rule per trust, nothing else
    const priorities = rules.map(([, r]) => r.Properties.Priority as number);
    expect(new Set(priorities).size).toBe(priorities.length);
    // Every rule is on this edge's HTTPS listener, and signs in with CIS2 before forwarding.
    const [[httpsId]] = resourcesOf(s, 'AWS::ElasticLoadBalancingV2::Listener').filter(([, l]) => l.Properties.Port === 443);
    for (const [, r] of rules) {
      expect(r.Properties.ListenerArn).toEqual({ Ref: httpsId });
      expect(r.Properties.Actions.map((a: any) => a.Type)).toEqual(['authenticate-oidc', 'forward']);
    }
    expect(Object.keys(t.Resources).length).toBeLessThan(500);
  }
});

test('the hub admits every edge: all share the edge subnets, and the firewall passes them to the app\'s /27 in all 150 trusts', () => {
  const edgeSubnetParams = [1, 2, 3].map((i) => `/nhs-backbone/${spec.name}/${spec.environment}/hub/edge-subnet-${i}-id`);
  for (const s of edgeStacks()) {
    const params = Object.values<any>(templateOf(s).Parameters).map((p) => p.Default);
    expect(params).toEqual(expect.arrayContaining(edgeSubnetParams));
    const [[, sg]] = resourcesOf(s, 'AWS::EC2::SecurityGroup');
    expect(sg.Properties.SecurityGroupEgress).toEqual(expect.arrayContaining([
      expect.objectContaining({ CidrIp: backbone.addressPlan.addressPool, FromPort: 8443, ToPort: 8443 }),
    ]));
  }
  const hub = Template.fromJSON(templateOf(backbone.hubStack));
  const [group] = Object.values<any>(hub.findResources('AWS::NetworkFirewall::RuleGroup'))
    .filter((g) => g.Properties.RuleGroupName === spec.naming.hub('fw-app-ingress'));
  expect(group.Properties.RuleGroup.RuleVariables.IPSets.EDGE_TO_REMOTE_REPORTING.Definition.sort())
    .toEqual(ALL.map((o) => backbone.addressPlan.appSubnet(o, APP)).sort());
  expect(group.Properties.RuleGroup.RulesSource.RulesString)
    .toContain(`pass tcp [${backbone.appEdgeNetwork!.cidrs.join(',')}] any -> $EDGE_TO_REMOTE_REPORTING 8443 `);
});

test('the compliance profile finds nothing unacknowledged on the edge stacks', () => {
  const names = new Set(edgeStacks().map((s) => s.stackName));
  // The checker read both edge stacks (by stack name, as findings name them).
  expect(readAssembly(outdir).map((t) => t.name)).toEqual(expect.arrayContaining([...names]));
  const onEdges = findings.filter((f) => names.has(f.stack));
  expect(new ComplianceReport(onEdges, 0).unacknowledgedErrors().map((f) => `${f.ruleId} ${f.stack}/${f.resource}: ${f.message}`)).toEqual([]);
  // NHS-NET-1 sees both internet-facing load balancers as declared, protected edges.
  expect(onEdges.filter((f) => f.ruleId === 'NHS-NET-1' && f.acknowledgedReason === undefined)).toEqual([]);
});

test('the first edge is the single edge of an app serving only its trusts: same logical ids, names and properties', () => {
  // The same app serving only the first edge's 100 trusts (same address lock): one edge, as before sharding.
  const first = edges()[0];
  const props = nationalProps(TRUSTS, 30);
  const small = BackboneSpec.fromProps({
    ...props,
    apps: props.apps!.map((a) => (a.name === APP ? { ...a, trusts: first.trusts } : a)),
  });
  const plan = small.addressPlan(backbone.addressPlan.lock);
  expect(InternetAppEdge.edgeCountOf(small, plan, APP)).toBe(1);
  const stack = new Stack(newAwsApp(), `Edge-${APP}`, { stackName: edgeStacks()[0].stackName, env: { region: spec.region('aws' as any) } });
  const reference = `{{resolve:ssm:${Backbone.certificateParameterName(small, APP)}}}`;
  new InternetAppEdge(stack, 'Edge', {
    spec: small,
    appName: APP,
    addressPlan: plan,
    certificateArn: Lazy.string({ produce: () => reference }),
    domainName: ssm.StringParameter.valueForStringParameter(stack, Backbone.domainParameterName(small, APP)),
  });
  // Tags and metadata (the backbone's stack tags, acknowledgements) aside, the templates are the same.
  const strip = (x: any): any => (Array.isArray(x) ? x.map(strip)
    : x && typeof x === 'object' ? Object.fromEntries(Object.entries(x).filter(([k]) => k !== 'Tags' && k !== 'Metadata').map(([k, v]) => [k, strip(v)])) : x);
  const single = Template.fromStack(stack).toJSON();
  const sharded = templateOf(edgeStacks()[0]);
  expect(Object.keys(sharded.Resources).sort()).toEqual(Object.keys(single.Resources).sort());
  expect(strip(sharded.Resources)).toEqual(strip(single.Resources));
  expect(sharded.Parameters).toEqual(single.Parameters);
});

test('adding trusts to the backbone, or reordering them, moves no trust to another edge', () => {
  const props = nationalProps(TRUSTS, 30);
  const lock = backbone.addressPlan.lock;
  const before = new Map(ALL.map((o) => [o, InternetAppEdge.edgeIndexOf(spec, backbone.addressPlan, APP, o)]));
  // A new trust first in the spec, the rest reversed: the lock keeps every slot, the new trust takes the next.
  const added = { odsCode: syntheticOds(TRUSTS + 7), name: 'New Trust', icb: props.trusts[0].icb };
  const grown = BackboneSpec.fromProps({ ...props, trusts: [added, ...[...props.trusts].reverse()] });
  const plan = grown.addressPlan(lock);
  expect(InternetAppEdge.edgeCountOf(grown, plan, APP)).toBe(2);
  for (const ods of ALL) expect({ ods, edge: InternetAppEdge.edgeIndexOf(grown, plan, APP, ods) }).toEqual({ ods, edge: before.get(ods) });
  expect(InternetAppEdge.edgeIndexOf(grown, plan, APP, added.odsCode)).toBe(1);
  // At 100 trusts or fewer there is one edge, at 201 three.
  expect(InternetAppEdge.edgeCountOf(nationalSpec(100, 10), nationalSpec(100, 10).addressPlan(), APP)).toBe(1);
  const big = nationalSpec(201, 10);
  expect(InternetAppEdge.edgeCountOf(big, big.addressPlan(), APP)).toBe(3);
});

test('bad edge indexes and edges are refused, naming the prop', () => {
  expectBackboneError(() => InternetAppEdge.trustsOfEdge(spec, backbone.addressPlan, APP, 2), /^edgeIndex: 2 is not the place of an edge of app remote-reporting \(0 to 1/);
  expectBackboneError(() => InternetAppEdge.edgeIndexOf(spec, backbone.addressPlan, APP, 'XXX'), /^odsCode: "XXX" is not a trust app remote-reporting serves/);
  expectBackboneError(() => backbone.app(APP).edgeOf('XXX'), /^odsCode: "XXX" is not a trust app remote-reporting serves/);
  expectBackboneError(() => backbone.app('pacs-viewer').edgeOf(ALL[0]), /^appName: app "pacs-viewer" has ingress hscn/);
  const [first, second] = edges();
  expectBackboneError(() => new SpecialistApp({ spec, appName: APP, edge: first, edges: [first] }), /^edges\[0\]: is edge 1 of 2 of app remote-reporting, not edge 1 of 1/);
  expectBackboneError(() => new SpecialistApp({ spec, appName: APP, edge: first, edges: [second, first] }), /^edges: must start with `edge`/);
  expect(new SpecialistApp({ spec, appName: APP, edge: first, edges: [first, second] }).edges).toEqual([first, second]);
});

test('an internet app named like another app\'s second edge is refused (last: it adds an app to the spec)', () => {
  expectBackboneError(() => backbone.addApp({ name: `${APP}-2`, trusts: [ALL[0]], ingress: 'internet' as any } as any),
    /^apps: app "remote-reporting-2" needs the edge stack Edge-remote-reporting-2, already another app's edge/);
});
