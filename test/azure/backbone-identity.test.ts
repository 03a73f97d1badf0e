import { TerraformStack, Testing } from 'cdktf';
import { Backbone } from '../../src/azure/backbone';
import { NameKind } from '../../src/core/naming';
import { scanAzureIam } from '../support/azure-iam-scan';
import { smallSpec } from '../support/specs';
import { TfJson } from '../support/terraform';

// The whole small backbone on Azure, built once: identity and keys wired in.
const spec = smallSpec();
const backbone = new Backbone(Testing.app({ stackTraces: false }), 'backbone', { spec, subscriptionId: '00000000-0000-0000-0000-000000000000' });
const stacks = backbone.node.children.filter((c): c is TerraformStack => c instanceof TerraformStack);
const tf = new Map(stacks.map((s) => [s.node.id, TfJson.of(s)]));
const trustTf = (ods: string) => tf.get(spec.naming.name(NameKind.STACK, [ods]))!;

test('no role assignment over the whole backbone gives an app identity Owner/Contributor/User Access Administrator, nor a * role at subscription scope', () => {
  expect(scanAzureIam([...tf.values()].map((t) => t.json))).toEqual([]);
});

test.each(['REM', 'RBS', 'R0A'])('trust %s: a private, purge-protected Key Vault and a rotating HSM key, never destroyed by an update', (ods) => {
  const t = trustTf(ods);
  const vault = t.only('azurerm_key_vault');
  expect(vault).toMatchObject({
    purge_protection_enabled: true,
    public_network_access_enabled: false,
    rbac_authorization_enabled: true,
    soft_delete_retention_days: 90,
    lifecycle: { prevent_destroy: true },
    tags: expect.objectContaining({ 'ods-code': ods }),
  });
  const pe = t.resources('azurerm_private_endpoint').map(([, c]) => c).find((c) => c.private_service_connection.subresource_names[0] === 'vault');
  expect(pe.private_dns_zone_group.private_dns_zone_ids[0]).toMatch(/\/privateDnsZones\/privatelink\.vaultcore\.azure\.net$/);
  const keys = t.resources('azurerm_key_vault_key').map(([, k]) => k);
  expect(keys.length).toBeGreaterThan(0);
  for (const k of keys) {
    expect(k).toMatchObject({ key_type: 'RSA-HSM', lifecycle: { prevent_destroy: true } });
    expect(k.rotation_policy).toEqual({ automatic: { time_after_creation: 'P365D' }, expire_after: 'P455D', notify_before_expiry: 'P30D' });
  }
});

test('one user-assigned identity per app per trust it serves', () => {
  const names = (ods: string) => trustTf(ods).resources('azurerm_user_assigned_identity').filter(([, i]) => i.tags['backbone-principal'] === 'app').map(([, i]) => i.name);
  expect(names('REM')).toHaveLength(2);
  expect(names('RBS')).toHaveLength(1);
});

test('CI federation is pinned to the exact subject; break-glass alerts e-mail the security contact', () => {
  const hub = TfJson.of(backbone.hubStack);
  const creds = hub.resources('azurerm_federated_identity_credential').map(([, c]) => c);
  expect(creds.map((c) => c.subject)).toEqual(['repo:nhs-example/test-backbone:environment:prod']);
  expect(creds[0]).toMatchObject({ issuer: 'https://token.actions.githubusercontent.com', audience: ['api://AzureADTokenExchange'] });
  const groups = hub.resources('azurerm_monitor_action_group').map(([, g]) => g);
  expect(JSON.stringify(groups)).toContain('security@test-backbone.nhs.uk');
});
