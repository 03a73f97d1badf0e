import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import { TerraformStack, Testing } from 'cdktf';
import { Backbone } from '../../src/azure/backbone';
import { TrustKeyVault } from '../../src/azure/identity/trust-key-vault';
import { ClinicalStore, ClinicalStoreProps } from '../../src/azure/storage/clinical-store';
import { TrustSubnet } from '../../src/core/address-plan';
import { BackboneError } from '../../src/core/errors';
import { NameKind } from '../../src/core/naming';
import { StoreSpec } from '../../src/core/spec';
import { smallSpec } from '../support/specs';
import { TfJson } from '../support/terraform';

const SUB = '00000000-0000-0000-0000-000000000000';
const LOG_DAYS = 1000;
const STORES: StoreSpec[] = [
  { name: 'records', category: 'adult', coldAfterDays: 120 },
  { name: 'maternity', category: 'maternity', years: 30 },
  { name: 'oncology', category: 'cancer', legalHold: true },
];

// The small backbone with three stores per trust, built once; grants made before synthesis.
const spec = smallSpec({ storage: { stores: STORES, logRetentionDays: LOG_DAYS } });
const backbone = new Backbone(Testing.app({ stackTraces: false }), 'backbone', { spec, subscriptionId: SUB });
backbone.store('REM', 'records').grantRead(backbone.identity('REM', 'ai-triage'));
backbone.store('REM', 'maternity').grantReadWrite(backbone.identity('REM', 'remote-reporting'));
const rem = TfJson.of(backbone.trustStack('REM'));
const hub = TfJson.of(backbone.hubStack);

const ref = (type: string, name: string, attr: string) => `\${${type}.${name}.${attr}}`;
const byName = (tf: TfJson, type: string, name: string): [string, any] => {
  const found = tf.resources(type).find(([, c]) => c.name === name);
  if (!found) throw new Error(`no ${type} named ${name}`);
  return found;
};
const accountName = (store: string) => spec.naming.trust('REM', store, NameKind.AZURE_STORAGE_ACCOUNT);
const backupName = (store: string) => spec.naming.trust('REM', `${store}-bak`, NameKind.AZURE_STORAGE_ACCOUNT);
const account = (name: string) => byName(rem, 'azurerm_storage_account', name);
/** The container (and its policy) of an account, by the account's Terraform name. */
const containerOf = (accountTf: string): [string, any] => rem.resources('azurerm_storage_container').find(([, c]) => c.storage_account_id === ref('azurerm_storage_account', accountTf, 'id'))!;
const policyOf = (containerTf: string): any => rem.resources('azurerm_storage_container_immutability_policy').map(([, c]) => c)
  .find((c) => c.storage_container_resource_manager_id === ref('azurerm_storage_container', containerTf, 'id'));
const keyTf = (dataClass: string) => rem.resources('azurerm_key_vault_key').find(([, c]) => c.tags['data-class'] === dataClass)![0];
const grantsTo = (principalRef: string) => rem.resources('azurerm_role_assignment').map(([, c]) => c).filter((g) => g.principal_id === principalRef);

const thrown = (f: () => unknown): BackboneError => {
  try {
    f();
  } catch (e) {
    if (BackboneError.isBackboneError(e)) return e;
    throw e;
  }
  throw new Error('expected a BackboneError');
};

