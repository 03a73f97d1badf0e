import { checkSynthOutput } from './check-output';
import { ComplianceReport } from '../../core/compliance';

/**
 * The NHS compliance profile over synthesised AWS output (a CDK cloud
 * assembly): the same rules as the NhsCompliancePlugin runs at synth time,
 * on output someone else synthesised (as `nhs-backbone check` does).
 */
export class AwsComplianceCheck {
  /**
   * Checks a cloud assembly folder (manifest.json and *.template.json,
   * nested assemblies and nested stacks included). Throws a BackboneError
   * naming the folder or file when it is not one.
   */
  public static ofDirectory(dir: string): ComplianceReport {
    const r = checkSynthOutput(dir);
    return new ComplianceReport(r.findings, r.checkedResources);
  }

  private constructor() {}
}
