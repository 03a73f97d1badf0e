import { existsSync } from 'fs';
import { join } from 'path';
import { App } from 'cdktf';
import { checkSynthOutput } from './check-output';
import { ComplianceReport } from '../../core/compliance';
import { BackboneError } from '../../core/errors';

/**
 * The NHS compliance profile over Google Cloud Terraform output. The rules
 * read only the synthesised JSON, so the same check serves the post-synth
 * pass of a cdktf app and `nhs-backbone check` on output someone else
 * synthesised. See docs/gcp-compliance.md.
 */
export class GcpComplianceCheck {
  /**
   * Checks a cdktf.out-layout folder (`manifest.json`, `stacks/<stack>/cdk.tf.json`).
   * Throws a BackboneError naming the file when the output is malformed.
   */
  public static ofDirectory(dir: string): ComplianceReport {
    const r = checkSynthOutput(dir);
    return new ComplianceReport(r.findings, r.checkedResources);
  }

  /**
   * The post-synth pass: checks what `app.synth()` wrote to the app's outdir.
   * Call it after `app.synth()`; `report.passed` is false on any
   * unacknowledged error.
   */
  public static ofApp(app: App): ComplianceReport {
    if (!existsSync(join(app.outdir, 'manifest.json'))) {
      throw BackboneError.of('app', `has no synth output in ${app.outdir}: call app.synth() before the compliance check`);
    }
    return GcpComplianceCheck.ofDirectory(app.outdir);
  }

  private constructor() {}
}