describe('clinical stores in a trust stack', () => {
  const allAccounts = [...STORES.map((s) => accountName(s.name)), ...STORES.map((s) => backupName(s.name))];

  test('one account per store and one copy per store, named from the spec within 3-24 a-z0-9', () => {
    const names = rem.resources('azurerm_storage_account').map(([, c]) => c.name).sort();
    expect(names).toEqual([...allAccounts].sort());
    for (const n of names) expect(n).toMatch(/^[a-z0-9]{3,24}$/);
    expect(new Set(names).size).toBe(names.length);
    expect(backbone.store('REM', 'maternity').accountName).toBe(accountName('maternity'));
  });

  test.each(STORES.map((s) => s.name))('store %s: encrypted with the trust vault\'s storage key through an identity that holds only Crypto Service Encryption User on it', (store) => {
    const [tfName, sa] = account(accountName(store));
    const vaultTf = rem.resources('azurerm_key_vault')[0][0];
    const key = keyTf('storage');
    expect(byName(rem, 'azurerm_key_vault_key', spec.naming.trust('REM', 'storage-cmk'))[1].key_vault_id).toBe(ref('azurerm_key_vault', vaultTf, 'id'));
    expect(sa.customer_managed_key.key_vault_key_id).toBe(ref('azurerm_key_vault_key', key, 'versionless_id'));
    const uai = sa.customer_managed_key.user_assigned_identity_id;
    expect(sa.identity).toEqual({ type: 'UserAssigned', identity_ids: [uai] });
    const uaiTf = /^\$\{azurerm_user_assigned_identity\.([^.]+)\.id\}$/.exec(uai)![1];
    const grants = grantsTo(ref('azurerm_user_assigned_identity', uaiTf, 'principal_id'));
    expect(grants).toEqual([expect.objectContaining({
      role_definition_name: 'Key Vault Crypto Service Encryption User',
      scope: ref('azurerm_key_vault_key', key, 'resource_versionless_id'),
      lifecycle: { prevent_destroy: true },
    })]);
    const grantTf = rem.resources('azurerm_role_assignment').find(([, g]) => g === grants[0])![0];
    expect(sa.depends_on).toEqual([`azurerm_role_assignment.${grantTf}`]);
    expect(rem.json.resource.azurerm_user_assigned_identity[uaiTf].lifecycle).toEqual({ prevent_destroy: true });
    expect(tfName).toBeDefined();
  });

  test('every account, store and copy, is private, Entra-only, TLS 1.2, HTTPS only, double-encrypted and protected', () => {
    for (const name of allAccounts) {
      expect(account(name)[1]).toMatchObject({
        account_kind: 'StorageV2',
        infrastructure_encryption_enabled: true,
        public_network_access_enabled: false,
        shared_access_key_enabled: false,
        default_to_oauth_authentication: true,
        min_tls_version: 'TLS1_2',
        https_traffic_only_enabled: true,
        allow_nested_items_to_be_public: false,
        cross_tenant_replication_enabled: false,
        network_rules: { default_action: 'Deny' },
        blob_properties: { versioning_enabled: true, last_access_time_enabled: false },
        lifecycle: { prevent_destroy: true },
      });
    }
  });

  test.each(STORES.map((s) => s.name))('store %s: a private endpoint (blob) in the trust\'s DATA subnet, registered in the hub\'s blob zone', (store) => {
    const [accountTf] = account(accountName(store));
    const [dataSubnet] = byName(rem, 'azurerm_subnet', spec.naming.trust('REM', TrustSubnet.DATA));
    expect(rem.json.resource.azurerm_subnet[dataSubnet].address_prefixes).toEqual([backbone.addressPlan.trustSubnet('REM', TrustSubnet.DATA)]);
    const pes = rem.resources('azurerm_private_endpoint').map(([, c]) => c).filter((p) => p.private_service_connection.private_connection_resource_id === ref('azurerm_storage_account', accountTf, 'id'));
    expect(pes).toHaveLength(1);
    expect(pes[0]).toMatchObject({ subnet_id: ref('azurerm_subnet', dataSubnet, 'id'), private_service_connection: { subresource_names: ['blob'], is_manual_connection: false } });
    expect(pes[0].private_dns_zone_group.private_dns_zone_ids).toEqual([
      `/subscriptions/${SUB}/resourceGroups/${spec.naming.hub('network', NameKind.AZURE_RESOURCE_GROUP)}/providers/Microsoft.Network/privateDnsZones/privatelink.blob.core.windows.net`,
    ]);
    expect(hub.resources('azurerm_private_dns_zone').map(([, z]) => z.name)).toContain('privatelink.blob.core.windows.net');
  });

  test.each([
    ['records', 8 * 365, 'version'],
    ['maternity', 30 * 365, 'version'],
    ['oncology', 8 * 365, 'container'],
  ])('store %s: locked (compliance) retention of %i days (years x 365) on its container, %s-level WORM', (store, days, scope) => {
    const [accountTf, sa] = account(accountName(store));
    const [containerTf, container] = containerOf(accountTf);
    expect(container).toMatchObject({ name: 'records', container_access_type: 'private', lifecycle: { prevent_destroy: true } });
    expect(policyOf(containerTf)).toEqual({
      storage_container_resource_manager_id: ref('azurerm_storage_container', containerTf, 'id'),
      immutability_period_in_days: days,
      locked: true,
      protected_append_writes_all_enabled: false,
      lifecycle: { prevent_destroy: true },
    });
    expect(sa.tags).toMatchObject({ 'retention-days': String(days), 'lock-mode': 'compliance', 'immutability-scope': scope });
    if (scope === 'version') {
      // Version-level WORM on the account: Azure creates it Unlocked; the container's locked default wins.
      expect(sa.immutability_policy).toEqual({ state: 'Unlocked', period_since_creation_in_days: days, allow_protected_append_writes: false });
    } else {
      expect(sa.immutability_policy).toBeUndefined();
    }
  });

  test('legal hold: recorded on the account and container (the hold itself is an az step), not on stores without one', () => {
    const [onc] = account(accountName('oncology'));
    expect(account(accountName('oncology'))[1].tags['legal-hold']).toBe('true');
    expect(containerOf(onc)[1].metadata).toMatchObject({ legal_hold: 'required', records_category: 'cancer' });
    expect(account(accountName('records'))[1].tags['legal-hold']).toBe('false');
  });

  test('versioning, change feed and a year of soft delete on the stores; blobs and versions go Cold after coldAfterDays, nothing is deleted', () => {
    for (const s of STORES) {
      const [accountTf, sa] = account(accountName(s.name));
      expect(sa.blob_properties).toMatchObject({
        versioning_enabled: true,
        change_feed_enabled: true,
        delete_retention_policy: { days: 365, permanent_delete_enabled: false },
        container_delete_retention_policy: { days: 365 },
      });
      const policy = rem.resources('azurerm_storage_management_policy').map(([, c]) => c).find((p) => p.storage_account_id === ref('azurerm_storage_account', accountTf, 'id'));
      const days = s.coldAfterDays ?? 90;
      expect(policy.rule).toEqual([expect.objectContaining({
        enabled: true,
        actions: {
          base_blob: { tier_to_cold_after_days_since_modification_greater_than: days },
          version: { tier_to_cold_after_days_since_creation_greater_than: days },
        },
      })]);
      expect(JSON.stringify(policy)).not.toMatch(/delete/);
    }
  });

  test('blob reads, writes and deletes go to the hub\'s workspace and log archive', () => {
    const [accountTf] = account(accountName('records'));
    const diag = rem.resources('azurerm_monitor_diagnostic_setting').map(([, c]) => c).find((d) => d.target_resource_id === `${ref('azurerm_storage_account', accountTf, 'id')}/blobServices/default`);
    const hubRg = `/subscriptions/${SUB}/resourceGroups/${spec.naming.hub('network', NameKind.AZURE_RESOURCE_GROUP)}`;
    expect(diag).toMatchObject({
      log_analytics_workspace_id: `${hubRg}/providers/Microsoft.OperationalInsights/workspaces/${hub.only('azurerm_log_analytics_workspace').name}`,
      storage_account_id: `${hubRg}/providers/Microsoft.Storage/storageAccounts/${hub.only('azurerm_storage_account').name}`,
      enabled_log: [{ category: 'StorageRead' }, { category: 'StorageWrite' }, { category: 'StorageDelete' }],
    });
  });
});

