import { cpSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import { App, TerraformStack } from 'cdktf';
import { AzureCompliance } from '../../src/azure/compliance/acknowledge';
import { AzureComplianceCheck } from '../../src/azure/compliance/check';
import { checkSynthOutput } from '../../src/azure/compliance/check-output';
import { BreakGlassAccess } from '../../src/azure/identity/break-glass';
import { HubNetwork } from '../../src/azure/network/hub-network';
import { synthAzure } from '../../src/azure/synth';
import { BackboneSpec } from '../../src/core/backbone-spec';
import { ACKNOWLEDGEMENTS_KEY, ComplianceFinding } from '../../src/core/compliance';
import { BackboneError } from '../../src/core/errors';
import { NameKind } from '../../src/core/naming';
import { withoutStackTraces } from '../support/quiet-traces';
import { SMALL } from '../support/specs';

// A whole Azure backbone with every feature (three trusts in two ICBs, stores
// with and without legal hold, a modality and so a DIMSE gateway, an app of
// each ingress kind, the HSCN VPN, CI, CIS2, a security contact, a backup
// region), synthesised once by the same function the CLI uses, then checked.
const ROOT = mkdtempSync(join(tmpdir(), 'azure-compliance-backbone-'));
const OUT = join(ROOT, 'azure');
const spec = BackboneSpec.fromProps({
  ...SMALL,
  apps: [
    { name: 'ai-triage', trusts: ['*'], dicomweb: 'read' as any, ingress: 'none' as any },
    { name: 'pacs-viewer', trusts: ['REM', 'RBS'], dicomweb: 'read-write' as any, ingress: 'hscn' as any, store: { category: 'imaging' } },
    { name: 'remote-reporting', trusts: ['REM'], dicomweb: 'read' as any, ingress: 'internet' as any },
  ],
  imaging: { modalities: [{ aeTitle: 'REM_CT1', host: '10.20.30.40', trust: 'REM' }] },
  storage: {
    stores: [
      { name: 'clinical-records', category: 'adult' },
      { name: 'oncology', category: 'cancer', legalHold: true },
    ],
    logRetentionDays: 2555,
    backup: { azureRegion: 'ukwest' },
  },
});
const summary = withoutStackTraces(() => synthAzure(spec, undefined, OUT));
const result = checkSynthOutput(OUT);
const stackNames = readdirSync(join(OUT, 'stacks')).sort();
const readStack = (name: string): any => JSON.parse(readFileSync(join(OUT, 'stacks', name, 'cdk.tf.json'), 'utf8'));
const hubStack = spec.naming.name(NameKind.STACK, ['hub']);
const remStack = spec.naming.name(NameKind.STACK, ['REM']);

/** The real output with one stack changed, checked. */
function tampered(stack: string, change: (json: any) => void): ComplianceFinding[] {
  const dir = mkdtempSync(join(ROOT, 'tampered-'));
  cpSync(OUT, dir, { recursive: true });
  const json = readStack(stack);
  change(json);
  writeFileSync(join(dir, 'stacks', stack, 'cdk.tf.json'), JSON.stringify(json));
  return checkSynthOutput(dir).findings.filter((f) => f.acknowledgedReason === undefined);
}

const entries = (json: any, type: string): Array<[string, any]> => Object.entries(json.resource?.[type] ?? {});
const open = (fs: ComplianceFinding[]) => fs.map((f) => `${f.ruleId} ${f.resourceType}`).sort();

test('the whole backbone has no unacknowledged error; every resource of every stack is checked', () => {
  expect(result.findings.filter((f) => f.acknowledgedReason === undefined)).toEqual([]);
  expect(result.checkedResources).toBe(summary.resources);
  expect(stackNames).toHaveLength(summary.stacks);
});

test('exactly these findings are acknowledged in the output, each with its reason: the workspace key, the global alerting, the DICOM stores\' lock and copy, the internet app\'s edge', () => {
  const acked = result.findings.map((f) => `${f.ruleId} ${f.resourceType} ${f.stack}`).sort();
  const img = spec.imagingNetworks().map((n) => spec.naming.name(NameKind.STACK, ['img', n.id]));
  expect(acked).toEqual([
    `NHS-ENC-1 azurerm_log_analytics_workspace ${hubStack}`,
    `NHS-RES-1 azurerm_monitor_action_group ${hubStack}`,
    `NHS-RES-1 azurerm_monitor_activity_log_alert ${hubStack}`,
    `NHS-NET-1 azurerm_network_security_group ${hubStack}`,
    ...img.flatMap((s) => [`NHS-BAK-1 azurerm_healthcare_dicom_service ${s}`, `NHS-RET-1 azurerm_healthcare_dicom_service ${s}`]),
  ].sort());
  const reason = (rule: string, type: string) => result.findings.find((f) => f.ruleId === rule && f.resourceType === type)!.acknowledgedReason;
  expect(reason('NHS-ENC-1', 'azurerm_log_analytics_workspace')).toMatch(/dedicated cluster .* logAnalyticsClusterId/);
  expect(reason('NHS-RES-1', 'azurerm_monitor_action_group')).toMatch(/global Azure Monitor resources .* no patient data/);
  expect(reason('NHS-RET-1', 'azurerm_healthcare_dicom_service')).toMatch(/WORM policy there would break it/);
  expect(reason('NHS-BAK-1', 'azurerm_healthcare_dicom_service')).toMatch(/neither object replication nor generally available vaulted Azure Backup/);
  // The only internet-facing rule is the declared edge of remote-reporting (its WAF_v2 gateway's subnet).
  expect(reason('NHS-NET-1', 'azurerm_network_security_group')).toMatch(/^Declared internet ingress of app remote-reporting: HTTPS 443 .* WAF_v2 .* NHS CIS2/);
  expect(result.findings.find((f) => f.ruleId === 'NHS-NET-1')!.resource).toMatch(/remote-reporting-edge_SubnetNsg/);
  // The DICOM finding is about the real gap, not a missing tag: the service says it holds imaging records.
  for (const s of img) {
    const [, dicom] = entries(readStack(s), 'azurerm_healthcare_dicom_service')[0];
    expect(dicom.tags['records-category']).toBe('imaging');
    expect(dicom['//'][ACKNOWLEDGEMENTS_KEY].map((a: any) => a.ruleId)).toEqual(['NHS-RET-1', 'NHS-BAK-1']);
  }
});

test('every stack records the backbone, its residency and the apps declared with internet ingress', () => {
  for (const s of stackNames) {
    expect({ s, meta: readStack(s)['//']['nhs-backbone'] }).toEqual({ s, meta: { backbone: 'test-backbone', residency: 'uk', internetIngressApps: ['remote-reporting'] } });
  }
});

test('the log archive says it holds audit logs, and each clinical store and its copy its category', () => {
  const hub = readStack(hubStack);
  const archive = entries(hub, 'azurerm_storage_account').map(([, a]) => a);
  expect(archive.map((a) => a.tags['records-category'])).toEqual(['audit-log']);
  const rem = entries(readStack(remStack), 'azurerm_storage_account').map(([, a]) => a).filter((a) => a.tags.store);
  expect(rem.map((a) => [a.tags.store, a.tags['records-category'], a.tags['backup-of'] !== undefined]).sort()).toEqual([
    ['app-pacs-viewer', 'imaging', false], ['app-pacs-viewer', 'imaging', true],
    ['clinical-records', 'adult', false], ['clinical-records', 'adult', true], ['oncology', 'cancer', false], ['oncology', 'cancer', true],
  ]);
});

test('the apps\' parts are in the checked output: the HSCN app\'s gateways and store in its trusts, the internet app\'s edge in the hub', () => {
  const gateways = (stack: string) => entries(readStack(stack), 'azurerm_application_gateway').map(([, g]) => `${g.sku.name} ${g.tags.app}`).sort();
  expect(gateways(remStack)).toEqual(['Standard_v2 pacs-viewer']);
  expect(gateways(spec.naming.name(NameKind.STACK, ['RBS']))).toEqual(['Standard_v2 pacs-viewer']);
  expect(gateways(spec.naming.name(NameKind.STACK, ['R0A']))).toEqual([]);
  expect(gateways(hubStack)).toEqual(['WAF_v2 remote-reporting']);
});

describe('the rules bite on the real output when it is changed', () => {
  test('without its acknowledgements, the same findings are errors', () => {
    const dir = mkdtempSync(join(ROOT, 'no-acks-'));
    cpSync(OUT, dir, { recursive: true });
    for (const s of stackNames) {
      const file = join(dir, 'stacks', s, 'cdk.tf.json');
      const text = readFileSync(file, 'utf8');
      const json = JSON.parse(text);
      for (const byName of Object.values<any>(json.resource ?? {})) for (const cfg of Object.values<any>(byName)) delete cfg['//']?.[ACKNOWLEDGEMENTS_KEY];
      writeFileSync(file, JSON.stringify(json));
    }
    const report = AzureComplianceCheck.ofDirectory(dir);
    expect(report.passed).toBe(false);
    expect(open(report.unacknowledgedErrors())).toEqual(open(result.findings));
  });

  test('a store locked for less than its floor (RET-1), and a copy that is not locked (BAK-1, and RET-1 on the copy)', () => {
    const shorter = tampered(remStack, (json) => {
      const [, p] = entries(json, 'azurerm_storage_container_immutability_policy').find(([n]) => n.startsWith('store-oncology_ContainerImmutability'))!;
      p.immutability_period_in_days = 365;
    });
    expect(shorter.map((f) => [f.ruleId, f.message])).toEqual([['NHS-RET-1', expect.stringMatching(/^store testbackboneremoncol\w* \(cancer records\): container records is locked 365 days, less than the cancer floor of 2920 days/)]]);
    const unlocked = tampered(remStack, (json) => {
      const [, p] = entries(json, 'azurerm_storage_container_immutability_policy').find(([n]) => n.startsWith('store-clinical-records_Backup_ContainerImmutability'))!;
      p.locked = false;
    });
    expect(open(unlocked)).toEqual(['NHS-BAK-1 azurerm_storage_account', 'NHS-RET-1 azurerm_storage_account']);
    expect(unlocked.find((f) => f.ruleId === 'NHS-BAK-1')!.message).toMatch(/the copy in .* is not immutable/);
  });

  test('a VNet without its flow log (LOG-1), a resource abroad (RES-1), an NSG open to the internet (NET-1), a tag dropped (TAG-1), an HSM key made software (ENC-1)', () => {
    const found = tampered(remStack, (json) => {
      delete json.resource.azurerm_network_watcher_flow_log;
      entries(json, 'azurerm_user_assigned_identity')[0][1].location = 'eastus';
      const nsg = entries(json, 'azurerm_network_security_group')[0][1];
      nsg.security_rule.push({ name: 'oops', priority: 200, direction: 'Inbound', access: 'Allow', protocol: 'Tcp', source_address_prefix: '*', destination_port_range: '3389' });
      delete entries(json, 'azurerm_route_table')[0][1].tags['ods-code'];
      entries(json, 'azurerm_key_vault_key')[0][1].key_type = 'RSA';
    });
    expect(open(found)).toEqual([
      'NHS-ENC-1 azurerm_key_vault_key', 'NHS-LOG-1 azurerm_virtual_network', 'NHS-NET-1 azurerm_network_security_group',
      'NHS-RES-1 azurerm_user_assigned_identity', 'NHS-TAG-1 azurerm_route_table',
    ]);
  });

  test('an Owner grant on the subscription (IAM-1) and a public IP on nothing (NET-1)', () => {
    const found = tampered(hubStack, (json) => {
      json.resource.azurerm_role_assignment.extra = { scope: '/subscriptions/00000000-0000-0000-0000-000000000000', role_definition_name: 'Owner', principal_id: 'x' };
      json.resource.azurerm_public_ip.extra = { name: 'stray', location: 'uksouth', tags: { 'ods-code': 'QYG' } };
    });
    expect(open(found)).toEqual(['NHS-IAM-1 azurerm_role_assignment', 'NHS-NET-1 azurerm_public_ip']);
  });
});

describe('fixes and acknowledgements made by the constructs', () => {
  const app = new App({ outdir: join(ROOT, 'parts'), stackTraces: false });
  const stack = new TerraformStack(app, 'parts');
  new AzurermProvider(stack, 'azurerm', { features: [{}] });
  AzureCompliance.recordStack(stack, spec);
  const cluster = '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/logs/providers/Microsoft.OperationalInsights/clusters/nhs-cmk';
  const hub = new HubNetwork(stack, 'network', { spec, addressPlan: spec.addressPlan(), logAnalyticsClusterId: cluster });
  new BreakGlassAccess(stack, 'break-glass', {
    spec,
    resourceGroupName: 'hub',
    notifyEmails: ['security@test-backbone.nhs.uk'],
    accounts: [{ objectId: '11111111-2222-3333-4444-555555555555', userPrincipalName: 'bg1@nhsorg.onmicrosoft.com' }],
    scopes: ['/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/hub'],
    subscriptionId: '00000000-0000-0000-0000-000000000000',
  });
  withoutStackTraces(() => app.synth());
  const report = AzureComplianceCheck.ofApp(app);
  const json = JSON.parse(readFileSync(join(app.outdir, 'stacks', 'parts', 'cdk.tf.json'), 'utf8'));

  test('logAnalyticsClusterId links the hub workspace to the keyed cluster: no NHS-ENC-1 finding on it', () => {
    expect(entries(json, 'azurerm_log_analytics_linked_service').map(([, l]) => l)).toEqual([
      expect.objectContaining({ write_access_id: cluster, workspace_id: expect.stringMatching(/^\$\{azurerm_log_analytics_workspace\./) }),
    ]);
    expect(report.findings.filter((f) => f.ruleId === 'NHS-ENC-1')).toEqual([]);
    expect(hub.logStore.workspace).toBeDefined();
    expect(() => new HubNetwork(new TerraformStack(app, 'bad'), 'network', { spec, addressPlan: spec.addressPlan(), logAnalyticsClusterId: '/subscriptions/x/clusters' }))
      .toThrow(/^logAnalyticsClusterId: "\/subscriptions\/x\/clusters" is not a Log Analytics cluster ID/);
  });

  test('break-glass Owner on a resource group passes NHS-IAM-1; the alert on each emergency account is global and acknowledged', () => {
    expect(report.unacknowledgedErrors()).toEqual([]);
    expect(report.findings.filter((f) => f.ruleId === 'NHS-IAM-1')).toEqual([]);
    expect(report.findings.filter((f) => f.ruleId === 'NHS-RES-1').map((f) => f.resource).sort()).toEqual([
      expect.stringMatching(/^azurerm_monitor_action_group\.break-glass_ActionGroup/),
      expect.stringMatching(/^azurerm_monitor_activity_log_alert\.break-glass_RoleAssignmentAlert/),
      expect.stringMatching(/^azurerm_monitor_activity_log_alert\.break-glass_UsedAlert-11111111/),
    ]);
  });
});

test('residency uk-eea recorded by the backbone lets a West Europe backbone pass NHS-RES-1', () => {
  const eu = BackboneSpec.fromProps({
    name: 'eea-backbone',
    residency: 'uk-eea' as any,
    regions: { azure: 'westeurope' },
    addressPool: '10.180.0.0/14',
    trusts: [{ odsCode: 'REM', name: 'Liverpool' }],
  });
  const dir = join(ROOT, 'eea');
  withoutStackTraces(() => synthAzure(eu, undefined, dir));
  const found = checkSynthOutput(dir).findings;
  expect(found.filter((f) => f.ruleId === 'NHS-RES-1')).toEqual([]);
  expect(found.filter((f) => f.acknowledgedReason === undefined)).toEqual([]);
  // The same output read as UK-only fails on every regional resource.
  const uk = mkdtempSync(join(ROOT, 'eea-as-uk-'));
  cpSync(dir, uk, { recursive: true });
  for (const s of readdirSync(join(uk, 'stacks'))) {
    const file = join(uk, 'stacks', s, 'cdk.tf.json');
    const j = JSON.parse(readFileSync(file, 'utf8'));
    delete j['//']['nhs-backbone'];
    writeFileSync(file, JSON.stringify(j));
  }
  expect(checkSynthOutput(uk).findings.filter((f) => f.ruleId === 'NHS-RES-1').length).toBeGreaterThan(10);
});

test('BackboneError is what a bad output folder gives', () => {
  expect(() => checkSynthOutput(join(ROOT, 'missing'))).toThrow(BackboneError);
});
