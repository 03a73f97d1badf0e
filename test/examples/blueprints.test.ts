/**
 * Every blueprint in examples/ synthesises from its own main.ts (the public
 * API) into a scratch folder, and what it stands up is what its README says.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { build as multiCloud } from '../../examples/multi-cloud/main';
import { build as nationalGcp } from '../../examples/national-backbone-gcp/main';
import { build as regionalAzure } from '../../examples/regional-imaging-network-azure/main';
import { build as singleTrustAws } from '../../examples/single-trust-aws/main';
import { checkSynthOutput as checkAws } from '../../src/aws/compliance/check-output';
import { checkSynthOutput as checkAzure } from '../../src/azure/compliance/check-output';
import { ComplianceReport } from '../../src/core/compliance';
import { checkSynthOutput as checkGcp } from '../../src/gcp/compliance/check-output';
import { withoutStackTraces } from '../support/quiet-traces';

/** The NHS compliance profile over one cloud's output: the open errors, as `rule stack resource: message` lines. */
function openFindings(check: (dir: string) => { findings: any[]; checkedResources: number }, dir: string): string[] {
  const r = check(dir);
  expect(r.checkedResources).toBeGreaterThan(0);
  return new ComplianceReport(r.findings, r.checkedResources).unacknowledgedErrors().map((f) => `${f.ruleId} ${f.stack} ${f.resource}: ${f.message}`);
}