describe('the immutable backup copy', () => {
  test.each(STORES.map((s) => s.name))('store %s: copied by object replication to a locked, CMK-encrypted account in ukwest', (store) => {
    const [srcTf] = account(accountName(store));
    const [dstTf, dst] = account(backupName(store));
    const src = backbone.store('REM', store);
    expect(dst.location).toBe('ukwest');
    expect(dst.account_replication_type).toBe('LRS'); // ukwest has no availability zones
    expect(dst.customer_managed_key.key_vault_key_id).toBe(ref('azurerm_key_vault_key', keyTf('backup'), 'versionless_id'));
    expect(dst.blob_properties.versioning_enabled).toBe(true);
    const [dstContainerTf] = containerOf(dstTf);
    expect(policyOf(dstContainerTf)).toMatchObject({
      immutability_period_in_days: src.retentionDays, locked: true, lifecycle: { prevent_destroy: true },
    });
    // In the trust's resource group (a group's region does not bind its resources): no new scope for CI or break-glass.
    expect(dst.resource_group_name).toBe(account(accountName(store))[1].resource_group_name);
    const or = rem.resources('azurerm_storage_object_replication').map(([, c]) => c).find((o) => o.source_storage_account_id === ref('azurerm_storage_account', srcTf, 'id'));
    expect(or).toMatchObject({
      destination_storage_account_id: ref('azurerm_storage_account', dstTf, 'id'),
      rules: [{ source_container_name: ref('azurerm_storage_container', containerOf(srcTf)[0], 'name'), destination_container_name: ref('azurerm_storage_container', dstContainerTf, 'name'), copy_blobs_created_after: 'Everything' }],
      lifecycle: { prevent_destroy: true },
    });
    expect(account(accountName(store))[1].blob_properties.change_feed_enabled).toBe(true);
  });

  test('the copy is reachable for restores only through a private endpoint in the DATA subnet', () => {
    const [dstTf] = account(backupName('records'));
    const pe = rem.resources('azurerm_private_endpoint').map(([, c]) => c).find((p) => p.private_service_connection.private_connection_resource_id === ref('azurerm_storage_account', dstTf, 'id'));
    expect(pe).toMatchObject({ location: 'uksouth', private_service_connection: { subresource_names: ['blob'] } });
    expect(pe.subnet_id).toBe(ref('azurerm_subnet', byName(rem, 'azurerm_subnet', spec.naming.trust('REM', TrustSubnet.DATA))[0], 'id'));
  });
});

