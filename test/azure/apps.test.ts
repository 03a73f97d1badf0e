import { Testing } from 'cdktf';
import { AppStore, HscnAppIngress, InternetAppEdge } from '../../src/azure/apps';
import { Backbone } from '../../src/azure/backbone';
import { AzureCompliance } from '../../src/azure/compliance/acknowledge';
import { WorkloadIdentity } from '../../src/azure/identity/workload-identity';
import { TrustSubnet } from '../../src/core/address-plan';
import { BackboneError } from '../../src/core/errors';
import { RecordsCategory } from '../../src/core/retention';
import { SMALL, smallSpec } from '../support/specs';
import { TfJson } from '../support/terraform';

const SUB = '00000000-0000-0000-0000-000000000000';
// The constructs on their own: the backbone (which would wire these apps itself,
// see backbone-apps.test.ts) is built without them, and gives the stacks, the
// spoke and the trust's vault; the parts use the spec with the apps.
const spec = smallSpec({
  apps: [...SMALL.apps!, { name: 'pacs-viewer', trusts: ['REM', 'RBS'], ingress: 'hscn' as any, store: { category: 'adult' } }],
});
const backbone = new Backbone(Testing.app({ stackTraces: false }), 'backbone', { spec: smallSpec({ apps: [SMALL.apps![0]] }), subscriptionId: SUB });
const plan = spec.addressPlan();
const ws = `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/logs`;
const stack = backbone.trustStack('REM');
const spoke = backbone.spoke('REM');
const vault = backbone.keyVault('REM');
const hscnProps = {
  spec,
  addressPlan: plan,
  appName: 'pacs-viewer',
  odsCode: 'REM',
  resourceGroupName: 'rg-rem',
  virtualNetworkName: 'vnet-rem',
  routeTableId: spoke.routeTable.id,
  keyVaultId: vault.vaultId,
  certificateSecretId: 'https://kv-rem.vault.azure.net/secrets/pacs-tls',
  logAnalyticsWorkspaceId: ws,
  backendAddresses: [plan.appSubnet('REM', 'pacs-viewer').replace(/\.\d+\/27$/, (m) => `.${Number(m.slice(1, -3)) + 5}`)],
};
new HscnAppIngress(stack, 'pacs-hscn', hscnProps);
const pacsIdentity = new WorkloadIdentity(stack, 'pacs-identity', { spec, appName: 'pacs-viewer', odsCode: 'REM', resourceGroupName: 'rg-rem' });
new AppStore(stack, 'pacs-store', {
  spec,
  appName: 'pacs-viewer',
  odsCode: 'REM',
  identity: pacsIdentity,
  resourceGroupName: 'rg-rem',
  privateEndpointSubnetId: spoke.subnet(TrustSubnet.DATA).subnet.id,
  privateDnsZoneId: `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Network/privateDnsZones/privatelink.blob.core.windows.net`,
  encryptionKey: vault.keyFor('storage'),
  logAnalyticsWorkspaceId: ws,
  backup: { encryptionKey: vault.keyFor('backup') },
});
const edgeProps = {
  spec,
  addressPlan: plan,
  appName: 'remote-reporting',
  resourceGroupName: 'rg-hub',
  virtualNetworkName: 'vnet-hub',
  keyVaultId: '/subscriptions/x/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv-hub',
  certificateSecretId: 'https://kv-hub.vault.azure.net/secrets/edge-tls',
  logAnalyticsWorkspaceId: ws,
};
const edge = new InternetAppEdge(backbone.hubStack, 'edge', edgeProps);
const rem = TfJson.of(stack);
const hub = TfJson.of(backbone.hubStack);

const gatewayNamed = (tf: TfJson, re: RegExp) => tf.resources('azurerm_application_gateway').map(([, c]) => c).find((c) => re.test(c.name));
const thrown = (f: () => unknown): string => {
  try { f(); } catch (e) { if (BackboneError.isBackboneError(e)) return e.message; throw e; }
  throw new Error('expected a BackboneError');
};

describe('HSCN ingress', () => {
  const agw = gatewayNamed(rem, /pacs-viewer-hscn-agw/);
  test('private frontend only, no public IP in the trust', () => {
    expect(agw.frontend_ip_configuration).toHaveLength(1);
    expect(agw.frontend_ip_configuration[0].public_ip_address_id).toBeUndefined();
    expect(agw.frontend_ip_configuration[0].private_ip_address_allocation).toBe('Static');
    expect(rem.resources('azurerm_public_ip')).toEqual([]);
  });
  test('HTTPS 443 only, TLS policy AppGwSslPolicy20220101S, certificate from Key Vault, HTTPS backend', () => {
    expect(agw.frontend_port).toEqual([{ name: 'https', port: 443 }]);
    expect(agw.http_listener.every((l: any) => l.protocol === 'Https')).toBe(true);
    expect(agw.ssl_policy).toEqual({ policy_type: 'Predefined', policy_name: 'AppGwSslPolicy20220101S' });
    expect(agw.ssl_certificate[0].key_vault_secret_id).toBe(hscnProps.certificateSecretId);
    expect(agw.backend_http_settings[0].protocol).toBe('Https');
    expect(agw.backend_address_pool[0].ip_addresses).toEqual(hscnProps.backendAddresses);
  });
  test('NSG: 443 from 10.0.0.0/8 only (besides platform probes), deny the rest', () => {
    const nsg = rem.resources('azurerm_network_security_group').map(([, c]) => c).find((c) => /pacs-viewer-agw-nsg/.test(c.name));
    const allows = nsg.security_rule.filter((r: any) => r.access === 'Allow');
    const on443 = allows.filter((r: any) => r.destination_port_range === '443' || r.destination_port_range === '*');
    expect(on443.flatMap((r: any) => r.source_address_prefixes ?? [r.source_address_prefix]).sort()).toEqual(['10.0.0.0/8', 'AzureLoadBalancer']);
    expect(allows.find((r: any) => r.source_address_prefix === 'GatewayManager').destination_port_range).toBe('65200-65535');
    expect(nsg.security_rule.find((r: any) => r.priority === 4096).access).toBe('Deny');
  });
  test('diagnostics to the central workspace', () => {
    const d = rem.resources('azurerm_monitor_diagnostic_setting').map(([, c]) => c).find((c) => /azurerm_application_gateway/.test(c.target_resource_id));
    expect(d.log_analytics_workspace_id).toBe(ws);
    expect(d.enabled_log).toEqual([{ category_group: 'allLogs' }]);
  });
});

