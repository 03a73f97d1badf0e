import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { App, IPolicyValidationContextBeta1, IPolicyValidationPluginBeta1, PolicyValidationPluginReportBeta1, Validations } from 'aws-cdk-lib';
import { HIPAASecurityChecks, NIST80053R5Checks } from 'cdk-nag';
import { Backbone } from '../../src/aws/backbone';
import { NhsCompliancePlugin } from '../../src/aws/compliance/plugin';
import { BackboneSpec } from '../../src/core/backbone-spec';
import { ApplicableGuardRules } from '../support/aws-guard';
import { SMALL } from '../support/specs';

// cdk-nag's HIPAA Security and NIST 800-53 rev 5 packs, the Control Tower
// rules of @cdklabs/cdk-validator-cfnguard and the NHS compliance plugin,
// all as policy-validation plugins over one small backbone (two trusts in one
// ICB, an app of each ingress kind, a store under legal hold, a backup copy,
// HSCN, CI, CIS2, one modality), synthesised once. Every finding is fixed or
// acknowledged in the construct that owns the resource (never here); the
// acknowledgements are written into the templates (cdk-nag's
// writeSuppressionsToCloudFormation) so that the reasons can be read there.
const spec = BackboneSpec.fromProps({
  ...SMALL,
  trusts: SMALL.trusts.filter((t) => t.icb === 'QYG'),
  apps: [
    { name: 'ai-triage', trusts: ['*'], dicomweb: 'read' as any, ingress: 'none' as any },
    { name: 'pacs-viewer', trusts: ['REM', 'RBS'], dicomweb: 'read-write' as any, ingress: 'hscn' as any },
    { name: 'remote-reporting', trusts: ['REM'], dicomweb: 'read' as any, ingress: 'internet' as any },
  ],
  storage: {
    stores: [{ name: 'records', category: 'adult' }, { name: 'oncology', category: 'cancer', legalHold: true }],
    backup: { awsAccount: '210987654321' },
  },
  imaging: { modalities: [{ aeTitle: 'REM_CT1', host: '10.20.30.40', trust: 'REM' }] },
});

interface PluginReport {
  readonly pluginName: string;
  readonly conclusion: string;
  readonly violations: any[];
  readonly suppressedViolations?: any[];
}

/** A plugin whose report is kept (the assembly's report file lists only plugins with findings). */
class Recorded implements IPolicyValidationPluginBeta1 {
  public readonly name: string;
  public report?: PolicyValidationPluginReportBeta1;
  constructor(private readonly inner: IPolicyValidationPluginBeta1) {
    this.name = inner.name;
  }
  public validate(context: IPolicyValidationContextBeta1): PolicyValidationPluginReportBeta1 {
    this.report = this.inner.validate(context);
    return this.report;
  }
}

let outdir: string;
let reports: PluginReport[] = [];
let templates: any[] = [];
const guard = new ApplicableGuardRules();
let plugins: Recorded[] = [];

beforeAll(() => {
  outdir = mkdtempSync(join(tmpdir(), 'nhs-aws-nag-'));
  const app = new App({
    outdir,
    analyticsReporting: false,
    builtinCloudFormationValidation: false,
    context: {
      'aws:cdk:version-reporting': false,
      'aws:cdk:disable-stack-trace': true,
      // Report rather than throw, so that a failure lists every violation.
      '@aws-cdk/core:failSynthOnValidationErrors': false,
    },
  });
  new Backbone(app, 'Backbone', { spec, account: '123456789012' });
  plugins = [
    new Recorded(new HIPAASecurityChecks(app, { writeSuppressionsToCloudFormation: true }) as any),
    new Recorded(new NIST80053R5Checks(app) as any),
    new Recorded(guard),
    new Recorded(new NhsCompliancePlugin()),
  ];
  Validations.of(app).addPlugins(...plugins as any[]);
  app.synth();
  reports = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8')).pluginReports ?? [];
  templates = readdirSync(outdir).filter((f) => f.endsWith('.template.json')).map((f) => JSON.parse(readFileSync(join(outdir, f), 'utf8')));
}, 120_000);

afterAll(() => rmSync(outdir, { recursive: true, force: true }));

function open(report: PluginReport): string[] {
  return report.violations.flatMap((v) => (v.violatingConstructs ?? v.violatingResources ?? [{}])
    .map((c: any) => `${v.ruleName} at ${c.constructPath ?? c.resourceLogicalId}: ${v.description}`));
}

