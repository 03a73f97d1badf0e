import { mkdtempSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { App, TerraformStack } from 'cdktf';
import { Backbone } from '../../src/azure/backbone';
import { BackboneSpec } from '../../src/core/backbone-spec';
import { NameKind } from '../../src/core/naming';
import { Cloud } from '../../src/core/regions';
import { StatefulResources } from '../../src/core/stateful';
import { withoutStackTraces } from '../support/quiet-traces';
import { nationalProps } from '../support/specs';

// A whole backbone (24 trusts in 6 ICBs, three stores each, one under legal
// hold, one trust with a modality and so a DIMSE gateway), built once: every
// stack's Terraform JSON, by stack name.
const GATEWAY_TRUST = 'R00';
const spec = BackboneSpec.fromProps({
  ...nationalProps(24, 6),
  imaging: { modalities: [{ aeTitle: 'R00_CT1', host: '10.20.30.40', trust: GATEWAY_TRUST }] },
  storage: {
    stores: [
      { name: 'clinical-records', category: 'adult' },
      { name: 'imaging', category: 'imaging', years: 30 },
      { name: 'oncology', category: 'cancer', legalHold: true },
    ],
    logRetentionDays: 2555,
  },
});
const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'azure-stateful-')), stackTraces: false });
const hubStack = spec.naming.name(NameKind.STACK, ['hub']);
const stacks = withoutStackTraces(() => {
  const b = new Backbone(app, 'backbone', { spec, subscriptionId: '00000000-0000-0000-0000-000000000000' });
  return b.node.children
    .filter((c): c is TerraformStack => TerraformStack.isStack(c))
    .map((s) => ({ name: s.node.id, json: s.toTerraform() as any }));
});

interface Found { readonly stack: string; readonly type: string; readonly name: string; readonly cfg: any }
const all: Found[] = stacks.flatMap(({ name: stack, json }) => Object.entries<Record<string, any>>(json.resource ?? {})
  .flatMap(([type, byName]) => Object.entries(byName).map(([name, cfg]) => ({ stack, type, name, cfg }))));
const stateful = new Set(StatefulResources.typesOf(Cloud.AZURE));
const found = all.filter((r) => stateful.has(r.type));
// The hub's and the trusts' stacks (other units, such as imaging networks, are scanned by the first test only).
const trustStacks = spec.trusts.map((t) => spec.naming.name(NameKind.STACK, [t.odsCode]));
const imagingStacks = spec.imagingNetworks().map((n) => spec.naming.name(NameKind.STACK, ['img', n.id]));
const gatewayStack = spec.naming.name(NameKind.STACK, [GATEWAY_TRUST]);
const ours = all.filter((r) => r.stack === hubStack || trustStacks.includes(r.stack));

test('every stateful resource in every stack has lifecycle.prevent_destroy', () => {
  const unprotected = found.filter((r) => r.cfg.lifecycle?.prevent_destroy !== true).map((r) => `${r.stack}: ${r.type}.${r.name}`);
  expect(unprotected).toEqual([]);
});

test('the scan sees the hub and every trust, and the stateful types it must protect', () => {
  const names = new Set(stacks.map((x) => x.name));
  expect(names.has(hubStack)).toBe(true);
  for (const t of trustStacks) expect(names.has(t)).toBe(true);
  const inStack = (stack: string, type: string) => found.filter((r) => r.stack === stack && r.type === type);
  for (const t of trustStacks) {
    // Three stores and their copies, the trust's vault, its data, storage and backup keys;
    // the gateway's trust also its spool account and share and its imaging key.
    const gw = t === gatewayStack ? 1 : 0;
    expect(inStack(t, 'azurerm_storage_account')).toHaveLength(6 + gw);
    expect(inStack(t, 'azurerm_storage_share')).toHaveLength(gw);
    expect(inStack(t, 'azurerm_storage_container')).toHaveLength(6);
    expect(inStack(t, 'azurerm_key_vault')).toHaveLength(1);
    expect(inStack(t, 'azurerm_key_vault_key')).toHaveLength(3 + gw);
    // The backup copies: a locked account per store in the paired UK region.
    const copies = inStack(t, 'azurerm_storage_account').filter((r) => r.cfg.tags?.['backup-of']);
    expect(copies.map((c) => c.cfg.location)).toEqual(['ukwest', 'ukwest', 'ukwest']);
  }
  // The hub: the log archive, its vault and key, the workspace.
  expect(inStack(hubStack, 'azurerm_storage_account')).toHaveLength(1);
  expect(inStack(hubStack, 'azurerm_key_vault')).toHaveLength(1);
  expect(inStack(hubStack, 'azurerm_key_vault_key')).toHaveLength(1);
  expect(inStack(hubStack, 'azurerm_log_analytics_workspace')).toHaveLength(1);
  expect(inStack(hubStack, 'azurerm_storage_container').length).toBeGreaterThan(0);
  expect(found.length).toBeGreaterThan(24 * 16);
});

