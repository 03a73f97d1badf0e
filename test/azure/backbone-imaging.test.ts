import { TerraformStack, Testing } from 'cdktf';
import { Backbone } from '../../src/azure/backbone';
import { AzureBuiltInRole } from '../../src/azure/identity/roles';
import { DicomStore } from '../../src/azure/imaging/dicom-store';
import { DimseGateway } from '../../src/azure/imaging/dimse-gateway';
import { TrustSubnet } from '../../src/core/address-plan';
import { BackboneError } from '../../src/core/errors';
import { NameKind } from '../../src/core/naming';
import { scanAzureIam } from '../support/azure-iam-scan';
import { SMALL, smallSpec } from '../support/specs';
import { TfJson } from '../support/terraform';

// The small backbone (REM and RBS in ICB QYG, R0A in QOP) with imaging wired
// in: two modalities at REM (so REM alone gets a DIMSE gateway), a read-write
// app and an app without DICOM access at REM. Built once.
const SUB = '00000000-0000-0000-0000-000000000000';
const BREAK_GLASS = '22222222-2222-2222-2222-222222222222';
const MODALITIES = [
  { aeTitle: 'REM_MR1', host: '10.20.30.41', trust: 'REM' },
  { aeTitle: 'REM_CT1', host: '10.20.30.40', trust: 'REM' },
];
const spec = smallSpec({
  apps: [
    ...SMALL.apps!,
    { name: 'pacs-import', trusts: ['REM'], dicomweb: 'read-write' as any, ingress: 'none' as any },
    { name: 'rota', trusts: ['REM'], dicomweb: 'none' as any, ingress: 'none' as any },
  ],
  imaging: { modalities: MODALITIES },
});
const backbone = new Backbone(Testing.app({ stackTraces: false }), 'backbone', {
  spec,
  subscriptionId: SUB,
  breakGlassAccounts: [{ objectId: BREAK_GLASS, userPrincipalName: 'bg1@nhsexample.onmicrosoft.com' }],
});
const stacks = backbone.node.children.filter((c): c is TerraformStack => c instanceof TerraformStack);
const tf = new Map(stacks.map((s) => [s.node.id, TfJson.of(s)]));
const trustTf = (ods: string) => tf.get(spec.naming.name(NameKind.STACK, [ods]))!;
const imagingTf = (id: string) => tf.get(spec.naming.name(NameKind.STACK, ['img', id]))!;
const hub = tf.get(backbone.hubStack.node.id)!;
const trusts = spec.trusts.map((t) => t.odsCode);
const byName = (t: TfJson, type: string, name: string) => t.resources(type).find(([, c]) => c.name === name);
const qyg = spec.imagingNetworkOf('REM');
const qop = spec.imagingNetworkOf('R0A');
const serviceId = (net: { id: string }) => DicomStore.dicomServiceIdOf(spec, spec.imagingNetworks().find((n) => n.id === net.id)!, SUB);

test('one stack per ICB imaging network, holding its DICOM store; each trust stack applies after its network\'s', () => {
  expect(spec.imagingNetworks().map((n) => n.id)).toEqual(['icb-qyg', 'icb-qop']);
  expect(stacks).toHaveLength(1 + 3 + 2);
  for (const net of [qyg, qop]) {
    const s = backbone.imagingStack(net.id);
    expect(s.node.id).toBe(spec.naming.name(NameKind.STACK, ['img', net.id]));
    expect(backbone.dicomStore(net.id).network.id).toBe(net.id);
    const t = imagingTf(net.id);
    expect(t.only('azurerm_healthcare_dicom_service').name).toBe('dicom');
    expect(t.only('azurerm_resource_group').name).toBe(DicomStore.resourceGroupNameOf(spec, net));
    expect(s.dependsOn(backbone.hubStack)).toBe(true);
    for (const ods of net.trusts) expect(backbone.trustStack(ods).dependsOn(s)).toBe(true);
  }
  expect(backbone.trustStack('R0A').dependsOn(backbone.imagingStack('icb-qyg'))).toBe(false);
});

