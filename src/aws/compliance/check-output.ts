import { evaluateStacks, resourceCount } from './rules';
import { readAssembly } from './template';
import { ComplianceFinding } from '../../core/compliance';

/**
 * Checks a CDK cloud assembly folder (manifest.json and *.template.json, as
 * `nhs-backbone synth` writes to `<DIR>/aws` and `cdk synth` to cdk.out)
 * against the NHS compliance profile: every stack, those of nested cloud
 * assemblies and nested stacks included. Reads JSON only (no aws-cdk-lib).
 * Acknowledgements recorded in the output (a resource's
 * `Metadata["nhs-backbone:acknowledgements"]`) are applied. A folder or file
 * that is not a readable assembly throws a BackboneError naming it.
 * @internal
 */
export function checkSynthOutput(dir: string): { findings: ComplianceFinding[]; checkedResources: number } {
  const stacks = readAssembly(dir);
  return { findings: evaluateStacks(stacks).map((f) => f.finding), checkedResources: resourceCount(stacks) };
}