describe('the central log archive', () => {
  const sa = hub.only('azurerm_storage_account');

  test('version-level WORM for at least storage.logRetentionDays, locked on the log containers', () => {
    expect(sa.immutability_policy).toEqual({ state: 'Unlocked', period_since_creation_in_days: LOG_DAYS, allow_protected_append_writes: true });
    const containers = hub.resources('azurerm_storage_container');
    expect(containers.map(([, c]) => c.name)).toEqual(expect.arrayContaining(['insights-logs-flowlogflowevent', 'insights-logs-storageread', 'insights-logs-storagewrite', 'insights-logs-storagedelete', 'insights-logs-azfwnetworkrule']));
    for (const [name, c] of containers) {
      expect(c.lifecycle).toEqual({ prevent_destroy: true });
      const policy = hub.resources('azurerm_storage_container_immutability_policy').map(([, p]) => p).find((p) => p.storage_container_resource_manager_id === ref('azurerm_storage_container', name, 'id'));
      expect(policy).toMatchObject({ locked: true, protected_append_writes_all_enabled: true });
      expect(policy.immutability_period_in_days).toBeGreaterThanOrEqual(LOG_DAYS);
    }
  });

  test('encrypted with a key of the hub\'s own private, purge-protected vault', () => {
    const [vaultTf, vault] = hub.resources('azurerm_key_vault')[0];
    expect(vault).toMatchObject({
      purge_protection_enabled: true, public_network_access_enabled: false, rbac_authorization_enabled: true, lifecycle: { prevent_destroy: true },
    });
    const [keyName, key] = hub.resources('azurerm_key_vault_key')[0];
    expect(key).toMatchObject({ key_vault_id: ref('azurerm_key_vault', vaultTf, 'id'), key_type: 'RSA-HSM', lifecycle: { prevent_destroy: true } });
    expect(sa.customer_managed_key.key_vault_key_id).toBe(ref('azurerm_key_vault_key', keyName, 'versionless_id'));
    expect(sa).toMatchObject({ infrastructure_encryption_enabled: true, public_network_access_enabled: false, shared_access_key_enabled: false });
  });

  test('the workspace keeps two interactive years and the audit tables the rest (long-term retention)', () => {
    expect(hub.only('azurerm_log_analytics_workspace').retention_in_days).toBe(730);
    const tables = hub.resources('azurerm_log_analytics_workspace_table').map(([, t]) => t);
    expect(tables.map((t) => t.name)).toEqual(expect.arrayContaining(['StorageBlobLogs', 'AZKVAuditLogs', 'NTANetAnalytics']));
    for (const t of tables) expect(t.total_retention_in_days).toBe(1095); // the smallest allowed >= 1000
  });

  test('still receives the flow logs and firewall diagnostics; Network Watcher no longer deletes at 365 days', () => {
    const flow = hub.only('azurerm_network_watcher_flow_log');
    expect(flow.storage_account_id).toBe(ref('azurerm_storage_account', hub.resources('azurerm_storage_account')[0][0], 'id'));
    expect(flow.retention_policy).toEqual({ enabled: false, days: 0 });
    expect(rem.only('azurerm_network_watcher_flow_log').storage_account_id).toMatch(new RegExp(`/storageAccounts/${sa.name}$`));
    const fw = hub.resources('azurerm_monitor_diagnostic_setting').map(([, c]) => c).find((c) => /azurerm_firewall\./.test(c.target_resource_id));
    expect(fw.storage_account_id).toMatch(/azurerm_storage_account\./);
    const lifecycle = hub.only('azurerm_storage_management_policy');
    expect(lifecycle.rule.find((r: any) => r.name.startsWith('delete')).actions.base_blob.delete_after_days_since_modification_greater_than).toBe(LOG_DAYS);
  });
});