test('what holds the lock, the key identity or the copy is protected too (not in the catalogue, but losing it loses the data or its protection)', () => {
  const extra = ours.filter((r) => r.type === 'azurerm_storage_container_immutability_policy'
    || r.type === 'azurerm_storage_object_replication'
    || (r.type === 'azurerm_user_assigned_identity' && r.cfg.tags?.['backbone-principal'] === 'storage-encryption')
    || (r.type === 'azurerm_role_assignment' && /customer-managed key/.test(r.cfg.description ?? '')));
  expect(extra.length).toBeGreaterThan(24 * 3 * 4);
  expect(extra.filter((r) => r.cfg.lifecycle?.prevent_destroy !== true).map((r) => `${r.stack}: ${r.type}.${r.name}`)).toEqual([]);
});

test('every retention policy on a clinical store is locked for at least its category\'s floor; the log archive for at least logRetentionDays', () => {
  const policies = ours.filter((r) => r.type === 'azurerm_storage_container_immutability_policy');
  for (const p of policies) expect(p.cfg.locked).toBe(true);
  const trustPolicies = policies.filter((p) => p.stack !== hubStack);
  expect(trustPolicies.map((p) => p.cfg.immutability_period_in_days).sort((a, b) => a - b)[0]).toBeGreaterThanOrEqual(8 * 365);
  const hubPolicies = policies.filter((p) => p.stack === hubStack);
  expect(hubPolicies.length).toBeGreaterThan(0);
  for (const p of hubPolicies) expect(p.cfg.immutability_period_in_days).toBeGreaterThanOrEqual(2555);
});

test('imaging: every network\'s workspace, DICOM service, data lake, file system, vault and key, and the gateway\'s spool share, are found and prevent_destroy', () => {
  expect(imagingStacks).toHaveLength(6);
  const inStack = (stack: string, type: string) => found.filter((r) => r.stack === stack && r.type === type);
  for (const stack of imagingStacks) {
    for (const type of ['azurerm_healthcare_workspace', 'azurerm_healthcare_dicom_service', 'azurerm_storage_account', 'azurerm_storage_container', 'azurerm_key_vault', 'azurerm_key_vault_key']) {
      const rs = inStack(stack, type);
      expect({ stack, type, n: rs.length }).toEqual({ stack, type, n: 1 });
      expect(rs[0].cfg.lifecycle?.prevent_destroy).toBe(true);
    }
    // The workspace's public-access patch: prevent_destroy, and the provider never deletes what it deployed.
    const patch = all.filter((r) => r.stack === stack && r.type === 'azurerm_resource_group_template_deployment');
    expect(patch.map((r) => r.cfg.lifecycle?.prevent_destroy)).toEqual([true]);
    const provider = stacks.find((x) => x.name === stack)!.json.provider.azurerm[0];
    expect(provider.features[0].template_deployment).toEqual([{ delete_nested_items_during_deletion: false }]);
  }
  const share = inStack(gatewayStack, 'azurerm_storage_share');
  expect(share.map((r) => [r.cfg.name, r.cfg.lifecycle?.prevent_destroy])).toEqual([['orthanc-spool', true]]);
  const spool = inStack(gatewayStack, 'azurerm_storage_account').filter((r) => r.cfg.tags?.['data-class'] === 'imaging-spool');
  expect(spool.map((r) => r.cfg.lifecycle?.prevent_destroy)).toEqual([true]);
  for (const t of trustStacks.filter((x) => x !== gatewayStack)) expect(inStack(t, 'azurerm_storage_share')).toEqual([]);
});
