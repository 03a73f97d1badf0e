import { LinuxWebApp } from '@cdktf/provider-azurerm/lib/linux-web-app';
import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import { ServicePlan } from '@cdktf/provider-azurerm/lib/service-plan';
import { UserAssignedIdentity } from '@cdktf/provider-azurerm/lib/user-assigned-identity';
import { TerraformStack, Testing } from 'cdktf';
import { BreakGlassAccess } from '../../src/azure/identity/break-glass';
import { CiFederation } from '../../src/azure/identity/ci-federation';
import { Cis2SignIn } from '../../src/azure/identity/cis2-sign-in';
import { AzureBuiltInRole } from '../../src/azure/identity/roles';
import { TrustKeyVault, TrustKeyVaultProps, VaultKey } from '../../src/azure/identity/trust-key-vault';
import { WorkloadIdentity } from '../../src/azure/identity/workload-identity';
import { BackboneSpec } from '../../src/core/backbone-spec';
import { BackboneError } from '../../src/core/errors';
import { Cis2Environment } from '../../src/core/identity';
import { NameKind } from '../../src/core/naming';
import { scanAzureIam } from '../support/azure-iam-scan';
import { SMALL, smallSpec } from '../support/specs';
import { TfJson } from '../support/terraform';

const SUB = '00000000-0000-0000-0000-000000000000';
const rg = (name: string) => `/subscriptions/${SUB}/resourceGroups/${name}`;
const ZONE = `${rg('test-backbone-hub-network-prod')}/providers/Microsoft.Network/privateDnsZones/privatelink.vaultcore.azure.net`;
const SUBNET = `${rg('test-backbone-rem-network-prod')}/providers/Microsoft.Network/virtualNetworks/test-backbone-rem-vnet-prod/subnets/test-backbone-rem-data-prod`;
const WORKSPACE = `${rg('test-backbone-hub-network-prod')}/providers/Microsoft.OperationalInsights/workspaces/test-backbone-hub-logs-prod`;
const BG1 = '11111111-2222-3333-4444-555555555555';
const BG2 = '66666666-7777-8888-9999-aaaaaaaaaaaa';

const spec = smallSpec();
const app = Testing.app();
const newStack = (name: string) => {
  const s = new TerraformStack(app, name);
  new AzurermProvider(s, 'azurerm', { features: [{}] });
  return s;
};

// A trust stack: vault, keys, identities, grants, CIS2 sign-in on a web app.
const remStack = newStack('rem');
const remRg = spec.naming.trust('REM', 'network', NameKind.AZURE_RESOURCE_GROUP);
const vaultProps: TrustKeyVaultProps = { spec, odsCode: 'REM', resourceGroupName: remRg, privateEndpointSubnetId: SUBNET, privateDnsZoneId: ZONE, logAnalyticsWorkspaceId: WORKSPACE };
const vault = new TrustKeyVault(remStack, 'keys', vaultProps);
const imagingKey = vault.addKey('imaging', { rotationPeriodDays: 180, keySize: 4096 });
const triage = new WorkloadIdentity(remStack, 'ai-triage', { spec, appName: 'ai-triage', odsCode: 'REM', resourceGroupName: remRg });
const reporting = new WorkloadIdentity(remStack, 'remote-reporting', { spec, appName: 'remote-reporting', odsCode: 'REM', resourceGroupName: remRg });
vault.grantEncryptDecrypt(triage);
vault.grantEncryptDecrypt(triage); // idempotent
imagingKey.grantEncryptDecrypt(reporting);
const signIn = new Cis2SignIn(remStack, 'remote-reporting-cis2', { spec, appName: 'remote-reporting', identity: reporting, excludedPaths: ['/healthz'] });
const plan = new ServicePlan(remStack, 'plan', { name: spec.naming.trust('REM', 'remote-reporting-plan'), resourceGroupName: remRg, location: 'uksouth', osType: 'Linux', skuName: 'P1v3', tags: spec.tagsFor('REM') });
new LinuxWebApp(remStack, 'remote-reporting-web', {
  name: spec.naming.trust('REM', 'remote-reporting'),
  resourceGroupName: remRg,
  location: 'uksouth',
  servicePlanId: plan.id,
  httpsOnly: true,
  identity: { type: 'UserAssigned', identityIds: [reporting.identityId] },
  keyVaultReferenceIdentityId: signIn.keyVaultReferenceIdentityId,
  appSettings: signIn.appSettings,
  authSettingsV2: signIn.authSettingsV2,
  siteConfig: { minimumTlsVersion: '1.2', ftpsState: 'Disabled' },
  tags: spec.tagsFor('REM'),
});