test('the store\'s private endpoints are in the hub\'s endpoints subnet, registered in the hub\'s zones; no stack reads another\'s state', () => {
  const t = imagingTf('icb-qyg');
  const endpoints = t.resources('azurerm_private_endpoint').map(([, c]) => c);
  expect(endpoints.map((e) => e.private_service_connection.subresource_names[0]).sort()).toEqual(['blob', 'dfs', 'healthcareworkspace', 'vault']);
  const hubEndpoints = `/subscriptions/${SUB}/resourceGroups/${spec.naming.hub('network', NameKind.AZURE_RESOURCE_GROUP)}/providers/Microsoft.Network/virtualNetworks/${spec.naming.hub('vnet')}/subnets/${spec.naming.hub('endpoints')}`;
  for (const e of endpoints) {
    expect(e.subnet_id).toBe(hubEndpoints);
    for (const z of e.private_dns_zone_group.private_dns_zone_ids) {
      const zone = z.split('/').pop();
      expect(hub.resources('azurerm_private_dns_zone').map(([, c]) => c.name)).toContain(zone);
    }
  }
  const dicomEndpoint = endpoints.find((e) => e.private_service_connection.subresource_names[0] === 'healthcareworkspace');
  expect(dicomEndpoint.private_dns_zone_group.private_dns_zone_ids.map((z: string) => z.split('/').pop())).toContain('privatelink.dicom.azurehealthcareapis.com');
  // Every trust links its VNet to the new zones too.
  for (const ods of trusts) {
    const zones = trustTf(ods).resources('azurerm_private_dns_zone_virtual_network_link').map(([, c]) => c.private_dns_zone_name);
    expect(zones).toEqual(expect.arrayContaining(['privatelink.dfs.core.windows.net', 'privatelink.file.core.windows.net', 'privatelink.dicom.azurehealthcareapis.com']));
  }
  for (const [, t2] of tf) expect(JSON.stringify(t2.json)).not.toMatch(/terraform_remote_state/);
  expect(t.dataSources('azurerm_user_assigned_identity')).toEqual([]);
});

test('the IMAGING subnet is delegated to Container Instances only where the trust has modalities', () => {
  for (const ods of trusts) {
    const subnet = byName(trustTf(ods), 'azurerm_subnet', spec.naming.trust(ods, 'imaging'))![1];
    if (ods === 'REM') {
      expect(subnet.delegation).toEqual([{
        name: 'microsoft-containerinstance-containergroups',
        service_delegation: { name: 'Microsoft.ContainerInstance/containerGroups', actions: ['Microsoft.Network/virtualNetworks/subnets/action'] },
      }]);
      expect(backbone.spoke(ods).subnet(TrustSubnet.IMAGING).delegatedTo).toBe(DimseGateway.SUBNET_DELEGATION);
    } else {
      expect(subnet.delegation).toBeUndefined();
    }
    // No other subnet is ever delegated.
    const others = trustTf(ods).resources('azurerm_subnet').filter(([, c]) => c.name !== spec.naming.trust(ods, 'imaging'));
    for (const [, c] of others) expect(c.delegation).toBeUndefined();
  }
});

test('the gateway\'s NSG allows only the modalities\' /32s on the gateway port; other trusts allow no DICOM', () => {
  const nsg = byName(trustTf('REM'), 'azurerm_network_security_group', spec.naming.trust('REM', 'imaging-nsg'))![1];
  const allows = nsg.security_rule.filter((r: any) => r.access === 'Allow');
  expect(allows).toEqual([expect.objectContaining({
    name: 'allow-modalities-dicom',
    direction: 'Inbound',
    protocol: 'Tcp',
    source_address_prefixes: ['10.20.30.40/32', '10.20.30.41/32'],
    destination_port_range: '11112',
  })]);
  expect(nsg.security_rule.map((r: any) => r.name)).toEqual(['allow-modalities-dicom', 'deny-internet-inbound', 'deny-all-inbound']);
  for (const ods of ['RBS', 'R0A']) {
    const other = byName(trustTf(ods), 'azurerm_network_security_group', spec.naming.trust(ods, 'imaging-nsg'))![1];
    const ports = other.security_rule.filter((r: any) => r.access === 'Allow').map((r: any) => r.destination_port_range);
    expect(ports).toEqual(['443']);
  }
  // The hub firewall lets the same hosts through to REM's imaging subnet on that port, and nothing else to any imaging subnet.
  const rules = hub.resources('azurerm_firewall_policy_rule_collection_group').flatMap(([, g]) => g.network_rule_collection ?? []).flatMap((c: any) => c.rule.map((r: any) => ({ ...r, action: c.action })));
  const imagingSubnets = trusts.map((t) => backbone.addressPlan.trustSubnet(t, TrustSubnet.IMAGING));
  const toImaging = rules.filter((r: any) => (r.destination_addresses ?? []).some((d: string) => imagingSubnets.includes(d)));
  expect(toImaging).toEqual([expect.objectContaining({
    action: 'Allow',
    source_addresses: ['10.20.30.40/32', '10.20.30.41/32'],
    destination_addresses: [backbone.addressPlan.trustSubnet('REM', TrustSubnet.IMAGING)],
    destination_ports: ['11112'],
  })]);
});

