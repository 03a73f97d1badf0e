import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { TerraformStack, Testing } from 'cdktf';
import { Backbone } from '../../src/gcp/backbone';
import { checkSynthOutput } from '../../src/gcp/compliance/check-output';
import { withoutStackTraces } from '../support/quiet-traces';
import { nationalSpec } from '../support/specs';
import { TfJson } from '../support/terraform';

// The NHS in England on Google Cloud: 209 trusts in 42 ICBs, built once.
const spec = nationalSpec(209, 42);
const backbone = withoutStackTraces(() => new Backbone(Testing.app({ stackTraces: false }), 'national', { spec }));
const stacks = backbone.node.children.filter((c): c is TerraformStack => c instanceof TerraformStack);
// stack.toTerraform() is what app.synth() writes, with the "//" objects that carry
// acknowledgements and the stack's residency (Testing.synth strips them). No aspect is used.
const synthesised = withoutStackTraces(() => stacks.map((s) => [s.node.id, new TfJson(s.toTerraform())] as const));
const counts = synthesised.map(([id, tf]) => [id, tf.all().length] as const);
const total = counts.reduce((n, [, c]) => n + c, 0);

test('one stack for the hub and one per trust; one for the backup project and one backup stack per trust; one per imaging network; one for the internet edge', () => {
  expect(stacks.length).toBe(1 + 209 + 1 + 209 + 42 + 1);
  expect(backbone.edgeStack('remote-reporting').node.id).toBe(spec.naming.name('stack' as any, ['edge']));
});

test('no Terraform stack holds more than a tenth of all resources', () => {
  for (const [id, c] of counts) {
    if (c > total / 10) throw new Error(`stack ${id} holds ${c} of ${total} resources`);
  }
  expect(total).toBeGreaterThan(209 * 10);
});

test('every trust has exactly one NCC spoke, in the edge group; the edge group accepts all 209 projects', () => {
  const edge = synthesised.flatMap(([, tf]) => tf.resources('google_network_connectivity_spoke').map(([, s]) => s.group))
    .filter((g) => String(g).endsWith('/groups/edge'));
  expect(edge).toHaveLength(209);
  const hub = TfJson.of(backbone.hubStack);
  const group = hub.resources('google_network_connectivity_group').map(([, g]) => g).find((g) => g.name === 'edge');
  expect(new Set(group.auto_accept.auto_accept_projects).size).toBe(209);
});

test('the national backbone passes the NHS compliance profile, checked from its output in under 5 seconds', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gcp-national-'));
  try {
    for (const [id, tf] of synthesised) {
      mkdirSync(join(dir, 'stacks', id), { recursive: true });
      writeFileSync(join(dir, 'stacks', id, 'cdk.tf.json'), JSON.stringify(tf.json));
    }
    const start = process.hrtime.bigint();
    const result = checkSynthOutput(dir);
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    expect(result.checkedResources).toBe(total);
    expect(result.findings.filter((f) => f.acknowledgedReason === undefined)).toEqual([]);
    // Break-glass on the hub and every trust project; each ICB's DICOM store (no lock, no managed copy).
    expect(result.findings).toHaveLength(210 + 42 * 2);
    expect(seconds).toBeLessThan(5);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
