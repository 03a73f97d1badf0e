import { TerraformStack, Testing } from 'cdktf';
import { Backbone } from '../../src/gcp/backbone';
import { withoutStackTraces } from '../support/quiet-traces';
import { nationalSpec } from '../support/specs';
import { TfJson } from '../support/terraform';

// The NHS in England on Google Cloud: 209 trusts in 42 ICBs, built once.
const spec = nationalSpec(209, 42);
const backbone = withoutStackTraces(() => new Backbone(Testing.app({ stackTraces: false }), 'national', { spec }));
const stacks = backbone.node.children.filter((c): c is TerraformStack => c instanceof TerraformStack);
const synthesised = stacks.map((s) => [s.node.id, TfJson.of(s)] as const);
const counts = synthesised.map(([id, tf]) => [id, tf.all().length] as const);
const total = counts.reduce((n, [, c]) => n + c, 0);

test('one stack for the hub and one per trust; one for the backup project and one backup stack per trust; one per imaging network', () => {
  expect(stacks.length).toBe(1 + 209 + 1 + 209 + 42);
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
