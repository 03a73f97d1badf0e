import { existsSync, readFileSync } from 'fs';
import * as path from 'path';
import type {
  IPolicyValidationContextBeta1, IPolicyValidationPluginBeta1, PolicyValidationPluginReportBeta1, PolicyViolationBeta1,
} from 'aws-cdk-lib';
import { evaluateStacks, resourceCount } from './rules';
import { StackTemplate, readTemplate, regionOf } from './template';
import { NhsComplianceProfile } from '../../core/compliance';

/** Props of the NHS compliance plugin. */
export interface NhsCompliancePluginProps {
  /**
   * The rules to run (ids of `NhsComplianceProfile.rules()`).
   * @default - every rule of the profile
   */
  readonly ruleIds?: string[];
}

/**
 * The NHS compliance profile as a CDK policy-validation plugin: at synth time
 * it runs the same evaluators as `nhs-backbone check` over the templates the
 * app wrote, and fails the synth on any unacknowledged error (a finding
 * acknowledged with `AwsCompliance.acknowledge` is not reported). Register it
 * on the App: `Validations.of(app).addPlugins(new NhsCompliancePlugin())`, or
 * `new App({ policyValidationBeta1: [new NhsCompliancePlugin()] })` (deprecated
 * in recent aws-cdk-lib).
 *
 * It reads the templates and the assembly's manifest.json only (each stack's
 * region), never the construct tree, so what it reports is what `check`
 * would report on the same output.
 */
export class NhsCompliancePlugin implements IPolicyValidationPluginBeta1 {
  public readonly name: string = 'nhs-backbone';
  public readonly version?: string;
  /** The rules it runs (every rule of the profile unless narrowed). */
  public readonly ruleIds?: string[];

  constructor(props: NhsCompliancePluginProps = {}) {
    this.ruleIds = (props.ruleIds ?? NhsComplianceProfile.rules().map((r) => r.id)).map((id) => NhsComplianceProfile.rule(id).id);
  }

  public validate(context: IPolicyValidationContextBeta1): PolicyValidationPluginReportBeta1 {
    const stacks = stacksOf(context.templatePaths);
    const ruleIds = this.ruleIds ?? NhsComplianceProfile.rules().map((r) => r.id);
    const located = evaluateStacks(stacks, ruleIds);
    const open = located.filter((l) => l.finding.acknowledgedReason === undefined && l.finding.severity === 'error');
    const violations: PolicyViolationBeta1[] = [];
    for (const ruleId of ruleIds) {
      const mine = open.filter((l) => l.finding.ruleId === ruleId);
      if (mine.length === 0) continue;
      const rule = NhsComplianceProfile.rule(ruleId);
      violations.push({
        ruleName: ruleId,
        description: `${rule.title} (NCSC ${rule.ncscPrinciple}; DSPT ${rule.dsptOutcome})`,
        fix: 'Fix the resource, or acknowledge the finding with a written reason: AwsCompliance.acknowledge(construct, ruleId, reason)',
        severity: 'error',
        ruleMetadata: { profile: 'nhs-backbone', ncscPrinciple: rule.ncscPrinciple, dsptOutcome: rule.dsptOutcome },
        violatingResources: mine.map((l) => ({
          resourceLogicalId: l.finding.resource,
          templatePath: l.stack.file,
          locations: [l.finding.message],
        })),
      });
    }
    return {
      success: violations.length === 0,
      violations,
      metadata: {
        checkedResources: String(resourceCount(stacks)),
        acknowledged: String(located.filter((l) => l.finding.acknowledgedReason !== undefined).length),
      },
    };
  }
}

/** The stacks of the templates a plugin is given, named and placed from the assembly's manifest when there is one. */
function stacksOf(templatePaths: string[]): StackTemplate[] {
  const manifests = new Map<string, Map<string, { name: string; region?: string }>>();
  const artifactsIn = (dir: string) => {
    let known = manifests.get(dir);
    if (known) return known;
    known = new Map();
    const file = path.join(dir, 'manifest.json');
    if (existsSync(file)) {
      try {
        const manifest = JSON.parse(readFileSync(file, 'utf8'));
        for (const [id, a] of Object.entries<any>(manifest.artifacts ?? {})) {
          if (a?.type === 'aws:cloudformation:stack' && typeof a.properties?.templateFile === 'string') {
            known.set(a.properties.templateFile, { name: String(a.properties.stackName ?? a.displayName ?? id), region: regionOf(a.environment) });
          }
        }
      } catch {
        // No readable manifest: stacks are named after their files and treated as environment-agnostic.
      }
    }
    manifests.set(dir, known);
    return known;
  };
  return templatePaths.map((file) => {
    const info = artifactsIn(path.dirname(file)).get(path.basename(file));
    return {
      name: info?.name ?? path.basename(file).replace(/\.template\.json$/, ''),
      region: info?.region,
      file,
      template: readTemplate(file),
    };
  }).sort((a, b) => a.name.localeCompare(b.name));
}
