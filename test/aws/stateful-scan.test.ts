import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { Backbone } from '../../src/aws/backbone';
import { newAwsApp } from '../../src/aws/synth';
import { BackboneSpec } from '../../src/core/backbone-spec';
import { Cloud } from '../../src/core/regions';
import { StatefulResources } from '../../src/core/stateful';
import { nationalProps } from '../support/specs';

// A whole backbone of 24 trusts in 6 ICBs, each with four stores and a backup
// copy to another account, one imaging network per ICB and one trust with a
// modality (so a DIMSE gateway), synthesised once; every template is scanned.
const TRUSTS = 24;
const ICBS = 6;
const STORES = [
  { name: 'clinical-records', category: 'adult' },
  { name: 'maternity', category: 'maternity', years: 30 },
  { name: 'oncology', category: 'cancer', legalHold: true },
  { name: 'imaging', category: 'imaging', coldAfterDays: 30 },
];
const GATEWAY_TRUST = 'R05';
const spec = BackboneSpec.fromProps({
  ...nationalProps(TRUSTS, ICBS),
  storage: { stores: STORES, logRetentionDays: 400, backup: { awsAccount: '210987654321' } },
  imaging: { modalities: [{ aeTitle: 'R05_CT1', host: '10.99.0.10', trust: GATEWAY_TRUST }] },
});

interface Found { readonly stack: string; readonly id: string; readonly type: string; readonly resource: any }
let stacks: Array<{ name: string; template: any }> = [];
let stateful: Found[] = [];
let outdir: string;

beforeAll(() => {
  outdir = mkdtempSync(join(tmpdir(), 'nhs-aws-stateful-'));
  const app = newAwsApp(outdir);
  new Backbone(app, 'Backbone', { spec, account: '123456789012' });
  const assembly = app.synth();
  stacks = assembly.stacksRecursively.map((s) => ({ name: s.stackName, template: s.template }));
  const types = new Set(StatefulResources.typesOf(Cloud.AWS));
  stateful = stacks.flatMap((s) => Object.entries<any>(s.template.Resources ?? {})
    .filter(([, r]) => types.has(r.Type))
    .map(([id, r]) => ({ stack: s.name, id, type: r.Type, resource: r })));
}, 120_000);

afterAll(() => rmSync(outdir, { recursive: true, force: true }));

test('every stateful resource in every template is retained on delete and on replacement', () => {
  const unprotected = stateful
    .filter((f) => f.resource.DeletionPolicy !== 'Retain' || f.resource.UpdateReplacePolicy !== 'Retain')
    .map((f) => `${f.stack}/${f.id} (${f.type}): DeletionPolicy ${f.resource.DeletionPolicy}, UpdateReplacePolicy ${f.resource.UpdateReplacePolicy}`);
  expect(unprotected).toEqual([]);
});

test('the scan really saw the stores, the keys, the log archive, the backup vaults, the DICOM stores and the gateway\'s state', () => {
  expect(stacks).toHaveLength(1 + ICBS + TRUSTS + 1); // and the edge stack of remote-reporting
  const of = (type: string) => stateful.filter((f) => f.type === type);
  const buckets = of('AWS::S3::Bucket').map((f) => f.resource.Properties.BucketName);
  expect(buckets).toContain('nhs-england-hub-logs-prod');
  for (const store of STORES) {
    expect(buckets.filter((b) => b.endsWith(`-store-${store.name}-prod`))).toHaveLength(TRUSTS);
  }
  expect(of('AWS::Backup::BackupVault')).toHaveLength(TRUSTS * STORES.length);
  // Per trust: its data key and its backup key; in the hub: the log archive's and the alert topic's; one per imaging network.
  expect(of('AWS::KMS::Key').length).toBeGreaterThanOrEqual(TRUSTS * 2 + 2 + ICBS);
  // One HealthImaging datastore per imaging network (one per ICB), each with its own key.
  const datastores = of('AWS::HealthImaging::Datastore');
  expect(datastores.map((f) => f.resource.Properties.DatastoreName).sort())
    .toEqual(spec.imagingNetworks().map((n) => `nhs-england-imaging-${n.id}-prod`).sort());
  for (const d of datastores) expect(d.stack).toMatch(/^nhs-england-img-icb-q0[0-5]-prod$/);
  // The gateway's waiting room and its log group, in the trust's stack only.
  const gatewayStack = `nhs-england-${GATEWAY_TRUST.toLowerCase()}-prod`;
  expect(of('AWS::EFS::FileSystem').map((f) => f.stack)).toEqual([gatewayStack]);
  expect(of('AWS::Logs::LogGroup').filter((f) => f.resource.Properties.LogGroupName === `/nhs-backbone/nhs-england-${GATEWAY_TRUST.toLowerCase()}-dimse-gateway-prod`).map((f) => f.stack))
    .toEqual([gatewayStack]);
  const archive = stateful.find((f) => f.resource.Properties?.BucketName === 'nhs-england-hub-logs-prod')!;
  expect(archive.resource.Properties.ObjectLockConfiguration.Rule.DefaultRetention).toEqual({ Mode: 'COMPLIANCE', Days: 400 });
});

test('every trust and imaging network stack stays far under CloudFormation\'s 500 resources and makes no export', () => {
  for (const s of stacks.filter((x) => !x.name.includes('-hub-'))) {
    const count = Object.keys(s.template.Resources ?? {}).length;
    expect({ stack: s.name, count, over: count > 500 }).toEqual({ stack: s.name, count, over: false });
    expect(JSON.stringify(s.template)).not.toContain('Fn::ImportValue');
  }
});
