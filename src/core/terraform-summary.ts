import { existsSync, readFileSync, readdirSync } from 'fs';
import { join } from 'path';

/**
 * Counts stacks and resources in a cdktf.out-style folder
 * (`stacks/<stack>/cdk.tf.json`). Reads files only: no Terraform engine.
 * @internal
 */
export function countTerraform(outdir: string): { stacks: number; resources: number; largestTemplateBytes: number } {
  const dir = join(outdir, 'stacks');
  if (!existsSync(dir)) return { stacks: 0, resources: 0, largestTemplateBytes: 0 };
  let stacks = 0;
  let resources = 0;
  let largest = 0;
  for (const name of readdirSync(dir).sort()) {
    const file = join(dir, name, 'cdk.tf.json');
    if (!existsSync(file)) continue;
    const text = readFileSync(file, 'utf8');
    const tf = JSON.parse(text);
    stacks++;
    largest = Math.max(largest, Buffer.byteLength(text));
    for (const byType of Object.values<Record<string, unknown>>(tf.resource ?? {})) resources += Object.keys(byType).length;
  }
  return { stacks, resources, largestTemplateBytes: largest };
}