test('no private endpoint is ever placed in a delegated subnet; the spool endpoint is in the DATA subnet', () => {
  const rem = trustTf('REM');
  const [imagingKey] = byName(rem, 'azurerm_subnet', spec.naming.trust('REM', 'imaging'))!;
  const [dataKey] = byName(rem, 'azurerm_subnet', spec.naming.trust('REM', 'data'))!;
  for (const [, t] of tf) {
    for (const [, e] of t.resources('azurerm_private_endpoint')) {
      expect(e.subnet_id).not.toBe(`\${azurerm_subnet.${imagingKey}.id}`);
      expect(e.subnet_id).not.toMatch(/\/subnets\/[^/]*-imaging-/);
    }
  }
  const file = rem.resources('azurerm_private_endpoint').map(([, c]) => c).find((c) => c.private_service_connection.subresource_names[0] === 'file');
  expect(file.subnet_id).toBe(`\${azurerm_subnet.${dataKey}.id}`);
  expect(rem.only('azurerm_container_group').subnet_ids).toEqual([`\${azurerm_subnet.${imagingKey}.id}`]);
});

test('an app with dicomweb read gets DICOM Data Reader on its own network\'s DICOM service only; read-write gets Owner; none gets nothing', () => {
  const dicomGrants = (ods: string) => trustTf(ods).resources('azurerm_role_assignment').map(([, c]) => c).filter((c) => /^DICOM /.test(c.role_definition_name));
  const identityRef = (ods: string, app: string) => {
    const [key] = byName(trustTf(ods), 'azurerm_user_assigned_identity', spec.naming.trust(ods, `${app}-id`))!;
    return `\${azurerm_user_assigned_identity.${key}.principal_id}`;
  };
  const summary = (ods: string) => dicomGrants(ods).map((g) => [g.role_definition_name, g.scope, g.principal_id]).sort();
  const gatewayRef = `\${azurerm_user_assigned_identity.${byName(trustTf('REM'), 'azurerm_user_assigned_identity', spec.naming.trust('REM', 'dimse-gw-id'))![0]}.principal_id}`;
  expect(summary('REM')).toEqual([
    ['DICOM Data Owner', serviceId(qyg), gatewayRef],
    ['DICOM Data Owner', serviceId(qyg), identityRef('REM', 'pacs-import')],
    ['DICOM Data Reader', serviceId(qyg), identityRef('REM', 'ai-triage')],
    ['DICOM Data Reader', serviceId(qyg), identityRef('REM', 'remote-reporting')],
  ].sort());
  expect(summary('RBS')).toEqual([['DICOM Data Reader', serviceId(qyg), identityRef('RBS', 'ai-triage')]]);
  expect(summary('R0A')).toEqual([['DICOM Data Reader', serviceId(qop), identityRef('R0A', 'ai-triage')]]);
  expect(serviceId(qyg)).toMatch(/\/providers\/Microsoft\.HealthcareApis\/workspaces\/[a-z0-9]+\/dicomservices\/dicom$/);
  // No app role anywhere in the imaging stacks (grants live in the trusts' stacks) and least privilege holds everywhere.
  for (const net of [qyg, qop]) {
    expect(imagingTf(net.id).resources('azurerm_role_assignment').map(([, c]) => c.role_definition_name).sort())
      .toEqual([AzureBuiltInRole.KEY_VAULT_CRYPTO_SERVICE_ENCRYPTION_USER.roleName, AzureBuiltInRole.STORAGE_BLOB_DATA_CONTRIBUTOR.roleName].sort());
  }
  expect(scanAzureIam([...tf.values()].map((t) => t.json))).toEqual([]);
});