describe('internet edge', () => {
  const agw = gatewayNamed(hub, /remote-reporting-edge-agw/);
  const waf = hub.only('azurerm_web_application_firewall_policy');
  test('WAF_v2 with a Prevention-mode OWASP 3.2 policy, public IP, tag app', () => {
    expect(agw.sku).toEqual({ name: 'WAF_v2', tier: 'WAF_v2' });
    expect(agw.firewall_policy_id).toMatch(/azurerm_web_application_firewall_policy\..*\.id/);
    expect(waf.policy_settings).toEqual(expect.objectContaining({ enabled: true, mode: 'Prevention' }));
    expect(waf.managed_rules.managed_rule_set).toContainEqual({ type: 'OWASP', version: '3.2' });
    expect(agw.tags.app).toBe('remote-reporting');
    expect(agw.frontend_ip_configuration[0].public_ip_address_id).toMatch(/azurerm_public_ip/);
    expect(agw.ssl_policy.policy_name).toBe('AppGwSslPolicy20220101S');
    expect(agw.frontend_port).toEqual([{ name: 'https', port: 443 }]);
  });
  test('the edge NSG acknowledges NHS-NET-1 for its internet rule', () => {
    const nsg = hub.resources('azurerm_network_security_group').map(([, c]) => c).find((c) => /remote-reporting-edge-nsg/.test(c.name));
    expect(AzureCompliance.acknowledgementsOf(edge.node.findChild('SubnetNsg')).map((a) => a.ruleId)).toEqual(['NHS-NET-1']);
    expect(nsg.security_rule.find((r: any) => r.source_address_prefix === 'Internet' && r.access === 'Allow').destination_port_range).toBe('443');
  });
});

describe('app store', () => {
  const sa = rem.resources('azurerm_storage_account').find(([, c]) => c.tags?.app === 'pacs-viewer')!;
  test('locked at the category floor, compliance mode', () => {
    const container = rem.resources('azurerm_storage_container').find(([, c]) => c.storage_account_id === `\${azurerm_storage_account.${sa[0]}.id}`)!;
    const policy = rem.resources('azurerm_storage_container_immutability_policy').map(([, c]) => c).find((c) => c.storage_container_resource_manager_id === `\${azurerm_storage_container.${container[0]}.id}`);
    expect(policy.immutability_period_in_days).toBe(RecordsCategory.fromId('adult')!.minimumLockDays);
    expect(policy.locked).toBe(true);
  });
  test('only this trust\'s app identity has Storage Blob Data Contributor', () => {
    const grants = rem.resources('azurerm_role_assignment').map(([, c]) => c).filter((g) => g.role_definition_name === 'Storage Blob Data Contributor');
    const idTf = rem.resources('azurerm_user_assigned_identity').find(([, c]) => c.name === pacsIdentity.identityName)![0];
    expect(grants.map((g) => g.principal_id)).toEqual([`\${azurerm_user_assigned_identity.${idTf}.principal_id}`]);
  });
});

describe('bad props name the prop', () => {
  test.each([
    ['sourceRanges[0]', () => new HscnAppIngress(stack, 'x1', { ...hscnProps, sourceRanges: ['0.0.0.0/0'] })],
    ['tlsPolicyName', () => new HscnAppIngress(stack, 'x2', { ...hscnProps, tlsPolicyName: 'AppGwSslPolicy20150501' })],
    ['certificateSecretId', () => new HscnAppIngress(stack, 'x3', { ...hscnProps, certificateSecretId: 'https://kv.vault.azure.net/secrets/a/0123' })],
    ['backendAddresses[0]', () => new HscnAppIngress(stack, 'x4', { ...hscnProps, backendAddresses: ['10.9.9.9'] })],
    ['odsCode', () => new HscnAppIngress(stack, 'x5', { ...hscnProps, odsCode: 'R0A' })],
    ['appName', () => new HscnAppIngress(stack, 'x6', { ...hscnProps, appName: 'ai-triage' })],
    ['appName', () => new InternetAppEdge(backbone.hubStack, 'x7', { ...edgeProps, appName: 'pacs-viewer' })],
    ['identity', () => new AppStore(stack, 'x8', { spec, appName: 'pacs-viewer', odsCode: 'REM', identity: backbone.identity('REM', 'ai-triage') } as any)],
  ])('%s', (prop, f) => {
    expect(thrown(f)).toContain(prop);
  });
});
