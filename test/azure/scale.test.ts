import { mkdtempSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { App, TerraformStack } from 'cdktf';
import { Backbone } from '../../src/azure/backbone';
import { NameKind } from '../../src/core/naming';
import { withoutStackTraces } from '../support/quiet-traces';
import { nationalSpec } from '../support/specs';

// Built once: 209 trusts in 42 ICBs (the NHS in England).
const spec = nationalSpec(209, 42);
const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'azure-scale-')), stackTraces: false });
const counts = new Map<string, number>();
const backbone = withoutStackTraces(() => {
  const b = new Backbone(app, 'backbone', { spec });
  for (const stack of app.node.children.flatMap((c) => c.node.children).filter((c): c is TerraformStack => TerraformStack.isStack(c))) {
    const json = stack.toTerraform();
    counts.set(stack.node.id, Object.values<Record<string, unknown>>(json.resource ?? {}).reduce((n, byType) => n + Object.keys(byType).length, 0));
  }
  return b;
});

test('one hub stack, one stack per trust and one per imaging network (an ICB each: 42)', () => {
  expect(spec.imagingNetworks()).toHaveLength(42);
  expect(counts.size).toBe(1 + 209 + 42);
  expect(backbone.spoke(spec.trusts[208].odsCode)).toBeDefined();
  for (const net of spec.imagingNetworks()) {
    const name = spec.naming.name(NameKind.STACK, ['img', net.id]);
    expect(backbone.imagingStack(net.id).node.id).toBe(name);
    // The DICOM store and little else: grants are made in the trusts' stacks.
    expect(counts.get(name)).toBeGreaterThan(15);
    expect(counts.get(name)).toBeLessThan(40);
  }
});

test('no Terraform stack holds more than a tenth of all resources', () => {
  const total = [...counts.values()].reduce((a, b) => a + b, 0);
  const [largest, n] = [...counts.entries()].reduce((a, b) => (a[1] >= b[1] ? a : b));
  expect({ largest, share: n / total <= 0.1 }).toEqual({ largest, share: true });
  expect(total).toBeGreaterThan(209 * 20);
});
