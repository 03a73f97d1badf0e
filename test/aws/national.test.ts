import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { Stack } from 'aws-cdk-lib';
import { Backbone } from '../../src/aws/backbone';
import { newAwsApp } from '../../src/aws/synth';
import { BackboneSpec } from '../../src/core/backbone-spec';
import { nationalProps, syntheticOds } from '../support/specs';

// The whole NHS in England: 209 trusts in 42 ICBs (one imaging network each),
// two trusts with modalities (so with a DIMSE gateway), synthesised once.
const TRUSTS = 209;
const ICBS = 42;
const WITH_GATEWAY = [syntheticOds(0), syntheticOds(100)];
const spec = BackboneSpec.fromProps({
  ...nationalProps(TRUSTS, ICBS),
  imaging: { modalities: WITH_GATEWAY.map((trust, i) => ({ aeTitle: `${trust}_CT1`, host: `10.99.0.${i + 10}`, trust })) },
});
interface Synthesised { name: string; id: string; resources: number; bytes: number; template: any; dependencies: string[] }
let stacks: Synthesised[] = [];
let outdir: string;
let backbone: Backbone;

beforeAll(() => {
  outdir = mkdtempSync(join(tmpdir(), 'nhs-aws-national-'));
  const app = newAwsApp(outdir);
  backbone = new Backbone(app, 'Backbone', { spec });
  const assembly = app.synth();
  stacks = assembly.stacks.map((s) => ({
    name: s.stackName,
    id: s.id,
    resources: Object.keys(s.template.Resources ?? {}).length,
    bytes: Buffer.byteLength(JSON.stringify(s.template)),
    template: s.template,
    dependencies: s.dependencies.map((d) => d.id),
  }));
}, 120_000);

afterAll(() => rmSync(outdir, { recursive: true, force: true }));

const kind = (s: Synthesised) => (s.name.includes('-hub-') ? 'hub' : s.name.includes('-img-') ? 'imaging' : s.name.includes('-edge-') ? 'edge' : 'trust');

test('one hub stack, one stack per imaging network (one per ICB) and one per trust', () => {
  expect(stacks.filter((s) => kind(s) === 'hub')).toHaveLength(1);
  expect(stacks.filter((s) => kind(s) === 'imaging')).toHaveLength(ICBS);
  expect(stacks.filter((s) => kind(s) === 'trust')).toHaveLength(TRUSTS);
  // The app with internet ingress (remote-reporting, all 209 trusts) has one edge stack per 100 trusts, after the hub.
  const edges = stacks.filter((s) => kind(s) === 'edge');
  expect(edges.map((s) => s.id).sort()).toEqual(backbone.edgeStacks('remote-reporting').map((s) => s.artifactId).sort());
  expect(edges).toHaveLength(3);
  for (const e of edges) expect(e.dependencies.filter((d) => !d.endsWith('.assets'))).toEqual([backbone.hubStack.artifactId]);
  expect(stacks).toHaveLength(1 + ICBS + TRUSTS + 3);
});

test('no stack passes CloudFormation limits (500 resources, 1 MB)', () => {
  for (const s of stacks) {
    expect({ stack: s.name, over: s.resources > 500 }).toEqual({ stack: s.name, over: false });
    expect({ stack: s.name, over: s.bytes > 1_000_000 }).toEqual({ stack: s.name, over: false });
  }
  // A trust with a DIMSE gateway stays far under the limit too.
  const gatewayStacks = stacks.filter((s) => WITH_GATEWAY.some((ods) => s.id === backbone.trustStack(ods).artifactId));
  expect(gatewayStacks).toHaveLength(2);
  for (const s of gatewayStacks) {
    expect(Object.values<any>(s.template.Resources).some((r) => r.Type === 'AWS::ECS::Service')).toBe(true);
    expect(s.resources).toBeLessThan(250);
  }
});

test('every trust stack attaches once to the transit gateway, depends on its imaging network\'s stack and makes no export', () => {
  const idOf = (stack: Stack) => stack.artifactId;
  for (const trust of spec.trusts) {
    const s = stacks.find((x) => x.id === idOf(backbone.trustStack(trust.odsCode)))!;
    const types = Object.values<any>(s.template.Resources).map((r) => r.Type);
    expect(types.filter((t) => t === 'AWS::EC2::TransitGatewayAttachment')).toHaveLength(1);
    expect(s.dependencies).toContain(idOf(backbone.imagingStack(spec.imagingNetworkOf(trust.odsCode).id)));
  }
  for (const s of stacks) expect(JSON.stringify(s.template)).not.toContain('Fn::ImportValue');
});

test('every imaging network stack holds one retained HealthImaging datastore and depends on the hub', () => {
  for (const s of stacks.filter((x) => kind(x) === 'imaging')) {
    const stores = Object.values<any>(s.template.Resources).filter((r) => r.Type === 'AWS::HealthImaging::Datastore');
    expect(stores).toHaveLength(1);
    expect(stores[0]).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    expect(s.dependencies.filter((d) => !d.endsWith('.assets'))).toEqual([backbone.hubStack.artifactId]);
  }
});