test('REM\'s gateway: the trust vault\'s imaging key, TLS from the trust vault, image from the default registry with AcrPull', () => {
  const rem = trustTf('REM');
  const gw = backbone.dimseGateway('REM');
  expect(gw.config.aeTitle).toBe(spec.gatewayAeTitle('REM'));
  const [keyKey, key] = rem.resources('azurerm_key_vault_key').find(([, c]) => c.name === spec.naming.trust('REM', 'imaging-cmk'))!;
  expect(key.lifecycle.prevent_destroy).toBe(true);
  const group = rem.only('azurerm_container_group');
  expect(group.key_vault_key_id).toBe(`\${azurerm_key_vault_key.${keyKey}.versionless_id}`);
  expect(group.ip_address_type).toBe('Private');
  const registry = Backbone.defaultContainerRegistry(spec);
  expect(group.container[0].image).toBe(`${registry.name}.azurecr.io/${DimseGateway.IMAGE_PATH}`);
  const [vaultKey] = rem.resources('azurerm_key_vault')[0];
  for (const [, secret] of rem.dataSources('azurerm_key_vault_secret')) expect(secret.key_vault_id).toBe(`\${azurerm_key_vault.${vaultKey}.id}`);
  const pull = rem.resources('azurerm_role_assignment').map(([, c]) => c).filter((c) => c.role_definition_name === 'AcrPull');
  expect(pull.map((p) => p.scope)).toEqual([`/subscriptions/${SUB}/resourceGroups/${registry.resourceGroupName}/providers/Microsoft.ContainerRegistry/registries/${registry.name}`]);
  // The gateway forwards to its network's store, by the URL built from names.
  expect(JSON.parse(gw.config.toJson()).DicomWeb.Servers.cloud.Url).toBe(`${DicomStore.dicomWebUrlOf(spec, qyg)}/`);
  expect(() => backbone.dimseGateway('RBS')).toThrow(/^odsCode: trust RBS has no DIMSE gateway/);
  expect(trustTf('RBS').resources('azurerm_container_group')).toEqual([]);
});

test('public network access is off on the DICOM service, the workspace, the data lake, the network vault and the spool', () => {
  for (const net of [qyg, qop]) {
    const t = imagingTf(net.id);
    expect(t.only('azurerm_healthcare_dicom_service').public_network_access_enabled).toBe(false);
    expect(JSON.parse(t.only('azurerm_resource_group_template_deployment').template_content).resources[0].properties).toEqual({ publicNetworkAccess: 'Disabled' });
    expect(t.only('azurerm_storage_account')).toMatchObject({ public_network_access_enabled: false, shared_access_key_enabled: false });
    expect(t.only('azurerm_key_vault').public_network_access_enabled).toBe(false);
  }
  const spool = trustTf('REM').resources('azurerm_storage_account').map(([, c]) => c).find((c) => c.tags['data-class'] === 'imaging-spool');
  expect(spool).toMatchObject({ public_network_access_enabled: false, network_rules: { default_action: 'Deny' } });
  expect(trustTf('REM').only('azurerm_container_group').ip_address_type).toBe('Private');
});

test('everything imaging makes is in the spec\'s UK region', () => {
  const region = spec.region('azure' as any);
  expect(region).toBe('uksouth');
  // The imaging stacks, and in REM's stack what its gateway makes (the clinical stores' copies are in the backup region).
  const gateway = trustTf('REM').all().filter(([, , c]) => c.tags?.['imaging-network'] === qyg.id);
  expect(gateway.map(([type]) => type)).toEqual(expect.arrayContaining(['azurerm_container_group', 'azurerm_storage_account', 'azurerm_user_assigned_identity', 'azurerm_private_endpoint']));
  const located = [...[qyg, qop].flatMap((n) => imagingTf(n.id).all()), ...gateway].filter(([, , c]) => typeof c.location === 'string');
  expect(located.length).toBeGreaterThan(15);
  for (const [type, name, c] of located) expect({ type, name, location: c.location }).toEqual({ type, name, location: region });
});

test('every stack\'s provider keeps what an ARM deployment made when the deployment is removed', () => {
  for (const [, t] of tf) {
    expect(t.json.provider.azurerm[0].features).toEqual([{ template_deployment: [{ delete_nested_items_during_deletion: false }] }]);
  }
});