describe('grants', () => {
  const identities = rem.resources('azurerm_user_assigned_identity');
  const principal = (app: string) => ref('azurerm_user_assigned_identity', identities.find(([, c]) => c.tags.app === app)![0], 'principal_id');
  const container = (store: string) => ref('azurerm_storage_container', containerOf(account(accountName(store))[0])[0], 'id');

  test('grantRead: Storage Blob Data Reader (not Contributor) on that store\'s container only', () => {
    const storage = grantsTo(principal('ai-triage')).filter((g) => /^Storage /.test(g.role_definition_name));
    expect(storage).toEqual([expect.objectContaining({ role_definition_name: 'Storage Blob Data Reader', scope: container('records'), principal_type: 'ServicePrincipal' })]);
  });

  test('grantReadWrite: Storage Blob Data Contributor on that store\'s container only', () => {
    const storage = grantsTo(principal('remote-reporting')).filter((g) => /^Storage /.test(g.role_definition_name));
    expect(storage).toEqual([expect.objectContaining({ role_definition_name: 'Storage Blob Data Contributor', scope: container('maternity') })]);
  });

  test('refuses an identity of another trust, or anything that is not a workload identity', () => {
    expect(thrown(() => backbone.store('RBS', 'records').grantRead(backbone.identity('REM', 'ai-triage'))).problems[0].path).toBe('grantee');
    expect(thrown(() => backbone.store('REM', 'records').grantRead({ appName: 'x', odsCode: 'REM' } as any)).problems[0].path).toBe('grantee');
  });
});

