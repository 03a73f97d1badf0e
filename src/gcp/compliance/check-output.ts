import { existsSync, readdirSync, readFileSync, statSync } from 'fs';
import { join, relative } from 'path';
import { TfStack, evaluate, parseStack } from './rules';
import { ComplianceFinding } from '../../core/compliance';
import { BackboneError } from '../../core/errors';

/**
 * The stacks of a cdktf.out-layout folder: those its `manifest.json` lists
 * (`synthesizedStackPath`), else every `stacks/<stack>/cdk.tf.json`.
 * @internal
 */
export function readStacks(dir: string): TfStack[] {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw BackboneError.of(dir, 'is not a folder (give the gcp/ folder of nhs-backbone synth, in the cdktf.out layout)');
  }
  const files: Array<[string, string]> = [];
  const manifestPath = join(dir, 'manifest.json');
  if (existsSync(manifestPath)) {
    const manifest = readJson(manifestPath, dir);
    const stacks = manifest?.stacks;
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
  if (files.length === 0) {
    throw BackboneError.of(dir, 'holds no Terraform stacks (expected manifest.json or stacks/<stack>/cdk.tf.json, as cdktf synth writes)');
  }
  return files.map(([name, file]) => parseStack(name, relative(process.cwd(), file) || file, readJson(file, dir)));
}

function readJson(file: string, dir: string): any {
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
 * Checks a Google Cloud synth output (cdktf.out layout: `stacks/<stack>/cdk.tf.json`)
 * against the NHS compliance profile. Reads only JSON. Malformed input is a
 * BackboneError naming the file.
 */
export function checkSynthOutput(dir: string): { findings: ComplianceFinding[]; checkedResources: number } {
  return evaluate(readStacks(dir));
}
