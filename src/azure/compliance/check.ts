import { existsSync } from 'fs';
import { join } from 'path';
import { App, TerraformStack } from 'cdktf';
import { checkSynthOutput } from './check-output';
import { ComplianceReport } from '../../core/compliance';
import { BackboneError } from '../../core/errors';

/**
 * The NHS compliance profile over synthesised Azure (cdktf) output: the same
 * rules at synth time (`ofApp` after `app.synth()`) and on output someone
 * else synthesised (`ofDirectory`, as `nhs-backbone check` does).
 */
export class AzureComplianceCheck {
  /**
   * Checks a cdktf.out-layout folder (`stacks/<stack>/cdk.tf.json`). Throws a
   * BackboneError naming the folder or file when it is not one.
   */
  public static ofDirectory(dir: string): ComplianceReport {
    const r = checkSynthOutput(dir);
    return new ComplianceReport(r.findings, r.checkedResources);
  }

  /**
   * The post-synth pass: checks what `app.synth()` wrote to the app's outdir.
   * Call it after `app.synth()` and fail the build on `!report.passed`.
   * Throws a BackboneError naming `app` when a stack of the app has no
   * output there yet (synth has not run).
   */
  public static ofApp(app: App): ComplianceReport {
    const missing = app.node.findAll().filter((c): c is TerraformStack => TerraformStack.isStack(c))
      .map((s) => s.node.id)
      .filter((name) => !existsSync(join(app.outdir, 'stacks', name, 'cdk.tf.json')));
    if (missing.length > 0) {
      throw BackboneError.of('app', `has no synthesised output in ${app.outdir} for stack ${missing.slice(0, 3).join(', ')}${missing.length > 3 ? ` and ${missing.length - 3} more` : ''}: call app.synth() before the compliance check`);
    }
    return AzureComplianceCheck.ofDirectory(app.outdir);
  }

  private constructor() {}
}