const work = mkdtempSync(join(tmpdir(), 'nhs-backbone-blueprints-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const tfStacks = (dir: string) => readdirSync(join(dir, 'stacks')).sort();
const tf = (dir: string, stack: string) => JSON.parse(readFileSync(join(dir, 'stacks', stack, 'cdk.tf.json'), 'utf8'));
/** CloudFormation stack name -> template file, from the assembly's manifest. */
const awsStacks = (dir: string): Record<string, string> => {
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
  const out: Record<string, string> = {};
  for (const a of Object.values<any>(manifest.artifacts)) {
    if (a.type === 'aws:cloudformation:stack') out[a.properties.stackName ?? ''] = a.properties.templateFile;
  }
  return out;
};
const templates = (dir: string) => Object.keys(awsStacks(dir)).sort();
const template = (dir: string, stack: string) => JSON.parse(readFileSync(join(dir, awsStacks(dir)[stack]), 'utf8'));
const ofType = (t: any, type: string) => Object.values<any>(t.Resources ?? {}).filter((r) => r.Type === type);

describe('single-trust-aws', () => {
  const out = join(work, 'single-trust-aws');
  beforeAll(() => {
    singleTrustAws(out).synth();
  });

  test('a hub, the trust and its imaging network; the trust\'s stores are locked and its gateway takes its modalities', () => {
    expect(templates(out)).toEqual(['gstt-backbone-hub-prod', 'gstt-backbone-img-trust-rj1-prod', 'gstt-backbone-rj1-prod']);
    const trust = template(out, 'gstt-backbone-rj1-prod');
    const buckets = ofType(trust, 'AWS::S3::Bucket');
    expect(buckets.map((b) => b.Properties.ObjectLockConfiguration.Rule.DefaultRetention).sort((a, b) => a.Days - b.Days))
      .toEqual([{ Mode: 'COMPLIANCE', Days: 8 * 365 }, { Mode: 'COMPLIANCE', Days: 30 * 365 }]);
    expect(ofType(trust, 'AWS::ECS::Service')).toHaveLength(1);
    expect(ofType(template(out, 'gstt-backbone-img-trust-rj1-prod'), 'AWS::HealthImaging::Datastore')).toHaveLength(1);
  });

  test('passes the NHS compliance profile with no unacknowledged finding', () => {
    expect(openFindings(checkAws, out)).toEqual([]);
  });

  test('main.ts gave the reporting worklist read on the clinical records store, and nothing more', () => {
    const trust = template(out, 'gstt-backbone-rj1-prod');
    const statements = ofType(trust, 'AWS::IAM::Policy').flatMap((p) => p.Properties.PolicyDocument.Statement);
    const s3Actions = statements.flatMap((s) => [s.Action].flat()).filter((a: string) => a.startsWith('s3:'));
    expect(s3Actions).toEqual(expect.arrayContaining(['s3:GetObject*']));
    expect(s3Actions.filter((a: string) => /^s3:(Put|Delete)/.test(a))).toEqual([]);
  });
});

describe('regional-imaging-network-azure', () => {
  const out = join(work, 'regional-imaging-network-azure');
  beforeAll(() => withoutStackTraces(() => regionalAzure(out).synth()));

  test('passes the NHS compliance profile with no unacknowledged finding', () => {
    expect(openFindings(checkAzure, out)).toEqual([]);
  });

  test('one shared DICOM service for the ICB\'s five trusts, each with a gateway; the AI app only reads', () => {
    const stacks = tfStacks(out);
    expect(stacks).toEqual(['surrey-sussex-img-hub-prod', 'surrey-sussex-img-img-icb-qxu-prod', 'surrey-sussex-img-ra2-prod', 'surrey-sussex-img-rdu-prod',
      'surrey-sussex-img-rtk-prod', 'surrey-sussex-img-rtp-prod', 'surrey-sussex-img-ryr-prod']);
    const network = tf(out, 'surrey-sussex-img-img-icb-qxu-prod');
    const dicom = Object.values<any>(network.resource.azurerm_healthcare_dicom_service);
    expect(dicom).toHaveLength(1);
    expect(dicom[0].public_network_access_enabled).toBe(false);
    for (const ods of ['ra2', 'rdu', 'rtk', 'rtp', 'ryr']) {
      const trust = tf(out, `surrey-sussex-img-${ods}-prod`);
      expect(Object.keys(trust.resource.azurerm_container_group ?? {})).toHaveLength(1);
      const roles = Object.values<any>(trust.resource.azurerm_role_assignment ?? {}).map((r) => r.role_definition_name).filter((n) => /^DICOM/.test(n ?? ''));
      // The app reads; the gateway writes: no app is DICOM Data Owner.
      expect(roles.filter((n: string) => n === 'DICOM Data Reader')).toHaveLength(1);
    }
  });
});

describe('national-backbone-gcp', () => {
  const out = join(work, 'national-backbone-gcp');
  beforeAll(() => withoutStackTraces(() => nationalGcp(out).synth()));

  test('passes the NHS compliance profile with no unacknowledged finding', () => {
    expect(openFindings(checkGcp, out)).toEqual([]);
  });

  test('an imaging network per ICB, each a DICOM store in its own project and stack', () => {
    const imaging = tfStacks(out).filter((s) => s.includes('-img-'));
    expect(imaging).toEqual(['nhs-national-gcp-img-icb-qop-prod', 'nhs-national-gcp-img-icb-que-prod', 'nhs-national-gcp-img-icb-qyg-prod']);
    for (const s of imaging) {
      const j = tf(out, s);
      expect(Object.values<any>(j.resource.google_healthcare_dataset)[0].location).toBe('europe-west2');
      const readers = Object.values<any>(j.resource.google_healthcare_dicom_store_iam_member ?? {}).filter((m) => m.role === 'roles/healthcare.dicomViewer');
      expect(readers.length).toBeGreaterThan(0);
    }
  });
});

describe('multi-cloud', () => {
  const out = join(work, 'multi-cloud');
  beforeAll(() => withoutStackTraces(() => {
    const apps = multiCloud(out);
    apps.aws.synth();
    apps.azure.synth();
    apps.gcp.synth();
  }));

  test('passes the NHS compliance profile on every cloud with no unacknowledged finding', () => {
    expect(openFindings(checkAws, join(out, 'aws'))).toEqual([]);
    expect(openFindings(checkAzure, join(out, 'azure'))).toEqual([]);
    expect(openFindings(checkGcp, join(out, 'gcp'))).toEqual([]);
  });

  test('one spec, the same trusts on every cloud', () => {
    expect(templates(join(out, 'aws'))).toEqual(expect.arrayContaining(['multi-cloud-demo-rem-test', 'multi-cloud-demo-rbs-test']));
    for (const cloud of ['azure', 'gcp']) {
      expect(tfStacks(join(out, cloud))).toEqual(expect.arrayContaining(['multi-cloud-demo-rem-test', 'multi-cloud-demo-rbs-test']));
    }
  });
});