test('CI may deploy to and break-glass may act on each imaging network\'s resource group; CI may assign AcrPull', () => {
  const groups = [qyg, qop].map((n) => `/subscriptions/${SUB}/resourceGroups/${DicomStore.resourceGroupNameOf(spec, n)}`);
  const assignments = hub.resources('azurerm_role_assignment').map(([, c]) => c);
  for (const g of groups) {
    const ci = assignments.filter((a) => a.scope === g && /deploy pipeline/.test(a.description ?? ''));
    expect(ci.map((a) => a.role_definition_name).sort()).toEqual(['Contributor', 'Key Vault Crypto Officer', 'Role Based Access Control Administrator']);
    expect(assignments.filter((a) => a.scope === g && a.principal_id === BREAK_GLASS).map((a) => a.role_definition_name)).toEqual(['Owner']);
  }
  const rbac = assignments.find((a) => a.role_definition_name === 'Role Based Access Control Administrator');
  expect(rbac.condition).toContain(AzureBuiltInRole.ACR_PULL.roleId);
  expect(AzureBuiltInRole.grantable()).toContain(AzureBuiltInRole.ACR_PULL);
  // The default registry is in the hub's resource group, which CI deploys to: no extra scope.
  expect(assignments.filter((a) => /Microsoft\.ContainerRegistry/.test(a.scope))).toEqual([]);
});

describe('a registry outside the backbone\'s resource groups, and no subscription id', () => {
  const other = smallSpec({ imaging: { grouping: 'trust' as any, modalities: [MODALITIES[0]] } });
  const b = new Backbone(Testing.app({ stackTraces: false }), 'backbone', {
    spec: other,
    containerRegistry: { name: 'nhsSharedImages', resourceGroupName: 'shared-images', subscriptionId: '33333333-3333-3333-3333-333333333333' },
  });
  const registryId = '/subscriptions/33333333-3333-3333-3333-333333333333/resourceGroups/shared-images/providers/Microsoft.ContainerRegistry/registries/nhsSharedImages';

  test('per-trust networks: a stack each; the CI pipeline may only assign the grantable roles on the registry', () => {
    expect(b.node.children.filter((c) => c instanceof TerraformStack)).toHaveLength(1 + 3 + 3);
    const hubJson = TfJson.of(b.hubStack);
    const onRegistry = hubJson.resources('azurerm_role_assignment').map(([, c]) => c).filter((c) => c.scope === registryId);
    expect(onRegistry.map((a) => a.role_definition_name)).toEqual(['Role Based Access Control Administrator']);
    expect(onRegistry[0].condition).toContain(AzureBuiltInRole.ACR_PULL.roleId);
    const rem = TfJson.of(b.trustStack('REM'));
    expect(rem.only('azurerm_container_group').container[0].image).toBe(`nhssharedimages.azurecr.io/${DimseGateway.IMAGE_PATH}`);
    expect(rem.resources('azurerm_role_assignment').map(([, c]) => c).filter((c) => c.role_definition_name === 'AcrPull').map((c) => c.scope)).toEqual([registryId]);
    // The store's IDs are built on the subscription read at deploy time.
    const endpoint = TfJson.of(b.imagingStack('trust-rem')).resources('azurerm_private_endpoint')[0][1];
    expect(endpoint.subnet_id).toMatch(/^\/subscriptions\/\$\{data\.azurerm_client_config\.[^.]+\.subscription_id\}\/resourceGroups\//);
  });

  test('a bad registry name is refused naming the prop; unknown networks and trusts are refused', () => {
    let err: any;
    try {
      new Backbone(Testing.app(), 'x', { spec: other, containerRegistry: { name: 'no-dashes', resourceGroupName: 'rg' } });
    } catch (e) {
      err = e;
    }
    expect(BackboneError.isBackboneError(err)).toBe(true);
    expect(err.message).toMatch(/^containerRegistry\.name: "no-dashes" is not an Azure Container Registry name/);
    expect(() => b.dicomStore('icb-qyg')).toThrow(/^networkId: "icb-qyg" is not an imaging network of backbone test-backbone \(trust-rem, trust-rbs, trust-r0a\)/);
    expect(() => b.dimseGateway('XYZ')).toThrow(/^odsCode: "XYZ" is not a trust/);
  });
});