// Another stack (e.g. an imaging network) granting to the REM identity: a lookup, not a cross-stack reference.
const imagingStack = newStack('imaging');
const sharedKey = new VaultKey(imagingStack, 'shared-key', { spec, odsCode: 'REM', keyVaultId: `${rg('x')}/providers/Microsoft.KeyVault/vaults/x`, dataClass: 'pacs' });
sharedKey.grantEncryptDecrypt(triage);

// The hub stack: CI federation and break-glass.
const hubStack = newStack('hub');
const hubRg = spec.naming.hub('security', NameKind.AZURE_RESOURCE_GROUP);
const deployScopes = [rg(spec.naming.hub('network', NameKind.AZURE_RESOURCE_GROUP)), rg(remRg)];
const ci = new CiFederation(hubStack, 'ci', { spec, resourceGroupName: hubRg, deployScopes, additionalSubjects: ['repo:nhs-example/test-backbone:pull_request'] });
new BreakGlassAccess(hubStack, 'break-glass', {
  spec,
  resourceGroupName: hubRg,
  notifyEmails: ['security@example.nhs.uk'],
  accounts: [{ objectId: BG1, userPrincipalName: 'bg1@example.onmicrosoft.com' }, { objectId: BG2, userPrincipalName: 'bg2@example.onmicrosoft.com' }],
  scopes: deployScopes,
  subscriptionId: SUB,
});

const rem = TfJson.of(remStack);
const imaging = TfJson.of(imagingStack);
const hub = TfJson.of(hubStack);
const all = [rem, imaging, hub];

const ref = (type: string, name: string, attr: string) => `\${${type}.${name}.${attr}}`;
const nameOf = (tf: TfJson, type: string, pred: (c: any) => boolean) => tf.resources(type).find(([, c]) => pred(c))![0];

/** Builds in a throwaway app, for the error cases. */
const scratch = () => new TerraformStack(Testing.app(), 'scratch');
const thrown = (f: () => unknown): BackboneError => {
  try {
    f();
  } catch (e) {
    if (BackboneError.isBackboneError(e)) return e;
    throw e;
  }
  throw new Error('expected a BackboneError');
};

