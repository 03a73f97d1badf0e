import { readdirSync, readFileSync, statSync } from 'fs';
import { join } from 'path';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import type { IPolicyValidationContextBeta1, IPolicyValidationPluginBeta1, PolicyValidationPluginReportBeta1 } from 'aws-cdk-lib';

/** The bundled Control Tower guard rules of @cdklabs/cdk-validator-cfnguard. */
const RULES_DIR = join(require.resolve('@cdklabs/cdk-validator-cfnguard/package.json'), '..', 'rules', 'control-tower', 'cfn-guard');

function ruleFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? ruleFiles(p) : p.endsWith('.guard') ? [p] : [];
  });
}

/** The resource types a guard rule file reports on (its "Reports on:" header). */
export function reportsOn(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const m = /#\s*Reports on:\s*\n((?:#[^\n]*\n)+?)#\s*\n/.exec(text);
  return m ? [...m[1].matchAll(/AWS::[A-Za-z0-9]+::[A-Za-z0-9]+/g)].map((x) => x[0]) : [];
}

/**
 * @cdklabs/cdk-validator-cfnguard's CfnGuardValidator with its bundled
 * Control Tower rules, run on each template with the rules whose resource
 * types occur in it and no other: a rule about a type a template does not
 * have finds nothing there, and cfn-guard's time grows with rules x
 * templates (all 237 rules on a small backbone: ~10 s of CPU; this: ~4 s).
 * Same plugin name, so acknowledgements (`cdk-validator-cfnguard::<rule>`)
 * apply as to the validator itself.
 */
export class ApplicableGuardRules implements IPolicyValidationPluginBeta1 {
  public readonly name = 'cdk-validator-cfnguard';
  /** Every bundled rule file, with the types it reports on. */
  public readonly allRules = ruleFiles(RULES_DIR).map((file) => ({ file, types: reportsOn(file) }));
  /** The rule files run on at least one template, once validate has run. */
  public rulesRun: string[] = [];

  public validate(context: IPolicyValidationContextBeta1): PolicyValidationPluginReportBeta1 {
    const run = new Set<string>();
    const violations: PolicyValidationPluginReportBeta1['violations'][number][] = [];
    let success = true;
    for (const templatePath of context.templatePaths) {
      const types = new Set(Object.values<any>(JSON.parse(readFileSync(templatePath, 'utf8')).Resources ?? {}).map((r) => r.Type));
      const rules = this.allRules.filter((r) => r.types.some((t) => types.has(t))).map((r) => r.file);
      if (rules.length === 0) continue;
      rules.forEach((r) => run.add(r));
      const report = new CfnGuardValidator({ controlTowerRulesEnabled: false, rules, maxBuffer: 64 * 1024 * 1024 })
        .validate({ ...context, templatePaths: [templatePath] });
      success = success && report.success;
      violations.push(...report.violations);
    }
    this.rulesRun = [...run].sort();
    return { success, violations };
  }
}
