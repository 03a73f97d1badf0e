import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { PolicyValidationPluginReportBeta1 } from 'aws-cdk-lib';
import { AwsComplianceCheck } from '../../src/aws/compliance/check';
import { checkSynthOutput } from '../../src/aws/compliance/check-output';
import { NhsCompliancePlugin } from '../../src/aws/compliance/plugin';
import { synthAws } from '../../src/aws/synth';
import { BackboneSpec } from '../../src/core/backbone-spec';
import { ComplianceFinding, ComplianceReport, ReportFormat } from '../../src/core/compliance';
import { SMALL } from '../support/specs';

// A whole AWS backbone with every feature (three trusts in two ICBs; stores
// of two categories, one under legal hold; a backup copy to another account;
// an app of each ingress kind; HSCN over VPN; CI federation; CIS2; a security
// contact; a modality, so a DIMSE gateway), synthesised once through the
// CLI's own synthAws into a tmp folder and checked as `nhs-backbone check`
// checks it.
const spec = BackboneSpec.fromProps({
  ...SMALL,
  apps: [
    { name: 'ai-triage', trusts: ['*'], dicomweb: 'read' as any, ingress: 'none' as any, store: { category: 'imaging' } },
    { name: 'pacs-viewer', trusts: ['REM', 'RBS'], dicomweb: 'read-write' as any, ingress: 'hscn' as any },
    { name: 'remote-reporting', trusts: ['REM'], dicomweb: 'read' as any, ingress: 'internet' as any },
  ],
  storage: {
    stores: [
      { name: 'records', category: 'adult' },
      { name: 'maternity', category: 'maternity', years: 30 },
      { name: 'oncology', category: 'cancer', legalHold: true },
    ],
    backup: { awsAccount: '210987654321' },
  },
  imaging: { modalities: [{ aeTitle: 'REM_CT1', host: '10.20.30.40', trust: 'REM' }] },
});

let outdir: string;
const plugin = new NhsCompliancePlugin();
let pluginReport: PolicyValidationPluginReportBeta1 | undefined;
const validate = plugin.validate.bind(plugin);
plugin.validate = (context) => (pluginReport = validate(context));
let result: { findings: ComplianceFinding[]; checkedResources: number };
let templates: Array<{ file: string; template: any }>;

beforeAll(() => {
  outdir = mkdtempSync(join(tmpdir(), 'nhs-aws-compliance-'));
  // The CLI's synth, with the synth-time plugin opted in: it would throw on an unacknowledged error.
  synthAws(spec, undefined, outdir, [plugin]);
  result = checkSynthOutput(outdir);
  templates = readdirSync(outdir).filter((f) => f.endsWith('.template.json'))
    .map((file) => ({ file, template: JSON.parse(readFileSync(join(outdir, file), 'utf8')) }));
}, 60_000);

afterAll(() => rmSync(outdir, { recursive: true, force: true }));

const describeFinding = (f: ComplianceFinding) => `${f.ruleId} ${f.stack}/${f.resource} (${f.resourceType}): ${f.message}`;

test('the whole backbone has no unacknowledged error', () => {
  const report = new ComplianceReport(result.findings, result.checkedResources);
  expect(report.unacknowledgedErrors().map(describeFinding)).toEqual([]);
  expect(report.passed).toBe(true);
  // The synth-time plugin saw the same: every template, no open error, the same acknowledgements.
  expect(pluginReport).toEqual({ success: true, violations: [], metadata: { checkedResources: String(result.checkedResources), acknowledged: '6' } });
  expect(result.checkedResources).toBe(templates.reduce((n, t) => n + Object.keys(t.template.Resources).length, 0));
});

test('the library acknowledges exactly the findings it documents, each with a written reason', () => {
  const acknowledged = result.findings.filter((f) => f.acknowledgedReason !== undefined);
  const summary = acknowledged.map((f) => `${f.ruleId} ${f.resourceType} ${f.stack}`).sort();
  expect(summary).toEqual([
    'NHS-BAK-1 AWS::HealthImaging::Datastore test-backbone-img-icb-qop-prod',
    'NHS-BAK-1 AWS::HealthImaging::Datastore test-backbone-img-icb-qyg-prod',
    'NHS-IAM-1 AWS::IAM::Role test-backbone-hub-prod',
    'NHS-LOG-1 AWS::S3::Bucket test-backbone-hub-prod',
    'NHS-RET-1 AWS::HealthImaging::Datastore test-backbone-img-icb-qop-prod',
    'NHS-RET-1 AWS::HealthImaging::Datastore test-backbone-img-icb-qyg-prod',
  ]);
  for (const f of acknowledged) expect(f.acknowledgedReason!.length).toBeGreaterThanOrEqual(80);
  expect(acknowledged.find((f) => f.ruleId === 'NHS-IAM-1')!.message).toBe('has the AWS managed policy AdministratorAccess');
  expect(acknowledged.find((f) => f.ruleId === 'NHS-LOG-1')!.message).toMatch(/partial access log/);
});

test('every template records the backbone, its residency and the apps with internet ingress', () => {
  expect(templates).toHaveLength(7); // hub, 2 imaging networks, 3 trusts, the edge of remote-reporting
  for (const { template } of templates) {
    expect(template.Metadata['nhs-backbone']).toEqual({ backbone: 'test-backbone', residency: 'uk', internetIngressApps: ['remote-reporting'] });
  }
});

test('clinical stores, their vaults and the DICOM stores carry their records category; the log archive is audit-log', () => {
  const tagged = templates.flatMap(({ template }) => Object.values<any>(template.Resources))
    .filter((r) => ['AWS::S3::Bucket', 'AWS::Backup::BackupVault', 'AWS::HealthImaging::Datastore'].includes(r.Type))
    .map((r) => {
      const tags = r.Properties.Tags ?? r.Properties.BackupVaultTags;
      const category = Array.isArray(tags) ? tags.find((t: any) => t.Key === 'records-category')?.Value : tags?.['records-category'];
      return `${r.Type} ${category}`;
    });
  const count = (x: string) => tagged.filter((t) => t === x).length;
  expect(count('AWS::S3::Bucket adult')).toBe(3);
  expect(count('AWS::S3::Bucket maternity')).toBe(3);
  expect(count('AWS::S3::Bucket cancer')).toBe(3);
  expect(count('AWS::S3::Bucket audit-log')).toBe(1);
  expect(count('AWS::Backup::BackupVault cancer')).toBe(3);
  expect(count('AWS::HealthImaging::Datastore imaging')).toBe(2);
  expect(tagged.filter((t) => t.endsWith('undefined'))).toEqual([]);
});

test('the report renders as the CLI prints it', () => {
  const report = AwsComplianceCheck.ofDirectory(outdir);
  expect(report.render(ReportFormat.TEXT).split('\n')[0]).toMatch(/^NHS compliance profile: \d+ resources checked, 0 unacknowledged errors, 6 acknowledged, 0 warnings: PASSED$/);
  const json = JSON.parse(report.render(ReportFormat.JSON));
  expect(json).toEqual(expect.objectContaining({ passed: true, summary: { errors: 0, acknowledged: 6, warnings: 0 } }));
  expect(report.render(ReportFormat.MARKDOWN)).toMatch(/\| NHS-RET-1 \| .* \| 0 \| 2 \|/);
});
