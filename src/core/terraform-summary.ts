import { existsSync, readdirSync, readFileSync } from 'fs';
import { join, relative } from 'path';
import { BackboneError } from './errors';

/**
 * The stacks of a cdktf.out-layout folder, as `[name, file]`: those its
 * `manifest.json` lists (`synthesizedStackPath`), else every
 * `stacks/<stack>/cdk.tf.json` in name order; none when the folder has
 * neither. A malformed manifest is a BackboneError naming it. Reads files
 * only: no Terraform engine.
 * @internal
 */
export function terraformStackFiles(dir: string): Array<[string, string]> {
  const files: Array<[string, string]> = [];
  const manifestPath = join(dir, 'manifest.json');
  if (existsSync(manifestPath)) {
    const stacks = readJsonFile(manifestPath, dir)?.stacks;
    if (typeof stacks !== 'object' || stacks === null || Array.isArray(stacks)) {
      throw BackboneError.of(relative(process.cwd(), manifestPath), 'has no "stacks" object (is it a cdktf manifest?)');
    }
    for (const [name, s] of Object.entries<any>(stacks)) {
      if (typeof s?.synthesizedStackPath !== 'string') {
        throw BackboneError.of(relative(process.cwd(), manifestPath), `stack "${name}" has no synthesizedStackPath`);
      }
      files.push([name, join(dir, s.synthesizedStackPath)]);
    }
  } else if (existsSync(join(dir, 'stacks'))) {
    for (const name of readdirSync(join(dir, 'stacks')).sort()) {
      const file = join(dir, 'stacks', name, 'cdk.tf.json');
      if (existsSync(file)) files.push([name, file]);
    }
  }
  return files;
}

/**
 * A JSON file of a synth output in `dir`; a BackboneError naming the file
 * (relative to the working folder) when it cannot be read or parsed.
 * @internal
 */
export function readJsonFile(file: string, dir: string): any {
  const shown = relative(process.cwd(), file) || file;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw BackboneError.of(shown, `cannot be read (listed in ${dir}, missing or unreadable)`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw BackboneError.of(shown, `is not valid JSON (${(e as Error).message.split('\n')[0]})`);
  }
}

/**
 * Counts stacks and resources in a cdktf.out-style folder. Reads files only:
 * no Terraform engine.
 * @internal
 */
export function countTerraform(outdir: string): { stacks: number; resources: number; largestTemplateBytes: number } {
  let stacks = 0;
  let resources = 0;
  let largest = 0;
  for (const [, file] of terraformStackFiles(outdir)) {
    const text = readFileSync(file, 'utf8');
    const tf = JSON.parse(text);
    stacks++;
    largest = Math.max(largest, Buffer.byteLength(text));
    for (const byType of Object.values<Record<string, unknown>>(tf.resource ?? {})) resources += Object.keys(byType).length;
  }
  return { stacks, resources, largestTemplateBytes: largest };
}
