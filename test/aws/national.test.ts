import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { Backbone } from '../../src/aws/backbone';
import { newAwsApp } from '../../src/aws/synth';
import { nationalSpec } from '../support/specs';

// The whole NHS in England: 209 trusts in 42 ICBs, synthesised once.
let stacks: Array<{ name: string; resources: number; bytes: number; template: any }> = [];
let outdir: string;

beforeAll(() => {
  outdir = mkdtempSync(join(tmpdir(), 'nhs-aws-national-'));
  const app = newAwsApp(outdir);
  new Backbone(app, 'Backbone', { spec: nationalSpec(209, 42) });
  const assembly = app.synth();
  stacks = assembly.stacks.map((s) => ({
    name: s.stackName,
    resources: Object.keys(s.template.Resources ?? {}).length,
    bytes: Buffer.byteLength(JSON.stringify(s.template)),
    template: s.template,
  }));
}, 120_000);

afterAll(() => rmSync(outdir, { recursive: true, force: true }));

test('one hub stack and one stack per trust', () => {
  expect(stacks).toHaveLength(210);
});

test('no stack passes CloudFormation limits (500 resources, 1 MB)', () => {
  for (const s of stacks) {
    expect({ stack: s.name, over: s.resources > 500 }).toEqual({ stack: s.name, over: false });
    expect({ stack: s.name, over: s.bytes > 1_000_000 }).toEqual({ stack: s.name, over: false });
  }
});

test('every trust stack attaches once to the transit gateway and makes no export', () => {
  for (const s of stacks.filter((x) => !x.name.includes('-hub-'))) {
    const types = Object.values<any>(s.template.Resources).map((r) => r.Type);
    expect(types.filter((t) => t === 'AWS::EC2::TransitGatewayAttachment')).toHaveLength(1);
    expect(JSON.stringify(s.template)).not.toContain('Fn::ImportValue');
  }
});
