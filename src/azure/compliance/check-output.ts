import { evaluateOutput } from './rules';
import { readTerraformOutput } from './tf-model';
import { ComplianceFinding } from '../../core/compliance';

/**
 * Checks a cdktf.out-layout folder (`stacks/<stack>/cdk.tf.json`, as
 * `nhs-backbone synth` writes to `<DIR>/azure`) against the NHS compliance
 * profile. Reads JSON only. A folder or file that is not a cdktf output
 * throws a BackboneError naming it.
 * @internal
 */
export function checkSynthOutput(dir: string): { findings: ComplianceFinding[]; checkedResources: number } {
  const out = readTerraformOutput(dir);
  return { findings: evaluateOutput(out), checkedResources: out.resourceCount };
}
