import { existsSync, statSync } from 'fs';
import { relative } from 'path';
import { TfStack, evaluate, parseStack } from './rules';
import { ComplianceFinding } from '../../core/compliance';
import { BackboneError } from '../../core/errors';
import { readJsonFile, terraformStackFiles } from '../../core/terraform-summary';

/**
 * The stacks of a cdktf.out-layout folder: those its `manifest.json` lists
 * (`synthesizedStackPath`), else every `stacks/<stack>/cdk.tf.json`.
 * @internal
 */
export function readStacks(dir: string): TfStack[] {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw BackboneError.of(dir, 'is not a folder (give the gcp/ folder of nhs-backbone synth, in the cdktf.out layout)');
  }
  const files = terraformStackFiles(dir);
  if (files.length === 0) {
    throw BackboneError.of(dir, 'holds no Terraform stacks (expected manifest.json or stacks/<stack>/cdk.tf.json, as cdktf synth writes)');
  }
  return files.map(([name, file]) => parseStack(name, relative(process.cwd(), file) || file, readJsonFile(file, dir)));
}

/**
 * Checks a Google Cloud synth output (cdktf.out layout: `stacks/<stack>/cdk.tf.json`)
 * against the NHS compliance profile. Reads only JSON. Malformed input is a
 * BackboneError naming the file.
 */
export function checkSynthOutput(dir: string): { findings: ComplianceFinding[]; checkedResources: number } {
  return evaluate(readStacks(dir));
}