describe('trust key vault', () => {
  const kv = rem.only('azurerm_key_vault');
  const kvName = rem.resources('azurerm_key_vault')[0][0];

  test('RBAC, purge protection, 90-day soft delete, private only, Premium, prevent_destroy', () => {
    expect(kv).toMatchObject({
      name: spec.naming.trust('REM', 'kv', NameKind.AZURE_KEY_VAULT),
      rbac_authorization_enabled: true,
      purge_protection_enabled: true,
      soft_delete_retention_days: 90,
      public_network_access_enabled: false,
      sku_name: 'premium',
      network_acls: { default_action: 'Deny', bypass: 'AzureServices' },
      location: 'uksouth',
      lifecycle: { prevent_destroy: true },
    });
    expect(kv.enable_rbac_authorization).toBeUndefined();
    expect(kv.access_policy).toBeUndefined();
    expect(kv.name.length).toBeLessThanOrEqual(24);
  });

  test('private endpoint in the given subnet, registered in the vaultcore zone', () => {
    const pe = rem.only('azurerm_private_endpoint');
    expect(pe.subnet_id).toBe(SUBNET);
    expect(pe.private_service_connection).toMatchObject({ subresource_names: ['vault'], is_manual_connection: false, private_connection_resource_id: ref('azurerm_key_vault', kvName, 'id') });
    expect(pe.private_dns_zone_group.private_dns_zone_ids).toEqual([ZONE]);
  });

  test('AuditEvent goes to Log Analytics', () => {
    const diag = rem.only('azurerm_monitor_diagnostic_setting');
    expect(diag.target_resource_id).toBe(ref('azurerm_key_vault', kvName, 'id'));
    expect(diag.log_analytics_workspace_id).toBe(WORKSPACE);
    expect(diag.enabled_log).toEqual([{ category: 'AuditEvent' }]);
  });

  test('one RSA-HSM key per data class, rotated automatically, never destroyed', () => {
    const keys: Record<string, any> = Object.fromEntries(rem.resources('azurerm_key_vault_key').map(([, c]) => [c.tags['data-class'], c]));
    expect(Object.keys(keys).sort()).toEqual(['data', 'imaging']);
    const peName = rem.resources('azurerm_private_endpoint')[0][0];
    for (const k of Object.values(keys)) {
      expect(k.key_type).toBe('RSA-HSM');
      expect(k.key_vault_id).toBe(ref('azurerm_key_vault', kvName, 'id'));
      expect(k.lifecycle).toEqual({ prevent_destroy: true });
      expect(k.depends_on).toEqual([`azurerm_private_endpoint.${peName}`]);
      expect(k.rotation_policy.notify_before_expiry).toBe('P30D');
    }
    expect(keys.data).toMatchObject({ key_size: 3072, rotation_policy: { automatic: { time_after_creation: 'P365D' }, expire_after: 'P455D' } });
    expect(keys.imaging).toMatchObject({ key_size: 4096, rotation_policy: { automatic: { time_after_creation: 'P180D' }, expire_after: 'P270D' } });
    expect(keys.data.name).toBe(spec.naming.trust('REM', 'data-cmk'));
  });

  test.each([
    [{ rotationPeriodDays: 6 }, /^rotationPeriodDays: 6 is out of range \(7 to 730 days/],
    [{ rotationPeriodDays: 731 }, /^rotationPeriodDays: 731 is out of range/],
    [{ rotationPeriodDays: 7.5 }, /^rotationPeriodDays: 7\.5 is not a whole number of days/],
    [{ rotationPeriodDays: 30, expireAfterDays: 30 }, /^expireAfterDays: 30 is out of range \(.*at least 37\)/],
    [{ rotationPeriodDays: 7, expireAfterDays: 20 }, /^expireAfterDays: 20 is out of range \(at least 28 days/],
    [{ notifyBeforeExpiryDays: 3 }, /^notifyBeforeExpiryDays: 3 is out of range/],
    [{ keySize: 2048 }, /^keySize: 2048 is not an allowed RSA key size \(3072 or 4096\)/],
  ])('refuses %j', (bad, message) => {
    expect(thrown(() => new TrustKeyVault(scratch(), 'kv', { ...vaultProps, ...bad })).message).toMatch(message);
  });

  test('refuses a DNS zone that is not privatelink.vaultcore.azure.net', () => {
    const e = thrown(() => new TrustKeyVault(scratch(), 'kv', { ...vaultProps, privateDnsZoneId: ZONE.replace('vaultcore', 'blob.core.windows') }));
    expect(e.problems[0].path).toBe('privateDnsZoneId');
  });
});

describe('workload identities and grants', () => {
  const identities = rem.resources('azurerm_user_assigned_identity');
  const triageName = identities.find(([, c]) => c.tags.app === 'ai-triage')![0];
  const reportingName = identities.find(([, c]) => c.tags.app === 'remote-reporting')![0];
  const grants = rem.resources('azurerm_role_assignment').map(([, c]) => c);

  test('one user-assigned identity per app in the trust, named and tagged for the trust', () => {
    expect(identities).toHaveLength(2);
    for (const [, c] of identities) {
      expect(c.resource_group_name).toBe(remRg);
      expect(c.tags).toMatchObject({ 'ods-code': 'REM', 'backbone-principal': 'app' });
    }
    expect(identities.map(([, c]) => c.name).sort()).toEqual([spec.naming.trust('REM', 'ai-triage-id'), spec.naming.trust('REM', 'remote-reporting-id')]);
  });

  test('grantEncryptDecrypt: Crypto Service Encryption User on that key only, once', () => {
    const keyName = (dc: string) => nameOf(rem, 'azurerm_key_vault_key', (c) => c.tags['data-class'] === dc);
    const crypto = grants.filter((g) => g.role_definition_name === 'Key Vault Crypto Service Encryption User');
    expect(crypto).toHaveLength(2);
    expect(crypto).toEqual(expect.arrayContaining([
      expect.objectContaining({ scope: ref('azurerm_key_vault_key', keyName('data'), 'resource_versionless_id'), principal_id: ref('azurerm_user_assigned_identity', triageName, 'principal_id'), principal_type: 'ServicePrincipal' }),
      expect.objectContaining({ scope: ref('azurerm_key_vault_key', keyName('imaging'), 'resource_versionless_id'), principal_id: ref('azurerm_user_assigned_identity', reportingName, 'principal_id') }),
    ]));
  });

  test('no app identity holds any role on a resource group or subscription', () => {
    let checked = 0;
    for (const tf of all) {
      const apps = new Set(tf.resources('azurerm_user_assigned_identity').filter(([, c]) => c.tags['backbone-principal'] === 'app').map(([n]) => n));
      for (const [, g] of tf.resources('azurerm_role_assignment')) {
        const m = /^\$\{(data\.)?azurerm_user_assigned_identity\.([^.]+)\.principal_id\}$/.exec(g.principal_id);
        if (!m || (!m[1] && !apps.has(m[2]))) continue;
        checked++;
        expect(g.scope).not.toMatch(/resourceGroups\/[^/]+$|^\/subscriptions\/[^/]+$/);
      }
    }
    expect(checked).toBe(4);
  });

  test('a grant from another stack looks the identity up by name: no cross-stack reference', () => {
    const [dataName, lookup] = imaging.dataSources('azurerm_user_assigned_identity')[0];
    expect(lookup).toEqual({ name: triage.identityName, resource_group_name: remRg });
    expect(imaging.only('azurerm_role_assignment').principal_id).toBe(ref('data.azurerm_user_assigned_identity', dataName, 'principal_id'));
    expect(JSON.stringify(imaging.json)).not.toMatch(/terraform_remote_state|cross-stack/);
  });

  test('a grant to something that is not a backbone workload identity is refused, naming grantee', () => {
    const raw = new UserAssignedIdentity(scratch(), 'raw', { name: 'raw', resourceGroupName: 'rg', location: 'uksouth' });
    for (const bad of [raw, { principalId: 'x', appName: 'a', odsCode: 'REM' }, undefined]) {
      const e = thrown(() => vault.grantEncryptDecrypt(bad as any));
      expect(e.problems[0].path).toBe('grantee');
      expect(e.message).toMatch(/is not a workload identity of the backbone/);
    }
  });

  test('an identity for an app that does not serve the trust is refused', () => {
    expect(thrown(() => new WorkloadIdentity(scratch(), 'x', { spec, appName: 'remote-reporting', odsCode: 'RBS', resourceGroupName: 'rg' })).problems[0].path).toBe('odsCode');
    expect(thrown(() => new WorkloadIdentity(scratch(), 'x', { spec, appName: 'nope', odsCode: 'REM', resourceGroupName: 'rg' })).problems[0].path).toBe('appName');
  });
});

describe('CI federation', () => {
  const uaiName = hub.resources('azurerm_user_assigned_identity')[0][0];
  const creds = hub.resources('azurerm_federated_identity_credential').map(([, c]) => c);

  test('federated credentials pinned to the exact subjects, GitHub issuer, Entra audience', () => {
    expect(creds.map((c) => c.subject).sort()).toEqual([SMALL.identity!.ci!.subject, 'repo:nhs-example/test-backbone:pull_request'].sort());
    for (const c of creds) {
      expect(c.issuer).toBe('https://token.actions.githubusercontent.com');
      expect(c.audience).toEqual(['api://AzureADTokenExchange']);
      expect(c.parent_id).toBe(ref('azurerm_user_assigned_identity', uaiName, 'id'));
      expect(c.subject).not.toMatch(/[*?]/);
    }
    expect(hub.only('azurerm_user_assigned_identity').tags['backbone-principal']).toBe('ci');
    expect(ci.subjects[0]).toBe(SMALL.identity!.ci!.subject);
    expect(Object.values<any>(hub.json.output)).toEqual([expect.objectContaining({ value: ref('azurerm_user_assigned_identity', uaiName, 'client_id') })]);
  });

  test('deploy roles only on the backbone resource groups, role assignment limited by a condition', () => {
    const mine = hub.resources('azurerm_role_assignment').map(([, c]) => c).filter((c) => c.principal_id === ref('azurerm_user_assigned_identity', uaiName, 'principal_id'));
    expect(mine).toHaveLength(3 * deployScopes.length);
    expect(new Set(mine.map((c) => c.scope))).toEqual(new Set(deployScopes));
    expect(new Set(mine.map((c) => c.role_definition_name))).toEqual(new Set(['Contributor', 'Key Vault Crypto Officer', 'Role Based Access Control Administrator']));
    for (const c of mine.filter((x) => x.role_definition_name === 'Role Based Access Control Administrator')) {
      expect(c.condition_version).toBe('2.0');
      for (const r of AzureBuiltInRole.grantable()) expect(c.condition).toContain(r.roleId);
      const privileged = [
        AzureBuiltInRole.OWNER, AzureBuiltInRole.USER_ACCESS_ADMINISTRATOR,
        AzureBuiltInRole.ROLE_BASED_ACCESS_CONTROL_ADMINISTRATOR, AzureBuiltInRole.CONTRIBUTOR,
      ];
      for (const r of privileged) {
        expect(c.condition).not.toContain(r.roleId);
      }
    }
    expect(mine.some((c) => c.role_definition_name === 'Owner')).toBe(false);
  });

  test('a bare wildcard subject is refused by the spec, naming identity.ci.subject', () => {
    const e = thrown(() => BackboneSpec.fromProps({ ...SMALL, identity: { ...SMALL.identity, ci: { subject: '*' } } }));
    expect(e.problems.map((p) => p.path)).toContain('identity.ci.subject');
  });

  test('a wildcard Azure cannot match is refused, naming the prop', () => {
    const wild = smallSpec({ identity: { ...SMALL.identity, ci: { subject: 'repo:nhs-example/test-backbone:ref:refs/heads/*' } } });
    expect(thrown(() => new CiFederation(scratch(), 'ci', { spec: wild, resourceGroupName: hubRg, deployScopes })).problems[0].path).toBe('identity.ci.subject');
    expect(thrown(() => new CiFederation(scratch(), 'ci', { spec, resourceGroupName: hubRg, deployScopes, additionalSubjects: ['*'] })).problems[0].path).toBe('additionalSubjects[0]');
  });

  test('subscription scope is refused, naming the prop', () => {
    const e = thrown(() => new CiFederation(scratch(), 'ci', { spec, resourceGroupName: hubRg, deployScopes: [deployScopes[0], `/subscriptions/${SUB}`] }));
    expect(e.message).toMatch(/^deployScopes\[1\]: .* is not a resource group ID/);
  });
});

describe('CIS2 sign-in at the edge', () => {
  const web = rem.only('azurerm_linux_web_app');
  const auth = web.auth_settings_v2;
  const [vaultData, kvData] = rem.dataSources('azurerm_key_vault')[0];

  test('CIS2 (integration) is the only, required provider; discovery, client id, scopes', () => {
    expect(auth).toMatchObject({ auth_enabled: true, require_authentication: true, unauthenticated_action: 'RedirectToLoginPage', default_provider: 'cis2', require_https: true, excluded_paths: ['/healthz'] });
    expect(auth.custom_oidc_v2).toHaveLength(1);
    expect(auth.custom_oidc_v2[0]).toMatchObject({
      name: 'cis2',
      client_id: 'test-backbone-edge',
      openid_configuration_endpoint: Cis2Environment.INTEGRATION.discoveryUrl,
      scopes: Cis2Environment.SCOPES,
    });
    expect(auth.active_directory_v2).toBeUndefined();
    expect(auth.login.token_store_enabled).toBe(true);
    expect(web.app_settings.CIS2_ISSUER).toBe(Cis2Environment.INTEGRATION.issuer);
    expect(web.app_settings.CIS2_REQUIRED_ACR).toBe('AAL2_OR_AAL3_ANY');
  });

  test('the client secret is only a Key Vault reference, resolved by the app identity', () => {
    expect(kvData).toEqual({ name: spec.naming.hub('secrets', NameKind.AZURE_KEY_VAULT), resource_group_name: spec.naming.hub('security', NameKind.AZURE_RESOURCE_GROUP) });
    expect(web.app_settings[Cis2SignIn.SECRET_SETTING_NAME]).toBe(`@Microsoft.KeyVault(SecretUri=${ref('data.azurerm_key_vault', vaultData, 'vault_uri')}secrets/cis2-client-secret)`);
    const reportingName = nameOf(rem, 'azurerm_user_assigned_identity', (c) => c.tags.app === 'remote-reporting');
    expect(web.key_vault_reference_identity_id).toBe(ref('azurerm_user_assigned_identity', reportingName, 'id'));
    const access = rem.resources('azurerm_role_assignment').map(([, c]) => c).filter((c) => c.role_definition_name === 'Key Vault Secrets User');
    expect(access).toEqual([expect.objectContaining({ scope: `${ref('data.azurerm_key_vault', vaultData, 'id')}/secrets/cis2-client-secret`, principal_id: ref('azurerm_user_assigned_identity', reportingName, 'principal_id') })]);
    // the secret's value is never read into the template or state
    expect(rem.dataSources('azurerm_key_vault_secret')).toEqual([]);
    for (const [k, v] of Object.entries<string>(web.app_settings)) if (/SECRET/.test(k)) expect(v).toMatch(/^@Microsoft\.KeyVault\(/);
  });

  test('the live environment is selected by name', () => {
    const live = smallSpec({ identity: { ...SMALL.identity, cis2: { environment: 'live', clientId: 'edge' } } });
    const s = scratch();
    const id = new WorkloadIdentity(s, 'id', { spec: live, appName: 'remote-reporting', odsCode: 'REM', resourceGroupName: remRg });
    const si = new Cis2SignIn(s, 'cis2', { spec: live, appName: 'remote-reporting', identity: id });
    expect(si.authSettingsV2.customOidcV2).toEqual([expect.objectContaining({ openidConfigurationEndpoint: Cis2Environment.LIVE.discoveryUrl })]);
    expect(si.appSettings.CIS2_ISSUER).toBe('https://am.nhsidentity.spineservices.nhs.uk:443/openam/oauth2/realms/root/realms/NHSIdentity/realms/Healthcare');
  });

  test('an unknown CIS2 environment is refused, naming identity.cis2.environment', () => {
    const e = thrown(() => BackboneSpec.fromProps({ ...SMALL, identity: { ...SMALL.identity, cis2: { environment: 'production', clientId: 'x' } } }));
    expect(e.problems.map((p) => p.path)).toContain('identity.cis2.environment');
  });

  test('only apps with internet ingress sign in with CIS2', () => {
    expect(thrown(() => new Cis2SignIn(scratch(), 'x', { spec, appName: 'ai-triage', identity: triage })).problems[0].path).toBe('appName');
  });
});

describe('break-glass', () => {
  const agName = hub.resources('azurerm_monitor_action_group')[0][0];
  const alerts = hub.resources('azurerm_monitor_activity_log_alert').map(([, c]) => c);

  test('owner only on the backbone resource groups, for the two User accounts', () => {
    const owners = hub.resources('azurerm_role_assignment').map(([, c]) => c).filter((c) => c.role_definition_name === 'Owner');
    expect(owners).toHaveLength(4);
    for (const o of owners) {
      expect(o.principal_type).toBe('User');
      expect(deployScopes).toContain(o.scope);
    }
    expect(new Set(owners.map((o) => o.principal_id))).toEqual(new Set([BG1, BG2]));
  });

  test('alerts on role assignment writes and on any use of an emergency account', () => {
    expect(hub.only('azurerm_monitor_action_group').email_receiver).toEqual([expect.objectContaining({ email_address: 'security@example.nhs.uk' })]);
    for (const a of alerts) {
      expect(a.scopes).toEqual([`/subscriptions/${SUB}`]);
      expect(a.action).toEqual([{ action_group_id: ref('azurerm_monitor_action_group', agName, 'id') }]);
      expect(a.criteria.category).toBe('Administrative');
    }
    expect(alerts.filter((a) => a.criteria.operation_name === 'Microsoft.Authorization/roleAssignments/write')).toHaveLength(1);
    expect(alerts.map((a) => a.criteria.caller).filter(Boolean).sort()).toEqual(['bg1@example.onmicrosoft.com', 'bg2@example.onmicrosoft.com']);
  });

  test('bad props are refused, naming the prop', () => {
    const base = { spec, resourceGroupName: hubRg, notifyEmails: ['a@b.nhs.uk'] };
    expect(thrown(() => new BreakGlassAccess(scratch(), 'b', { ...base, notifyEmails: [] })).problems[0].path).toBe('notifyEmails');
    expect(thrown(() => new BreakGlassAccess(scratch(), 'b', { ...base, accounts: [{ objectId: 'nope', userPrincipalName: 'a@b' }], scopes: deployScopes })).problems[0].path).toBe('accounts[0].objectId');
    expect(thrown(() => new BreakGlassAccess(scratch(), 'b', { ...base, accounts: [{ objectId: BG1, userPrincipalName: 'a@b' }], scopes: [`/subscriptions/${SUB}`] })).problems[0].path).toBe('scopes[0]');
  });
});

describe('tags and the IAM scan', () => {
  const untaggable = new Set(['azurerm_role_assignment', 'azurerm_federated_identity_credential', 'azurerm_monitor_diagnostic_setting']);

  test('every taggable resource carries its ODS code', () => {
    for (const [tf, ods] of [[rem, 'REM'], [imaging, 'REM'], [hub, spec.odsCode]] as const) {
      for (const [type, name, cfg] of tf.all()) {
        if (untaggable.has(type)) continue;
        expect([type, name, cfg.tags?.['ods-code']]).toEqual([type, name, ods]);
      }
    }
  });

  test('finds nothing in what the identity constructs synthesise', () => {
    expect(scanAzureIam(all.map((t) => t.json))).toEqual([]);
  });

  test('finds owner-style roles given to apps, subscription-wide grants and wildcard custom roles', () => {
    const bad = {
      resource: {
        azurerm_user_assigned_identity: { app: { name: 'app-id', tags: { 'backbone-principal': 'app' } }, ci: { name: 'ci', tags: { 'backbone-principal': 'ci' } } },
        azurerm_role_assignment: {
          owner_to_app: { scope: rg('x'), role_definition_name: 'Owner', principal_id: '${azurerm_user_assigned_identity.app.principal_id}' },
          uaa_by_id: { scope: rg('x'), role_definition_id: '/providers/Microsoft.Authorization/roleDefinitions/18d7d88d-d35e-4fb5-a5c3-7773c20a72d9', principal_id: '${azurerm_user_assigned_identity.app.principal_id}' },
          ci_contributor_sub: { scope: `/subscriptions/${SUB}`, role_definition_name: 'Contributor', principal_id: '${azurerm_user_assigned_identity.ci.principal_id}' },
          ci_contributor_rg: { scope: rg('x'), role_definition_name: 'Contributor', principal_id: '${azurerm_user_assigned_identity.ci.principal_id}' },
          break_glass: { scope: rg('x'), role_definition_name: 'Owner', principal_id: BG1, principal_type: 'User' },
          reader: { scope: rg('x'), role_definition_name: 'Storage Blob Data Reader', principal_id: '${azurerm_user_assigned_identity.app.principal_id}' },
        },
        azurerm_role_definition: {
          god: { name: 'god', scope: `/subscriptions/${SUB}`, permissions: [{ actions: ['*'] }] },
          narrow: { name: 'narrow', scope: rg('x'), permissions: [{ actions: ['*'] }] },
          fine: { name: 'fine', scope: `/subscriptions/${SUB}`, permissions: [{ actions: ['Microsoft.Storage/storageAccounts/read'] }] },
        },
      },
    };
    const found = scanAzureIam([bad]).map((f) => `${f.rule} ${f.resource}`).sort();
    expect(found).toEqual([
      'AZ-IAM-1 azurerm_role_assignment.owner_to_app',
      'AZ-IAM-1 azurerm_role_assignment.uaa_by_id',
      'AZ-IAM-2 azurerm_role_assignment.ci_contributor_sub',
      'AZ-IAM-3 azurerm_role_definition.god',
    ]);
  });
});