test('no plugin reports an open finding: HIPAA Security, NIST 800-53 rev 5, cfn-guard Control Tower rules, NHS profile', () => {
  expect(plugins.map((p) => p.name)).toEqual(['HIPAA.Security', 'NIST.800.53.R5', 'cdk-validator-cfnguard', 'nhs-backbone']);
  for (const p of plugins) {
    expect(p.report).toBeDefined();
    // CDK removes the resources acknowledged with Validations (cfn-guard's) from the report it was given.
    expect(open({ pluginName: p.name, conclusion: '', violations: p.report!.violations })).toEqual([]);
    if (p.name !== 'cdk-validator-cfnguard') expect(p.report!.success).toBe(true);
  }
  expect(Number(plugins[3].report!.metadata!.acknowledged)).toBeGreaterThan(0);
  // The assembly's report: plugins with findings (open or acknowledged) only.
  expect(reports.flatMap(open)).toEqual([]);
  expect(reports.map((r) => [r.pluginName, r.conclusion])).toEqual([['cdk-validator-cfnguard', 'success']]);
});

test('cfn-guard ran the Control Tower rules of every resource type the backbone makes', () => {
  const names = guard.rulesRun.map((f) => f.split('/').pop());
  expect(guard.rulesRun.length).toBeGreaterThan(40);
  expect(names).toEqual(expect.arrayContaining(['ct-s3-pr-1.guard', 'ct-kms-pr-3.guard', 'ct-ecs-pr-3.guard', 'ct-cloudtrail-pr-3.guard', 'ct-elasticloadbalancing-pr-6.guard']));
});

test('every cfn-guard finding acknowledged has a written reason, given by the construct that owns the resource', () => {
  const guardReport = reports.find((r) => r.pluginName === 'cdk-validator-cfnguard')!;
  const suppressed = guardReport.suppressedViolations ?? [];
  expect(suppressed.length).toBeGreaterThan(0);
  for (const s of suppressed) {
    expect(s.reason.length).toBeGreaterThanOrEqual(80);
    expect(s.acknowledgedAt).toMatch(/^Backbone\/(Hub|TrustREM|TrustRBS|Edge-remote-reporting)\//);
  }
  const rules = [...new Set(suppressed.map((s: any) => s.ruleName))].sort();
  expect(rules).toEqual([
    'cloud_trail_cloud_watch_logs_enabled_check',
    'ecs_containers_readonly_access_check',
    'efs_automatic_backups_enabled_check',
    'elbv2_acm_certificate_required_check', // app listeners whose certificate ARN is read from SSM at deploy time
    'elbv2_logging_enabled_check',
    'iam_managed_policy_no_statements_with_full_access_check',
    'lambda_inside_vpc_check',
    's3_bucket_logging_enabled_check',
    's3_event_notifications_enabled_check',
  ]);
});

test('cdk-nag acknowledgements are written into the templates with their reasons', () => {
  const resources = templates.flatMap((t) => Object.values<any>(t.Resources));
  const nag = resources.flatMap((r) => (r.Metadata?.cdk_nag?.rules_to_suppress ?? []).map((s: any) => ({ type: r.Type, ...s })));
  for (const s of nag) expect(s.reason.length).toBeGreaterThanOrEqual(80);
  const ids = new Set(nag.map((s: any) => s.id));
  for (const pack of ['HIPAA.Security', 'NIST.800.53.R5']) {
    for (const rule of ['S3BucketLoggingEnabled', 'S3BucketReplicationEnabled', 'IAMNoInlinePolicy', 'VPCDefaultSecurityGroupClosed', 'CloudTrailCloudWatchLogsEnabled']) {
      expect(ids).toContain(`${pack}-${rule}`);
    }
  }
  // A clinical store's bucket carries its own reasons.
  const store = resources.find((r) => r.Type === 'AWS::S3::Bucket' && /-store-oncology-/.test(r.Properties.BucketName));
  expect(store.Metadata.cdk_nag.rules_to_suppress.map((s: any) => s.id)).toEqual(expect.arrayContaining([
    'HIPAA.Security-S3BucketLoggingEnabled', 'NIST.800.53.R5-S3BucketReplicationEnabled',
  ]));
});