describe('props and lookups', () => {
  // A store built outside the backbone, in a stack of its own.
  const stack = new TerraformStack(Testing.app(), 'standalone');
  new AzurermProvider(stack, 'azurerm', { features: [{}] });
  const rg = (name: string) => `/subscriptions/${SUB}/resourceGroups/${name}`;
  const hubZone = (zone: string) => `${rg('hub')}/providers/Microsoft.Network/privateDnsZones/${zone}`;
  const SUBNET = `${rg('rem')}/providers/Microsoft.Network/virtualNetworks/v/subnets/data`;
  const vault = new TrustKeyVault(stack, 'keys', { spec, odsCode: 'REM', resourceGroupName: 'rem', privateEndpointSubnetId: SUBNET, privateDnsZoneId: hubZone('privatelink.vaultcore.azure.net') });
  const base: ClinicalStoreProps = {
    spec,
    odsCode: 'REM',
    store: { name: 'standalone', category: 'imaging' },
    resourceGroupName: 'rem',
    privateEndpointSubnetId: SUBNET,
    privateDnsZoneId: hubZone('privatelink.blob.core.windows.net'),
    encryptionKey: vault.addKey('storage'),
    logAnalyticsWorkspaceId: `${rg('hub')}/providers/Microsoft.OperationalInsights/workspaces/logs`,
    logStorageAccountId: `${rg('hub')}/providers/Microsoft.Storage/storageAccounts/logs`,
    backup: { encryptionKey: vault.addKey('backup'), region: 'uksouth' },
  };
  const standalone = new ClinicalStore(stack, 'store', base);
  const tf = TfJson.of(stack);

  test('defaults from the category (imaging: 10 years), and a copy in the given region', () => {
    expect(standalone.retentionDays).toBe(3650);
    expect(standalone.describeRetention()).toMatch(/^Images and reports .*: locked 10 years \(3650 days, compliance mode, version-level WORM\)/);
    const copy = byName(tf, 'azurerm_storage_account', standalone.backup.accountName)[1];
    expect(copy).toMatchObject({ location: 'uksouth', account_replication_type: 'ZRS' });
    // Same region as the archive: the copy's logs go there too.
    const diag = tf.resources('azurerm_monitor_diagnostic_setting').map(([, c]) => c).filter((d) => d.storage_account_id === base.logStorageAccountId);
    expect(diag).toHaveLength(2);
  });

  test.each([
    ['store.years', { store: { name: 'm', category: 'maternity', years: 10 } }, /10 is shorter than the legal minimum .*maternity records: at least 25/],
    ['store.category', { store: { name: 'logs', category: 'audit-log' } }, /"audit-log" is not a records category/],
    ['store.lockMode', { store: { name: 'r', category: 'adult', lockMode: 'governance' } }, /governance is not allowed for adult records/],
    ['store.coldAfterDays', { store: { name: 'r', category: 'adult', coldAfterDays: 10 } }, /10 is not allowed \(whole days from 30/],
    ['store.name', { store: { name: 'Bad Name', category: 'adult' } }, /"Bad Name" is not allowed/],
    ['privateDnsZoneId', { privateDnsZoneId: hubZone('privatelink.vaultcore.azure.net') }, /is not the ID of a privatelink\.blob\.core\.windows\.net private DNS zone/],
    ['backup.region', { backup: { ...base.backup, region: 'westeurope' } }, /"westeurope" is not allowed under residency uk \(allowed: uksouth, ukwest\)/],
    ['logAnalyticsWorkspaceId', { logAnalyticsWorkspaceId: '' }, /is not set/],
    ['encryptionKey', { encryptionKey: { versionlessId: 'x' } as any }, /is not a VaultKey/],
    ['odsCode', { odsCode: 'XXX' }, /"XXX" is not a trust/],
  ])('refuses a bad %s', (path, bad, message) => {
    const e = thrown(() => new ClinicalStore(new TerraformStack(Testing.app(), 'bad'), 'store', { ...base, ...(bad as Partial<ClinicalStoreProps>) }));
    expect(e.problems).toEqual([{ path, message: expect.stringMatching(message) }]);
  });

  test('store() names the unknown store or trust', () => {
    expect(thrown(() => backbone.store('REM', 'nope')).problems[0]).toEqual({ path: 'storeName', message: '"nope" is not a store of backbone test-backbone (stores: records, maternity, oncology)' });
    expect(thrown(() => backbone.store('XXX', 'records')).problems[0].path).toBe('odsCode');
  });
});
