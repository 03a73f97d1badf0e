import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { GoogleProvider } from '@cdktf/provider-google/lib/provider';
import { StorageBucket } from '@cdktf/provider-google/lib/storage-bucket';
import { App, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { BackboneSpec } from '../../src/core/backbone-spec';
import { ACKNOWLEDGEMENTS_KEY, ComplianceFinding } from '../../src/core/compliance';
import { GcpCompliance } from '../../src/gcp/compliance/acknowledge';
import { GcpComplianceCheck } from '../../src/gcp/compliance/check';
import { checkSynthOutput } from '../../src/gcp/compliance/check-output';
import { synthGcp } from '../../src/gcp/synth';
import { withoutStackTraces } from '../support/quiet-traces';
import { SMALL } from '../support/specs';

/**
 * A whole Google Cloud backbone with every feature (stores with legal hold,
 * modalities, apps of each ingress kind, HSCN VPN, CI, CIS2, a security
 * contact, a backup project), synthesised once by the CLI's own synth into a
 * temporary folder and checked: no unacknowledged error, and exactly the
 * acknowledgements the library documents.
 */

const root = mkdtempSync(join(tmpdir(), 'gcp-compliance-backbone-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const spec = BackboneSpec.fromProps({
  ...SMALL,
  apps: [
    { name: 'ai-triage', trusts: ['*'], dicomweb: 'read' as any, ingress: 'none' as any },
    { name: 'pacs-viewer', trusts: ['REM', 'RBS'], dicomweb: 'read-write' as any, ingress: 'hscn' as any, store: { category: 'adult' } },
    { name: 'remote-reporting', trusts: ['REM'], dicomweb: 'read' as any, ingress: 'internet' as any },
  ],
  storage: {
    stores: [
      { name: 'clinical-records', category: 'adult' },
      { name: 'maternity', category: 'maternity', years: 26 },
      { name: 'imaging', category: 'imaging', years: 30, legalHold: true },
    ],
    backup: { gcpProject: 'test-backbone-vault-prod' },
  },
  imaging: { modalities: [{ aeTitle: 'REM_CT1', host: '10.200.0.5', trust: 'REM' }, { aeTitle: 'R0A_MR1', host: '10.201.0.7', trust: 'R0A' }] },
});
const out = join(root, 'gcp');
withoutStackTraces(() => synthGcp(spec, undefined, out));
const result = checkSynthOutput(out);
const stackJson = (name: string) => JSON.parse(readFileSync(join(out, 'stacks', name, 'cdk.tf.json'), 'utf8'));
const stackNames = readdirSync(join(out, 'stacks'));
const acknowledged = result.findings.filter((f) => f.acknowledgedReason !== undefined);
const key = (f: ComplianceFinding) => `${f.ruleId} ${f.resourceType}`;

test('the whole backbone has no unacknowledged error', () => {
  const open = result.findings.filter((f) => f.acknowledgedReason === undefined);
  expect(open.map((f) => `${f.ruleId} ${f.stack}/${f.resource}: ${f.message}`)).toEqual([]);
  expect(result.checkedResources).toBeGreaterThan(300);
});

test('the acknowledgements are exactly break-glass IAM control and the DICOM stores\' missing lock and copy', () => {
  const trusts = spec.trusts.length;
  const networks = spec.imagingNetworks().length;
  const counts: { [k: string]: number } = {};
  for (const f of acknowledged) counts[key(f)] = (counts[key(f)] ?? 0) + 1;
  expect(counts).toEqual({
    'NHS-IAM-1 google_project_iam_member': 1 + trusts,
    'NHS-RET-1 google_healthcare_dicom_store': networks,
    'NHS-BAK-1 google_healthcare_dicom_store': networks,
  });
  for (const f of acknowledged.filter((x) => x.ruleId === 'NHS-IAM-1')) {
    expect(f.resource).toMatch(/^google_project_iam_member\.break-glass_Role-.*projectIamAdmin/);
    expect(f.acknowledgedReason).toMatch(/^Break-glass emergency access: a keyless service account/);
  }
  for (const f of acknowledged.filter((x) => x.resourceType === 'google_healthcare_dicom_store')) {
    expect(f.acknowledgedReason).toMatch(f.ruleId === 'NHS-RET-1' ? /no retention lock or object hold/ : /no managed backup or immutable copy/);
  }
});

test('the acknowledgements hide nothing else: without them, only those findings are errors', () => {
  // Strip every acknowledgement from a copy of the output and check again.
  const stripped = join(root, 'stripped');
  for (const name of stackNames) {
    const text = readFileSync(join(out, 'stacks', name, 'cdk.tf.json'), 'utf8').split(`"${ACKNOWLEDGEMENTS_KEY}"`).join('"stripped"');
    mkdirSync(join(stripped, 'stacks', name), { recursive: true });
    writeFileSync(join(stripped, 'stacks', name, 'cdk.tf.json'), text);
  }
  const again = checkSynthOutput(stripped).findings;
  expect(again.every((f) => f.acknowledgedReason === undefined)).toBe(true);
  expect(again.map((f) => `${f.ruleId} ${f.stack}/${f.resource}`).sort())
    .toEqual(acknowledged.map((f) => `${f.ruleId} ${f.stack}/${f.resource}`).sort());
});

test('the apps are wired and checked: the HSCN app\'s internal load balancers, the internet edge stack, the app store and its copy', () => {
  const types = (name: string) => Object.keys(stackJson(name).resource);
  expect(types('test-backbone-rem-prod')).toEqual(expect.arrayContaining(['google_compute_forwarding_rule', 'google_compute_region_target_https_proxy']));
  expect(stackNames).toContain('test-backbone-edge-prod');
  expect(types('test-backbone-edge-prod')).toEqual(expect.arrayContaining(['google_compute_global_forwarding_rule', 'google_compute_security_policy', 'google_iap_settings']));
  const copies = Object.values<any>(stackJson('test-backbone-rbs-backup-prod').resource.google_storage_bucket).map((b) => b.labels.store);
  expect(copies).toContain('app-pacs-viewer');
  // NHS-NET-1 accepts the edge's external resources only as declared ingress: undeclared, they are errors.
  expect(result.findings.filter((f) => f.ruleId === 'NHS-NET-1')).toEqual([]);
  const undeclared = join(root, 'undeclared');
  const edge = stackJson('test-backbone-edge-prod');
  edge['//']['nhs-backbone'].internetIngressApps = [];
  mkdirSync(join(undeclared, 'stacks', 'edge'), { recursive: true });
  writeFileSync(join(undeclared, 'stacks', 'edge', 'cdk.tf.json'), JSON.stringify(edge));
  const net = checkSynthOutput(undeclared).findings.filter((f) => f.ruleId === 'NHS-NET-1').map((f) => f.resourceType).sort();
  expect(net).toEqual(['google_compute_global_address', 'google_compute_global_forwarding_rule']);
});

test('every stack records its residency and declared internet ingress for the check', () => {
  for (const name of stackNames) {
    expect(stackJson(name)['//']['nhs-backbone']).toEqual({ residency: 'uk', backbone: 'test-backbone', internetIngressApps: ['remote-reporting'] });
  }
});

test('labels have one form: the provider default labels use the same NHS keys as resources (ods-code, never ods_code)', () => {
  for (const name of stackNames) {
    const labels = stackJson(name).provider.google[0].default_labels;
    expect(labels['ods-code']).toMatch(/^[a-z0-9]+$/);
    expect(Object.keys(labels).filter((k) => k.includes('_'))).toEqual([]);
  }
  const hub = stackJson('test-backbone-hub-prod');
  expect(hub.provider.google[0].default_labels).toEqual(spec.labelsFor());
  expect(Object.values<any>(hub.resource.google_monitoring_notification_channel)[0].user_labels).toEqual(spec.labelsFor());
});

test('stores carry their records category; the log archive is checked as audit-log; the gateway\'s secrets are audit-logged', () => {
  const rem = stackJson('test-backbone-rem-prod');
  const categories = Object.values<any>(rem.resource.google_storage_bucket).map((b) => [b.labels['records-category'], b.retention_policy.retention_period / 86400, b.retention_policy.is_locked]);
  // The three spec stores and pacs-viewer's own store.
  expect(categories.sort()).toEqual([['adult', 2920, true], ['adult', 2920, true], ['imaging', 10950, true], ['maternity', 9490, true]]);
  const archive = Object.values<any>(stackJson('test-backbone-hub-prod').resource.google_storage_bucket)[0];
  expect(archive.labels).toEqual(expect.objectContaining({ 'purpose': 'log-archive', 'records-category': 'audit-log' }));
  expect(Object.values<any>(rem.resource.google_project_iam_audit_config).map((a) => a.service).sort())
    .toEqual(['secretmanager.googleapis.com', 'storage.googleapis.com']);
  for (const [, dicom] of Object.entries<any>(stackJson('test-backbone-img-icb-qyg-prod').resource.google_healthcare_dicom_store)) {
    expect(dicom.labels['records-category']).toBe('imaging');
  }
});

describe('GcpCompliance.acknowledge and the post-synth check', () => {
  const app = new App({ outdir: join(root, 'app'), stackTraces: false });
  const stack = new TerraformStack(app, 'standalone');
  const provider = new GoogleProvider(stack, 'google', { project: 'nb-demo-prod', region: 'europe-west2' });
  class Wrapper extends Construct {
    public readonly bucket: StorageBucket;
    constructor(scope: Construct, id: string) {
      super(scope, id);
      this.bucket = new StorageBucket(this, 'Resource', { name: 'nb-demo-scratch-prod', location: 'europe-west2' });
    }
  }
  const wrapper = new Wrapper(stack, 'scratch');
  const reason = 'Scratch bucket for de-identified test images only; encrypted by Google, no patient data';
  GcpCompliance.acknowledge(wrapper, 'NHS-ENC-1', reason);
  GcpCompliance.acknowledge(wrapper.bucket, 'NHS-ENC-1', reason);
  GcpCompliance.acknowledge(wrapper, 'NHS-TAG-1', 'A demo stack outside any trust: it has no ODS code to carry');
  GcpCompliance.acknowledge(provider, 'NHS-LOG-1', 'A throwaway demo project: its audit logs stay in its own _Default log bucket');

  test('acknowledgements go on the default child, append per rule, and record a repeat once', () => {
    expect(GcpCompliance.acknowledgementsOf(wrapper.bucket)).toEqual([
      { ruleId: 'NHS-ENC-1', reason },
      { ruleId: 'NHS-TAG-1', reason: 'A demo stack outside any trust: it has no ODS code to carry' },
    ]);
  });

  test('a missing reason, an unknown rule or a construct with no resource is refused, naming the field', () => {
    expect(() => GcpCompliance.acknowledge(wrapper, 'NHS-ENC-1', 'because')).toThrow(/^reason: /);
    expect(() => GcpCompliance.acknowledge(wrapper, 'NHS-ENC-9', reason)).toThrow(/^ruleId: "NHS-ENC-9" is not a rule/);
    expect(() => GcpCompliance.acknowledge(new Construct(stack, 'empty'), 'NHS-ENC-1', reason)).toThrow(/^construct: construct standalone\/empty is not a Terraform resource/);
  });

  test('the acknowledgements survive synth in the resource\'s "//" object, and the post-synth check reads them', () => {
    expect(() => GcpComplianceCheck.ofApp(app)).toThrow(/^app: has no synth output/);
    app.synth();
    const json = JSON.parse(readFileSync(join(app.outdir, 'stacks', 'standalone', 'cdk.tf.json'), 'utf8'));
    const bucket = Object.values<any>(json.resource.google_storage_bucket)[0];
    expect(bucket['//'].metadata.path).toBe('standalone/scratch/Resource');
    expect(bucket['//'][ACKNOWLEDGEMENTS_KEY]).toHaveLength(2);
    const report = GcpComplianceCheck.ofApp(app);
    const mine = report.findings.filter((f) => f.resource.startsWith('google_storage_bucket.'));
    expect(mine.map((f) => [f.ruleId, f.acknowledgedReason !== undefined])).toEqual([
      ['NHS-ENC-1', true], ['NHS-LOG-1', false], ['NHS-TAG-1', true],
    ]);
    // The project sends its logs nowhere: reported on (and acknowledged in) the stack's provider block.
    expect(report.findings.filter((f) => f.resource === 'provider.google').map((f) => [f.ruleId, f.acknowledgedReason]))
      .toEqual([['NHS-LOG-1', 'A throwaway demo project: its audit logs stay in its own _Default log bucket']]);
    expect(report.passed).toBe(false);
  });
});
