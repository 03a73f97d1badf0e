import { mkdirSync, mkdtempSync, readdirSync, readFileSync, existsSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import { PublicIp } from '@cdktf/provider-azurerm/lib/public-ip';
import { App, TerraformStack, Testing } from 'cdktf';
import { Construct } from 'constructs';
import { AzureCompliance } from '../../src/azure/compliance/acknowledge';
import { AzureComplianceCheck } from '../../src/azure/compliance/check';
import { checkSynthOutput } from '../../src/azure/compliance/check-output';
import { TAGGABLE_TYPES } from '../../src/azure/compliance/taggable-types';
import { ACKNOWLEDGEMENTS_KEY, ComplianceFinding, FindingSeverity } from '../../src/core/compliance';
import { BackboneError } from '../../src/core/errors';

// Each rule over hand-written Terraform JSON (the azurerm shapes cdktf
// writes), in a cdktf.out layout in a temporary folder: a deliberately bad
// resource fails, a good one passes.

const ROOT = mkdtempSync(join(tmpdir(), 'azure-compliance-rules-'));
let n = 0;
const TAGS = { 'ods-code': 'REM', 'environment': 'prod' };
const SUB = '/subscriptions/00000000-0000-0000-0000-000000000000';
const REASON = 'Accepted for this test: the resource is a deliberate fixture of the rule.';

/** A stack's JSON from `type.name` → config, with the backbone's record when given. */
function stack(resources: { [address: string]: any }, meta?: { residency?: string; internetIngressApps?: string[] }): any {
  const json: any = { '//': { metadata: { stackName: 'x' }, ...(meta ? { 'nhs-backbone': { backbone: 'test', ...meta } } : {}) }, 'resource': {} };
  for (const [address, cfg] of Object.entries(resources)) {
    const [type, name] = address.split('.');
    json.resource[type] = { ...(json.resource[type] ?? {}), [name]: cfg };
  }
  return json;
}

/** Writes stacks (name → JSON) as cdktf.out and returns the folder. */
function write(stacks: { [name: string]: any }): string {
  const dir = join(ROOT, `out-${n++}`);
  for (const [name, json] of Object.entries(stacks)) {
    mkdirSync(join(dir, 'stacks', name), { recursive: true });
    writeFileSync(join(dir, 'stacks', name, 'cdk.tf.json'), typeof json === 'string' ? json : JSON.stringify(json));
  }
  mkdirSync(join(dir, 'stacks'), { recursive: true });
  return dir;
}

function check(stacks: { [name: string]: any }): ComplianceFinding[] {
  return checkSynthOutput(write(stacks)).findings;
}

/** Findings of one rule as [resource, message]. */
function of(findings: ComplianceFinding[], ruleId: string): Array<[string, string]> {
  return findings.filter((f) => f.ruleId === ruleId).map((f) => [f.resource, f.message]);
}

function thrown(f: () => unknown): BackboneError {
  try {
    f();
  } catch (e) {
    if (BackboneError.isBackboneError(e)) return e;
    throw e;
  }
  throw new Error('expected a BackboneError');
}

// ------------------------------------------------------------------ fixtures

const cmkAccount = (extra: any = {}) => ({
  name: 'remstore',
  location: 'uksouth',
  tags: TAGS,
  public_network_access_enabled: false,
  allow_nested_items_to_be_public: false,
  customer_managed_key: { key_vault_key_id: '${azurerm_key_vault_key.k.versionless_id}', user_assigned_identity_id: '${azurerm_user_assigned_identity.i.id}' },
  queue_encryption_key_type: 'Account',
  table_encryption_key_type: 'Account',
  ...extra,
});
const blobLogs = (account: string) => ({
  name: 'to-central-log-store',
  target_resource_id: `\${azurerm_storage_account.${account}.id}/blobServices/default`,
  log_analytics_workspace_id: `${SUB}/resourceGroups/hub/providers/Microsoft.OperationalInsights/workspaces/logs`,
  enabled_log: [{ category: 'StorageRead' }, { category: 'StorageWrite' }, { category: 'StorageDelete' }],
});
const container = (account: string, name = 'records') => ({ name, storage_account_id: `\${azurerm_storage_account.${account}.id}`, container_access_type: 'private' });
const policy = (container_: string, days: number, locked: boolean) => ({
  storage_container_resource_manager_id: `\${azurerm_storage_container.${container_}.id}`, immutability_period_in_days: days, locked,
});

// ----------------------------------------------------------------- NHS-ENC-1

describe('NHS-ENC-1 encryption at rest with a customer-managed key', () => {
  test.each<[string, { [a: string]: any }, RegExp]>([
    ['a storage account without a customer-managed key', { 'azurerm_storage_account.sa': cmkAccount({ customer_managed_key: undefined }) }, /Microsoft-managed key \(no customer_managed_key/],
    ['a storage account whose queues and tables keep Microsoft keys', { 'azurerm_storage_account.sa': cmkAccount({ queue_encryption_key_type: 'Service' }) }, /queues and tables keep Microsoft-managed keys \(queue_encryption_key_type is not "Account"\)/],
    ['a software key', { 'azurerm_key_vault_key.k': { name: 'k', key_type: 'RSA', key_size: 3072, tags: TAGS } }, /software-protected key \(key_type "RSA"\)/],
    ['a workspace not linked to a keyed cluster', { 'azurerm_log_analytics_workspace.w': { name: 'logs', location: 'uksouth', retention_in_days: 365, tags: TAGS } }, /dedicated cluster/],
    ['a DICOM service without encryption_key_url', { 'azurerm_healthcare_dicom_service.d': { name: 'dicom', location: 'uksouth', public_network_access_enabled: false, tags: TAGS } }, /no encryption_key_url/],
    ['a container group without key_vault_key_id', { 'azurerm_container_group.cg': { name: 'gw', location: 'uksouth', ip_address_type: 'Private', tags: TAGS } }, /no key_vault_key_id/],
    ['a managed disk without a disk encryption set', { 'azurerm_managed_disk.d': { name: 'disk', location: 'uksouth', tags: TAGS } }, /platform-managed key/],
  ])('fails: %s', (_label, resources, message) => {
    const found = of(check({ s: stack(resources) }), 'NHS-ENC-1');
    expect(found).toHaveLength(1);
    expect(found[0][1]).toMatch(message);
  });

  test('passes: keyed account (inline and by azurerm_storage_account_customer_managed_key), HSM key, linked workspace, keyed DICOM and container group', () => {
    const found = check({
      s: stack({
        'azurerm_storage_account.sa': cmkAccount(),
        'azurerm_storage_account.sb': cmkAccount({ name: 'remstore2', customer_managed_key: undefined }),
        'azurerm_storage_account_customer_managed_key.cmk': { storage_account_id: '${azurerm_storage_account.sb.id}', key_vault_id: 'x', key_name: 'k' },
        'azurerm_key_vault_key.k': { name: 'k', key_type: 'RSA-HSM', key_size: 3072, tags: TAGS },
        'azurerm_log_analytics_workspace.w': { name: 'logs', location: 'uksouth', retention_in_days: 365, tags: TAGS },
        'azurerm_log_analytics_linked_service.l': { resource_group_name: 'hub', workspace_id: '${azurerm_log_analytics_workspace.w.id}', write_access_id: `${SUB}/resourceGroups/hub/providers/Microsoft.OperationalInsights/clusters/c` },
        'azurerm_healthcare_dicom_service.d': { name: 'dicom', location: 'uksouth', encryption_key_url: '${azurerm_key_vault_key.k.id}', tags: TAGS },
        'azurerm_container_group.cg': { name: 'gw', location: 'uksouth', ip_address_type: 'Private', key_vault_key_id: 'https://kv.vault.azure.net/keys/k', tags: TAGS },
        'azurerm_managed_disk.d': { name: 'disk', location: 'uksouth', disk_encryption_set_id: `${SUB}/resourceGroups/r/providers/Microsoft.Compute/diskEncryptionSets/des`, tags: TAGS },
      }),
    });
    expect(of(found, 'NHS-ENC-1')).toEqual([]);
  });
});

// ----------------------------------------------------------------- NHS-RES-1

describe('NHS-RES-1 residency', () => {
  test('fails: a region outside the UK, "global", an unresolvable expression, a template deployment and traffic analytics abroad', () => {
    const found = of(check({
      s: stack({
        'azurerm_resource_group.eu': { name: 'rg', location: 'westeurope', tags: TAGS },
        'azurerm_monitor_action_group.ag': { name: 'ag', location: 'global', tags: TAGS },
        'azurerm_virtual_network.v': { name: 'v', location: '${var.location}', tags: TAGS },
        'azurerm_resource_group_template_deployment.t': { name: 't', tags: TAGS, template_content: JSON.stringify({ resources: [{ type: 'Microsoft.X/y', location: 'eastus' }] }) },
        'azurerm_network_watcher_flow_log.f': { name: 'f', location: 'uksouth', tags: TAGS, traffic_analytics: { enabled: true, workspace_region: 'westus' } },
      }),
    }), 'NHS-RES-1');
    expect(found.map(([r]) => r).sort()).toEqual([
      'azurerm_monitor_action_group.ag', 'azurerm_network_watcher_flow_log.f', 'azurerm_resource_group.eu',
      'azurerm_resource_group_template_deployment.t', 'azurerm_virtual_network.v',
    ]);
    expect(found.find(([r]) => r === 'azurerm_resource_group.eu')![1]).toBe('location "westeurope" is not a region residency uk allows (uksouth, ukwest)');
    expect(found.find(([r]) => r === 'azurerm_monitor_action_group.ag')![1]).toMatch(/"global"/);
    expect(found.find(([r]) => r === 'azurerm_virtual_network.v')![1]).toMatch(/expression \$\{var\.location\}/);
  });

  test('passes: UK regions in any spelling, a location taken from a UK resource group; uk-eea residency (recorded in the stack) allows westeurope', () => {
    const uk = of(check({
      s: stack({
        'azurerm_resource_group.rg': { name: 'rg', location: 'UK South', tags: TAGS },
        'azurerm_virtual_network.v': { name: 'v', location: '${azurerm_resource_group.rg.location}', tags: TAGS },
        'azurerm_public_ip.p': { name: 'p', location: 'ukwest', tags: TAGS },
      }),
    }), 'NHS-RES-1');
    expect(uk).toEqual([]);
    const eu = { 'azurerm_resource_group.rg': { name: 'rg', location: 'westeurope', tags: TAGS } };
    expect(of(check({ s: stack(eu, { residency: 'uk-eea' }) }), 'NHS-RES-1')).toEqual([]);
    expect(of(check({ s: stack(eu, { residency: 'uk' }) }), 'NHS-RES-1')).toHaveLength(1);
  });

  test('a stack record with an unknown residency is malformed input, naming the file', () => {
    const dir = write({ s: stack({}, { residency: 'eu' }) });
    const e = thrown(() => checkSynthOutput(dir));
    expect(e.problems[0].path).toBe(join(dir, 'stacks', 's', 'cdk.tf.json'));
    expect(e.message).toMatch(/residency is "eu", not one of uk, uk-eea/);
  });
});

// ----------------------------------------------------------------- NHS-NET-1

describe('NHS-NET-1 no inbound from the internet except declared app ingress', () => {
  const fw = {
    'azurerm_public_ip.fw': { name: 'fw-pip', location: 'uksouth', tags: TAGS },
    'azurerm_firewall.fw': { name: 'fw', location: 'uksouth', tags: TAGS, ip_configuration: [{ name: 'c', subnet_id: 's', public_ip_address_id: '${azurerm_public_ip.fw.id}' }] },
  };

  test('fails: NSG rules allowing Internet / * / 0.0.0.0/0 in, a public IP on a VM NIC or on nothing, DNAT from anywhere, a public storage account and container group', () => {
    const found = of(check({
      s: stack({
        'azurerm_network_security_group.nsg': {
          name: 'nsg',
          location: 'uksouth',
          tags: TAGS,
          security_rule: [
            { name: 'ssh', priority: 100, direction: 'Inbound', access: 'Allow', protocol: 'Tcp', source_address_prefix: 'Internet', destination_port_range: '22' },
            { name: 'deny', priority: 4096, direction: 'Inbound', access: 'Deny', protocol: '*', source_address_prefix: '*', destination_port_range: '*' },
          ],
        },
        'azurerm_network_security_rule.r': { name: 'rdp', network_security_group_name: 'nsg', priority: 110, direction: 'Inbound', access: 'Allow', protocol: 'Tcp', source_address_prefixes: ['10.0.0.0/8', '0.0.0.0/0'], destination_port_range: '3389' },
        'azurerm_public_ip.vm': { name: 'vm-pip', location: 'uksouth', tags: TAGS },
        'azurerm_network_interface.nic': { name: 'nic', location: 'uksouth', tags: TAGS, ip_configuration: [{ name: 'c', public_ip_address_id: '${azurerm_public_ip.vm.id}' }] },
        'azurerm_public_ip.loose': { name: 'loose-pip', location: 'uksouth', tags: TAGS },
        'azurerm_firewall_policy_rule_collection_group.g': {
          name: 'g',
          firewall_policy_id: 'p',
          priority: 100,
          nat_rule_collection: [{ name: 'dnat', priority: 100, action: 'Dnat', rule: [{ name: 'web', protocols: ['TCP'], source_addresses: ['*'], destination_ports: ['443'], translated_address: '10.0.0.4', translated_port: '443' }] }],
        },
        'azurerm_storage_account.sa': cmkAccount({ public_network_access_enabled: true, allow_nested_items_to_be_public: true }),
        'azurerm_container_group.cg': { name: 'cg', location: 'uksouth', tags: TAGS, key_vault_key_id: 'k' },
      }),
    }), 'NHS-NET-1');
    const by = (r: string) => found.filter(([x]) => x === r).map(([, m]) => m);
    expect(by('azurerm_network_security_group.nsg')).toEqual(['NSG nsg rule ssh allows inbound from "Internet" (the internet) to 22']);
    expect(by('azurerm_network_security_rule.r')[0]).toMatch(/rule rdp allows inbound from "0\.0\.0\.0\/0"/);
    expect(by('azurerm_public_ip.vm')[0]).toMatch(/is on azurerm_network_interface\.nic/);
    expect(by('azurerm_public_ip.loose')[0]).toMatch(/attached to none of/);
    expect(by('azurerm_firewall_policy_rule_collection_group.g')[0]).toMatch(/DNAT rule dnat\/web forwards inbound from "\*"/);
    expect(by('azurerm_storage_account.sa')).toHaveLength(2);
    expect(by('azurerm_container_group.cg')[0]).toMatch(/public IP address \(ip_address_type Public\)/);
  });

  test('internet ingress: only an application gateway tagged with an app declared `ingress: internet`, and only behind a WAF', () => {
    const agw = (app: string, waf: boolean) => ({
      'azurerm_public_ip.agw': { name: 'agw-pip', location: 'uksouth', tags: TAGS },
      'azurerm_application_gateway.agw': {
        name: 'agw',
        location: 'uksouth',
        tags: { ...TAGS, app },
        frontend_ip_configuration: [{ name: 'public', public_ip_address_id: '${azurerm_public_ip.agw.id}' }],
        ...(waf ? { firewall_policy_id: `${SUB}/resourceGroups/r/providers/Microsoft.Network/applicationGatewayWebApplicationFirewallPolicies/waf` } : {}),
      },
    });
    const meta = { internetIngressApps: ['remote-reporting'] };
    expect(of(check({ s: stack(agw('remote-reporting', true), meta) }), 'NHS-NET-1')).toEqual([]);
    expect(of(check({ s: stack(agw('ai-triage', true), meta) }), 'NHS-NET-1')[0][1]).toMatch(/not tagged with an app declared with ingress "internet" \(tag app; declared: remote-reporting\)/);
    expect(of(check({ s: stack(agw('remote-reporting', false), meta) }), 'NHS-NET-1')[0][1]).toMatch(/without a WAF/);
    // Without the stack's record, no app is declared.
    expect(of(check({ s: stack(agw('remote-reporting', true)) }), 'NHS-NET-1')).toHaveLength(1);
  });

  test('passes: the firewall\'s public IP, a deny-by-default NSG with private sources, private PaaS endpoints', () => {
    const found = of(check({
      s: stack({
        ...fw,
        'azurerm_network_security_group.nsg': {
          name: 'nsg',
          location: 'uksouth',
          tags: TAGS,
          security_rule: [
            { name: 'trust', priority: 100, direction: 'Inbound', access: 'Allow', protocol: 'Tcp', source_address_prefix: '10.180.0.0/22', destination_port_range: '443' },
            { name: 'probes', priority: 110, direction: 'Inbound', access: 'Allow', protocol: '*', source_address_prefix: 'AzureLoadBalancer', destination_port_range: '*' },
            { name: 'deny-internet', priority: 4000, direction: 'Inbound', access: 'Deny', protocol: '*', source_address_prefix: 'Internet', destination_port_range: '*' },
            { name: 'egress', priority: 100, direction: 'Outbound', access: 'Allow', protocol: '*', source_address_prefix: '*', destination_port_range: '*' },
          ],
        },
        'azurerm_storage_account.sa': cmkAccount(),
        'azurerm_key_vault.kv': { name: 'kv', location: 'uksouth', tags: TAGS, public_network_access_enabled: false },
        'azurerm_container_group.cg': { name: 'cg', location: 'uksouth', tags: TAGS, ip_address_type: 'Private', key_vault_key_id: 'k' },
      }),
    }), 'NHS-NET-1');
    expect(found).toEqual([]);
  });
});

// ----------------------------------------------------------------- NHS-TAG-1

describe('NHS-TAG-1 ODS-code tag', () => {
  test('fails on a taggable resource without ods-code; untaggable types are not asked for one', () => {
    const found = of(check({
      s: stack({
        'azurerm_resource_group.rg': { name: 'rg', location: 'uksouth', tags: { environment: 'prod' } },
        'azurerm_virtual_network.v': { name: 'v', location: 'uksouth' },
        'azurerm_user_assigned_identity.ok': { name: 'id', location: 'uksouth', tags: TAGS },
        'azurerm_role_assignment.ra': { scope: 's', role_definition_name: 'Reader', principal_id: 'p' },
        'azurerm_subnet.sn': { name: 'sn', virtual_network_name: 'v', address_prefixes: ['10.0.0.0/24'] },
      }),
    }), 'NHS-TAG-1');
    expect(found).toEqual([
      ['azurerm_resource_group.rg', 'azurerm_resource_group rg has no ods-code tag'],
      ['azurerm_virtual_network.v', 'azurerm_virtual_network v has no ods-code tag'],
    ]);
  });

  test('the list of taggable types is exactly what the installed azurerm bindings say take `tags`', () => {
    const lib = join(__dirname, '..', '..', 'node_modules', '@cdktf', 'provider-azurerm', 'lib');
    const taggable: string[] = [];
    for (const d of readdirSync(lib)) {
      if (d.startsWith('data-') || !existsSync(join(lib, d, 'index.d.ts'))) continue;
      const text = readFileSync(join(lib, d, 'index.d.ts'), 'utf8');
      const type = /static readonly tfResourceType = "([^"]+)"/.exec(text)?.[1];
      const config = /export interface \w+Config extends cdktf\.TerraformMetaArguments \{([\s\S]*?)\n\}/.exec(text)?.[1];
      if (type && config && /\n {4}readonly tags\?: \{/.test(config)) taggable.push(type);
    }
    expect([...TAGGABLE_TYPES].sort()).toEqual(taggable.sort());
    expect(TAGGABLE_TYPES.has('azurerm_storage_account')).toBe(true);
    expect(TAGGABLE_TYPES.has('azurerm_storage_container')).toBe(false);
  });
});

// ----------------------------------------------------------------- NHS-LOG-1

describe('NHS-LOG-1 audit and flow logs', () => {
  const ws = `${SUB}/resourceGroups/hub/providers/Microsoft.OperationalInsights/workspaces/logs`;
  const base = {
    'azurerm_firewall.fw': { name: 'fw', location: 'uksouth', tags: TAGS },
    'azurerm_key_vault.kv': { name: 'remkv', location: 'uksouth', tags: TAGS, public_network_access_enabled: false },
    'azurerm_storage_account.sa': cmkAccount(),
    'azurerm_virtual_network.v': { name: 'vnet', location: 'uksouth', tags: TAGS },
    'azurerm_log_analytics_workspace.w': { name: 'logs', location: 'uksouth', tags: TAGS },
  };

  test('fails: no settings, metrics only, the account rather than its blob service, no flow log, 30-day workspace', () => {
    const found = of(check({
      s: stack({
        ...base,
        'azurerm_monitor_diagnostic_setting.kv': { name: 'd', target_resource_id: '${azurerm_key_vault.kv.id}', log_analytics_workspace_id: ws, enabled_metric: [{ category: 'AllMetrics' }] },
        'azurerm_monitor_diagnostic_setting.sa': { name: 'd', target_resource_id: '${azurerm_storage_account.sa.id}', log_analytics_workspace_id: ws, enabled_log: [{ category_group: 'allLogs' }] },
        'azurerm_network_watcher_flow_log.off': { name: 'f', location: 'uksouth', tags: TAGS, target_resource_id: '${azurerm_virtual_network.v.id}', enabled: false },
      }),
    }), 'NHS-LOG-1');
    expect(found.map(([r]) => r).sort()).toEqual([
      'azurerm_firewall.fw', 'azurerm_key_vault.kv', 'azurerm_log_analytics_workspace.w', 'azurerm_storage_account.sa', 'azurerm_virtual_network.v',
    ]);
    expect(found.find(([r]) => r === 'azurerm_key_vault.kv')![1]).toBe('key vault remkv has no diagnostic setting sending AuditEvent to the central log store');
    expect(found.find(([r]) => r === 'azurerm_log_analytics_workspace.w')![1]).toMatch(/keeps logs 30 days \(at least 365\)/);
  });

  test('passes: every log on, including a setting in another stack that names its target by resource ID', () => {
    const found = of(check({
      a: stack({
        ...base,
        'azurerm_log_analytics_workspace.w': { name: 'logs', location: 'uksouth', tags: TAGS, retention_in_days: 730 },
        'azurerm_monitor_diagnostic_setting.fw': { name: 'd', target_resource_id: '${azurerm_firewall.fw.id}', log_analytics_workspace_id: ws, enabled_log: [{ category_group: 'allLogs' }] },
        'azurerm_monitor_diagnostic_setting.sa': blobLogs('sa'),
        'azurerm_network_watcher_flow_log.f': { name: 'f', location: 'uksouth', tags: TAGS, target_resource_id: '${azurerm_virtual_network.v.id}', enabled: true, retention_policy: { enabled: true, days: 365 } },
      }),
      b: stack({
        'azurerm_monitor_diagnostic_setting.kv': {
          name: 'audit',
          target_resource_id: `${SUB}/resourceGroups/rem/providers/Microsoft.KeyVault/vaults/remkv`,
          storage_account_id: `${SUB}/resourceGroups/hub/providers/Microsoft.Storage/storageAccounts/archive`,
          enabled_log: [{ category: 'AuditEvent' }],
        },
      }),
    }), 'NHS-LOG-1');
    expect(found).toEqual([]);
  });
});

// ------------------------------------------------------- NHS-RET-1 and BAK-1

describe('NHS-RET-1 retention lock at least the category floor', () => {
  const store = (category: string, days: number, locked: boolean) => ({
    'azurerm_storage_account.sa': cmkAccount({ tags: { ...TAGS, 'records-category': category } }),
    'azurerm_storage_container.c': container('sa'),
    'azurerm_storage_container_immutability_policy.p': policy('c', days, locked),
  });

  test.each<[string, { [a: string]: any }, RegExp]>([
    ['adult records locked one year', store('adult', 365, true), /locked 365 days, less than the adult floor of 2920 days/],
    ['adult records not locked', store('adult', 2920, false), /not locked: adult records need compliance mode/],
    ['a category that does not exist', store('forever', 2920, true), /"forever", which is not a records category/],
    ['a container without a policy', { ...store('cancer', 2920, true), 'azurerm_storage_container.c2': container('sa', 'extra') }, /container extra has no time-based retention policy/],
    ['a DICOM service without records-category', { 'azurerm_healthcare_dicom_service.d': { name: 'dicom', location: 'uksouth', tags: TAGS } }, /no records-category tag: a DICOM store holds imaging records/],
  ])('fails: %s', (_label, resources, message) => {
    const found = of(check({ s: stack(resources) }), 'NHS-RET-1');
    expect(found).toHaveLength(1);
    expect(found[0][1]).toMatch(message);
  });

  test('passes: adult records locked 8 years; audit logs unlocked for a year (no compliance mode needed); untagged accounts are not stores', () => {
    expect(of(check({ s: stack(store('adult', 2920, true)) }), 'NHS-RET-1')).toEqual([]);
    expect(of(check({ s: stack(store('audit-log', 365, false)) }), 'NHS-RET-1')).toEqual([]);
    expect(of(check({ s: stack({ 'azurerm_storage_account.sa': cmkAccount() }) }), 'NHS-RET-1')).toEqual([]);
  });
});

describe('NHS-BAK-1 an immutable copy of every clinical store', () => {
  const source = {
    'azurerm_storage_account.src': cmkAccount({ name: 'remrecords', tags: { ...TAGS, 'records-category': 'adult' } }),
    'azurerm_storage_container.c': container('src'),
    'azurerm_storage_container_immutability_policy.p': policy('c', 2920, true),
  };
  const copy = (locked: boolean) => ({
    'azurerm_storage_account.dst': cmkAccount({ name: 'remrecordsbak', location: 'ukwest', tags: { ...TAGS, 'records-category': 'adult', 'backup-of': 'remrecords' } }),
    'azurerm_storage_container.dc': container('dst'),
    'azurerm_storage_container_immutability_policy.dp': policy('dc', 2920, locked),
  });
  const replication = (destination: string) => ({
    'azurerm_storage_object_replication.r': {
      source_storage_account_id: '${azurerm_storage_account.src.id}',
      destination_storage_account_id: destination,
      rules: [{ source_container_name: '${azurerm_storage_container.c.name}', destination_container_name: 'records', copy_blobs_created_after: 'Everything' }],
    },
  });

  test('fails: no copy; a copy whose container is not locked; a copy outside the output', () => {
    const none = of(check({ s: stack(source) }), 'NHS-BAK-1');
    expect(none).toEqual([['azurerm_storage_account.src', expect.stringMatching(/has no immutable copy/)]]);
    const unlocked = of(check({ s: stack({ ...source, ...copy(false), ...replication('${azurerm_storage_account.dst.id}') }) }), 'NHS-BAK-1');
    expect(unlocked[0][1]).toMatch(/the copy in remrecordsbak is not immutable: container records's retention policy is not locked/);
    const elsewhere = of(check({ s: stack({ ...source, ...replication(`${SUB}/resourceGroups/x/providers/Microsoft.Storage/storageAccounts/unknown`) }) }), 'NHS-BAK-1');
    expect(elsewhere[0][1]).toMatch(/not in the output/);
  });

  test('passes: object replication to a locked container (also in another stack, by resource ID), or backup to a Locked vault; the copy needs no copy', () => {
    expect(of(check({ s: stack({ ...source, ...copy(true), ...replication('${azurerm_storage_account.dst.id}') }) }), 'NHS-BAK-1')).toEqual([]);
    expect(of(check({
      a: stack({ ...source, ...replication(`${SUB}/resourceGroups/rem/providers/Microsoft.Storage/storageAccounts/remrecordsbak`) }),
      b: stack(copy(true)),
    }), 'NHS-BAK-1')).toEqual([]);
    expect(of(check({
      s: stack({
        ...source,
        'azurerm_data_protection_backup_vault.v': { name: 'vault', location: 'uksouth', tags: TAGS, immutability: 'Locked' },
        'azurerm_data_protection_backup_instance_blob_storage.b': { name: 'b', location: 'uksouth', storage_account_id: '${azurerm_storage_account.src.id}', vault_id: '${azurerm_data_protection_backup_vault.v.id}', backup_policy_id: 'p' },
      }),
    }), 'NHS-BAK-1')).toEqual([]);
  });
});

// ----------------------------------------------------------------- NHS-IAM-1

describe('NHS-IAM-1 no wildcard administrative grants', () => {
  test('fails: Owner on the subscription, Contributor by GUID on the looked-up subscription, unconditioned RBAC administration at the root, a * custom role', () => {
    const found = of(check({
      s: stack({
        'azurerm_role_assignment.owner': { scope: SUB, role_definition_name: 'Owner', principal_id: 'p' },
        'azurerm_role_assignment.contrib': { scope: '${data.azurerm_subscription.current.id}', role_definition_id: '/providers/Microsoft.Authorization/roleDefinitions/b24988ac-6180-42a0-ab88-20f7382dd24c', principal_id: 'p' },
        'azurerm_role_assignment.rbac': { scope: '/', role_definition_name: 'Role Based Access Control Administrator', principal_id: 'p' },
        'azurerm_role_definition.god': { name: 'god', scope: `${SUB}/resourceGroups/rg`, permissions: [{ actions: ['*'] }] },
      }),
    }), 'NHS-IAM-1');
    expect(found.map(([r]) => r).sort()).toEqual(['azurerm_role_assignment.contrib', 'azurerm_role_assignment.owner', 'azurerm_role_assignment.rbac', 'azurerm_role_definition.god']);
    expect(found.find(([r]) => r === 'azurerm_role_assignment.owner')![1]).toMatch(/^Owner is assigned at the wide scope \/subscriptions\//);
  });

  test('passes: Owner on a resource group (break-glass), conditioned RBAC administration, Reader on the subscription, a narrow custom role', () => {
    const found = of(check({
      s: stack({
        'azurerm_role_assignment.bg': { scope: `${SUB}/resourceGroups/hub`, role_definition_name: 'Owner', principal_id: 'p', principal_type: 'User' },
        'azurerm_role_assignment.ci': { scope: SUB, role_definition_name: 'Role Based Access Control Administrator', principal_id: 'p', condition: '(x)', condition_version: '2.0' },
        'azurerm_role_assignment.reader': { scope: SUB, role_definition_name: 'Reader', principal_id: 'p' },
        'azurerm_role_definition.ops': { name: 'ops', scope: SUB, permissions: [{ actions: ['Microsoft.Compute/virtualMachines/restart/action'] }] },
      }),
    }), 'NHS-IAM-1');
    expect(found).toEqual([]);
  });
});

// ---------------------------------------------------------- acknowledgements

describe('acknowledgements travel in the output', () => {
  const bad = (acks: unknown) => ({ 'azurerm_key_vault_key.k': { 'name': 'k', 'key_type': 'RSA', 'tags': TAGS, '//': { metadata: {}, [ACKNOWLEDGEMENTS_KEY]: acks } } });

  test('an acknowledgement of the rule, with a reason, turns the error into acknowledged; one of another rule, or without a reason, does not', () => {
    const acked = check({ s: stack(bad([{ ruleId: 'NHS-ENC-1', reason: REASON }])) }).filter((f) => f.ruleId === 'NHS-ENC-1');
    expect(acked).toEqual([expect.objectContaining({ resource: 'azurerm_key_vault_key.k', severity: FindingSeverity.ERROR, acknowledgedReason: REASON })]);
    expect(AzureComplianceCheck.ofDirectory(write({ s: stack(bad([{ ruleId: 'NHS-ENC-1', reason: REASON }])) })).passed).toBe(true);
    for (const acks of [[{ ruleId: 'NHS-NET-1', reason: REASON }], [{ ruleId: 'NHS-ENC-1', reason: 'because' }], [{ ruleId: 'NHS-ENC-1' }], 'yes']) {
      const f = check({ s: stack(bad(acks)) }).filter((x) => x.ruleId === 'NHS-ENC-1');
      expect(f).toHaveLength(1);
      expect(f[0].acknowledgedReason).toBeUndefined();
    }
    expect(AzureComplianceCheck.ofDirectory(write({ s: stack(bad([])) })).passed).toBe(false);
  });

  class Wrapper extends Construct {
    public readonly resource: PublicIp;
    constructor(scope: Construct, id: string) {
      super(scope, id);
      this.resource = new PublicIp(this, 'Resource', { name: 'loose-pip', location: 'uksouth', resourceGroupName: 'rg', allocationMethod: 'Static', tags: TAGS });
    }
  }

  test('AzureCompliance.acknowledge writes to the wrapped resource, appends, and survives synth as "//": { "nhs-backbone:acknowledgements": [...] }', () => {
    const s = new TerraformStack(Testing.app(), 's');
    const w = new Wrapper(s, 'edge');
    AzureCompliance.acknowledge(w, 'NHS-NET-1', REASON);
    AzureCompliance.acknowledge(w.resource, 'NHS-TAG-1', `${REASON} (a second rule)`);
    AzureCompliance.acknowledge(w, 'NHS-NET-1', REASON); // the same again: kept once
    // Testing.synth drops every "//"; the stack's own JSON is what app.synth() writes.
    const json = s.toTerraform() as any;
    const meta = Object.values<any>(json.resource.azurerm_public_ip)[0]['//'];
    expect(meta[ACKNOWLEDGEMENTS_KEY]).toEqual([{ ruleId: 'NHS-NET-1', reason: REASON }, { ruleId: 'NHS-TAG-1', reason: `${REASON} (a second rule)` }]);
    expect(meta.metadata.path).toBe('s/edge/Resource');
    expect(AzureCompliance.acknowledgementsOf(w)).toHaveLength(2);
  });

  test('an acknowledgement without a reason, of an unknown rule, or on something that is no resource, is refused naming the field', () => {
    const s = new TerraformStack(Testing.app(), 's');
    const w = new Wrapper(s, 'edge');
    expect(thrown(() => AzureCompliance.acknowledge(w, 'NHS-NET-1', '')).problems[0].path).toBe('reason');
    expect(thrown(() => AzureCompliance.acknowledge(w, 'NHS-NET-1', 'too short')).problems[0].path).toBe('reason');
    expect(thrown(() => AzureCompliance.acknowledge(w, 'NHS-XYZ-9', REASON)).problems[0].path).toBe('ruleId');
    expect(thrown(() => AzureCompliance.acknowledge(new Construct(s, 'empty'), 'NHS-NET-1', REASON)).message).toMatch(/^construct: "s\/empty" is not a Terraform resource/);
  });

  test('the post-synth pass: AzureComplianceCheck.ofApp reads what app.synth() wrote, and asks for synth first', () => {
    const app = new App({ outdir: join(ROOT, 'app'), stackTraces: false });
    const s = new TerraformStack(app, 'edge-stack');
    new AzurermProvider(s, 'azurerm', { features: [{}] });
    const w = new Wrapper(s, 'edge');
    expect(thrown(() => AzureComplianceCheck.ofApp(app)).message).toMatch(/^app: has no synthesised output in .* for stack edge-stack: call app\.synth\(\) before/);
    AzureCompliance.acknowledge(w, 'NHS-NET-1', REASON);
    app.synth();
    const report = AzureComplianceCheck.ofApp(app);
    expect(report.findings).toEqual([expect.objectContaining({ ruleId: 'NHS-NET-1', stack: 'edge-stack', resource: expect.stringMatching(/^azurerm_public_ip\./), acknowledgedReason: REASON })]);
    expect(report.passed).toBe(true);
    expect(report.checkedResources).toBe(1);
  });
});

describe('malformed input is refused with one line naming the file', () => {
  test('a file that is not JSON, a resource that is not an object, a folder that is not a cdktf output', () => {
    const notJson = write({ s: '{ "resource": ' });
    const e1 = thrown(() => checkSynthOutput(notJson));
    expect(e1.problems[0].path).toBe(join(notJson, 'stacks', 's', 'cdk.tf.json'));
    expect(e1.problems[0].message).toMatch(/^is not valid JSON/);
    expect(e1.message.split('\n')).toHaveLength(1);
    const badShape = write({ s: { resource: { azurerm_public_ip: { p: 'oops' } } } });
    expect(thrown(() => checkSynthOutput(badShape)).message).toMatch(/cdk\.tf\.json: resource\.azurerm_public_ip\.p is not an object/);
    const empty = mkdtempSync(join(ROOT, 'empty-'));
    expect(thrown(() => checkSynthOutput(empty)).problems[0]).toEqual({ path: empty, message: expect.stringMatching(/not a cdktf output folder/) });
    expect(thrown(() => checkSynthOutput(join(ROOT, 'nowhere'))).message).toMatch(/no such folder/);
  });
});
