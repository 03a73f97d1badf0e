import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import { TerraformStack, Testing } from 'cdktf';
import { WorkloadIdentity } from '../../src/azure/identity/workload-identity';
import { DicomStore, DicomStoreProps } from '../../src/azure/imaging/dicom-store';
import { DimseGateway, DimseGatewayProps } from '../../src/azure/imaging/dimse-gateway';
import { HubNames, PRIVATE_LINK_ZONES } from '../../src/azure/network/hub-names';
import { BackboneError } from '../../src/core/errors';
import { NameKind } from '../../src/core/naming';
import { Cloud, UkRegions } from '../../src/core/regions';
import { StatefulResources } from '../../src/core/stateful';
import { OrthancGatewayConfig } from '../../src/imaging/orthanc-gateway';
import { SMALL, smallSpec } from '../support/specs';
import { TfJson } from '../support/terraform';

const SUB = '00000000-0000-0000-0000-000000000000';
const TENANT = '11111111-1111-1111-1111-111111111111';
const spec = smallSpec({
  apps: [
    ...SMALL.apps!,
    { name: 'pacs-import', trusts: ['REM'], dicomweb: 'read-write' as any, ingress: 'none' as any },
    { name: 'rota', trusts: ['REM'], dicomweb: 'none' as any, ingress: 'none' as any },
  ],
  imaging: {
    modalities: [
      { aeTitle: 'REM_CT1', host: '10.20.30.40', trust: 'REM' },
      { aeTitle: 'REM_MR1', host: '10.20.30.41', trust: 'REM', port: 11112 },
      { aeTitle: 'RBS_US1', host: '10.9.8.7', trust: 'RBS' },
    ],
  },
});
const hub = new HubNames(spec, spec.addressPlan());
const ZONES = [...PRIVATE_LINK_ZONES, 'privatelink.dfs.core.windows.net', 'privatelink.file.core.windows.net'].map((z) => hub.privateDnsZoneId(SUB, z));
const WORKSPACE = hub.logWorkspaceId(SUB);
const subnet = (vnetRg: string, vnet: string, name: string) => `/subscriptions/${SUB}/resourceGroups/${vnetRg}/providers/Microsoft.Network/virtualNetworks/${vnet}/subnets/${name}`;
const HUB_ENDPOINTS = subnet(hub.resourceGroup, hub.vnet, spec.naming.hub('endpoints'));
const remRg = spec.naming.trust('REM', 'network', NameKind.AZURE_RESOURCE_GROUP);
const REM_IMAGING = subnet(remRg, spec.naming.trust('REM', 'vnet'), spec.naming.trust('REM', 'imaging'));
const REM_DATA = subnet(remRg, spec.naming.trust('REM', 'vnet'), spec.naming.trust('REM', 'data'));
const REM_VAULT = `/subscriptions/${SUB}/resourceGroups/${remRg}/providers/Microsoft.KeyVault/vaults/${spec.naming.trust('REM', 'kv', NameKind.AZURE_KEY_VAULT)}`;
const REM_KEY_URL = `https://${spec.naming.trust('REM', 'kv', NameKind.AZURE_KEY_VAULT)}.vault.azure.net/keys/${spec.naming.trust('REM', 'imaging-cmk')}`;
const REM_KEY_ID = `${REM_VAULT}/keys/${spec.naming.trust('REM', 'imaging-cmk')}`;
const REGISTRY = 'nhsbackbonetest.azurecr.io';
const REGISTRY_ID = `/subscriptions/${SUB}/resourceGroups/shared/providers/Microsoft.ContainerRegistry/registries/nhsbackbonetest`;

const app = Testing.app();
const newStack = (name: string) => {
  const s = new TerraformStack(app, name);
  new AzurermProvider(s, 'azurerm', { features: [{}] });
  return s;
};
const qyg = spec.imagingNetworkOf('REM');
const storeProps: DicomStoreProps = {
  spec, network: qyg, privateEndpointSubnetId: HUB_ENDPOINTS, privateDnsZoneIds: ZONES, logAnalyticsWorkspaceId: WORKSPACE, tenantId: TENANT,
};

// The imaging network's stack: the DICOM store.
const networkStack = newStack('imaging-icb-qyg');
const store = new DicomStore(networkStack, 'dicom', storeProps);

// A trust's stack: app identities granted on the store, and the DIMSE gateway.
const remStack = newStack('rem');
const triage = new WorkloadIdentity(remStack, 'ai-triage', { spec, appName: 'ai-triage', odsCode: 'REM', resourceGroupName: remRg });
const importer = new WorkloadIdentity(remStack, 'pacs-import', { spec, appName: 'pacs-import', odsCode: 'REM', resourceGroupName: remRg });
store.grantDicomRead(triage);
store.grantDicomRead(triage); // idempotent
store.grantDicomWrite(importer);
const gatewayProps: DimseGatewayProps = {
  spec,
  odsCode: 'REM',
  dicomStore: store,
  resourceGroupName: remRg,
  subnetId: REM_IMAGING,
  privateEndpointSubnetId: REM_DATA,
  privateDnsZoneIds: ZONES,
  customerManagedKeyId: REM_KEY_URL,
  customerManagedKeyResourceId: REM_KEY_ID,
  registryServer: REGISTRY,
  registryId: REGISTRY_ID,
  tlsKeyVaultId: REM_VAULT,
  logAnalyticsWorkspaceId: WORKSPACE,
  manageNetworkSecurityGroup: true,
};
const gateway = new DimseGateway(remStack, 'dimse-gateway', gatewayProps);

// Another trust's stack granting through an imported store (names, no cross-stack reference).
const rbsStack = newStack('rbs');
const rbsTriage = new WorkloadIdentity(rbsStack, 'ai-triage', { spec, appName: 'ai-triage', odsCode: 'RBS', resourceGroupName: spec.naming.trust('RBS', 'network', NameKind.AZURE_RESOURCE_GROUP) });
DicomStore.fromNetwork(rbsStack, 'qyg-store', spec, qyg, SUB).grantDicomRead(rbsTriage);

const net = TfJson.of(networkStack);
const rem = TfJson.of(remStack);
const rbs = TfJson.of(rbsStack);
const ref = (type: string, pred: (c: any) => boolean = () => true) => {
  const found = net.resources(type).concat(rem.resources(type)).filter(([, c]) => pred(c));
  if (found.length !== 1) throw new Error(`expected one ${type}, found ${found.length}`);
  return found[0][0];
};
const dicomName = ref('azurerm_healthcare_dicom_service');
const keyName = ref('azurerm_key_vault_key');
const identityName = ref('azurerm_user_assigned_identity', (c) => c.name === spec.naming.name(NameKind.RESOURCE, ['icb-qyg', 'dicom-id']));
const lakeName = ref('azurerm_storage_account', (c) => c.is_hns_enabled === true);

/** Builds in a throwaway stack and returns the BackboneError's single problem path. */
function failure(build: (s: TerraformStack) => void): string {
  const s = new TerraformStack(Testing.app(), 'x');
  try {
    build(s);
  } catch (e) {
    if (!BackboneError.isBackboneError(e)) throw e;
    expect(e.problems).toHaveLength(1);
    return e.problems[0].path;
  }
  throw new Error('no BackboneError');
}

describe('DicomStore', () => {
  test('names and the DICOMweb URL come from the spec', () => {
    expect(store.resourceGroupName).toBe('test-backbone-icb-qyg-imaging-prod');
    expect(net.only('azurerm_resource_group').name).toBe(store.resourceGroupName);
    expect(Object.values<any>(net.json.output).map((o) => o.value)).toEqual([`\${azurerm_healthcare_dicom_service.${dicomName}.service_url}/v2`]);
    expect(DicomStore.dicomWebUrlOf(spec, qyg)).toBe(`https://${store.workspaceName}-dicom.dicom.azurehealthcareapis.com/v2`);
    expect(store.dicomWebUrlByName).toBe(DicomStore.dicomWebUrlOf(spec, qyg));
  });

  test('DICOM service and workspace: public network access off', () => {
    const dicom = net.only('azurerm_healthcare_dicom_service');
    expect(dicom.public_network_access_enabled).toBe(false);
    const patch = net.only('azurerm_resource_group_template_deployment');
    const template = JSON.parse(patch.template_content);
    expect(template.resources).toEqual([expect.objectContaining({
      type: 'Microsoft.HealthcareApis/workspaces',
      name: store.workspaceName,
      properties: { publicNetworkAccess: 'Disabled' },
    })]);
    expect(patch.depends_on).toEqual(expect.arrayContaining([
      `azurerm_healthcare_workspace.${ref('azurerm_healthcare_workspace')}`,
      `azurerm_private_endpoint.${ref('azurerm_private_endpoint', (c) => c.private_service_connection.subresource_names[0] === 'healthcareworkspace')}`,
    ]));
  });

  test('DICOM service: user-assigned identity, its data lake, the network key', () => {
    const dicom = net.only('azurerm_healthcare_dicom_service');
    expect(dicom.identity).toEqual({ type: 'UserAssigned', identity_ids: [`\${azurerm_user_assigned_identity.${identityName}.id}`] });
    expect(dicom.storage).toEqual({
      storage_account_id: `\${azurerm_storage_account.${lakeName}.id}`,
      file_system_name: `\${azurerm_storage_container.${ref('azurerm_storage_container')}.name}`,
    });
    expect(dicom.encryption_key_url).toBe(`\${azurerm_key_vault_key.${keyName}.id}`);
    const key = net.only('azurerm_key_vault_key');
    expect(key).toMatchObject({ key_type: 'RSA-HSM', key_size: 3072, key_vault_id: `\${azurerm_key_vault.${ref('azurerm_key_vault')}.id}` });
    expect(key.rotation_policy.automatic.time_after_creation).toBe('P365D');
  });

  test('data lake: HNS, CMK with the network key through the DICOM identity, private, no shared keys', () => {
    const lake = net.resources('azurerm_storage_account').find(([n]) => n === lakeName)![1];
    expect(lake).toMatchObject({
      is_hns_enabled: true,
      infrastructure_encryption_enabled: true,
      shared_access_key_enabled: false,
      public_network_access_enabled: false,
      min_tls_version: 'TLS1_2',
      https_traffic_only_enabled: true,
      allow_nested_items_to_be_public: false,
      customer_managed_key: {
        key_vault_key_id: `\${azurerm_key_vault_key.${keyName}.versionless_id}`,
        user_assigned_identity_id: `\${azurerm_user_assigned_identity.${identityName}.id}`,
      },
      network_rules: { default_action: 'Deny', bypass: expect.arrayContaining(['AzureServices']) },
    });
    const grants = net.resources('azurerm_role_assignment').map(([, c]) => c);
    expect(grants).toEqual(expect.arrayContaining([
      expect.objectContaining({ role_definition_name: 'Storage Blob Data Contributor', scope: `\${azurerm_storage_account.${lakeName}.id}`, principal_id: `\${azurerm_user_assigned_identity.${identityName}.principal_id}` }),
      expect.objectContaining({ role_definition_name: 'Key Vault Crypto Service Encryption User', scope: `\${azurerm_key_vault_key.${keyName}.resource_versionless_id}` }),
    ]));
    const vault = net.only('azurerm_key_vault');
    expect(vault).toMatchObject({ sku_name: 'premium', purge_protection_enabled: true, public_network_access_enabled: false, rbac_authorization_enabled: true, tenant_id: TENANT });
  });

  test('private endpoints: workspace (DICOM zone), blob, dfs and vault, in the given subnet', () => {
    const endpoints = net.resources('azurerm_private_endpoint').map(([, c]) => c);
    const by = Object.fromEntries(endpoints.map((e) => [e.private_service_connection.subresource_names.join(), e]));
    expect(Object.keys(by).sort()).toEqual(['blob', 'dfs', 'healthcareworkspace', 'vault']);
    for (const e of endpoints) expect(e.subnet_id).toBe(HUB_ENDPOINTS);
    expect(by.healthcareworkspace.private_service_connection.private_connection_resource_id).toBe(`\${azurerm_healthcare_workspace.${ref('azurerm_healthcare_workspace')}.id}`);
    expect(by.healthcareworkspace.private_dns_zone_group.private_dns_zone_ids).toContain(hub.privateDnsZoneId(SUB, 'privatelink.dicom.azurehealthcareapis.com'));
    expect(by.dfs.private_dns_zone_group.private_dns_zone_ids).toEqual([hub.privateDnsZoneId(SUB, 'privatelink.dfs.core.windows.net')]);
    expect(by.blob.private_service_connection.private_connection_resource_id).toBe(`\${azurerm_storage_account.${lakeName}.id}`);
  });

  test('everything sits in the spec\'s UK Azure region', () => {
    const region = spec.region(Cloud.AZURE);
    expect(UkRegions.isUk(Cloud.AZURE, region)).toBe(true);
    const located = [...net.all(), ...rem.all()].filter(([, , c]) => c.location !== undefined);
    expect(located.length).toBeGreaterThan(10);
    for (const [type, name, c] of located) expect([type, name, c.location]).toEqual([type, name, region]);
  });

  test('the DICOM service\'s AuditLogs go to the central workspace', () => {
    const diag = net.resources('azurerm_monitor_diagnostic_setting').map(([, c]) => c)
      .find((d) => d.target_resource_id === `\${azurerm_healthcare_dicom_service.${dicomName}.id}`);
    expect(diag).toMatchObject({ log_analytics_workspace_id: WORKSPACE, enabled_log: [{ category: 'AuditLogs' }] });
  });

  test('stateful resources are prevent_destroy', () => {
    const stateful = StatefulResources.typesOf(Cloud.AZURE);
    const checked = new Set<string>();
    for (const [type, name, c] of [...net.all(), ...rem.all()]) {
      if (stateful.includes(type) || ['azurerm_storage_share', 'azurerm_resource_group_template_deployment'].includes(type)) {
        expect([type, name, c.lifecycle?.prevent_destroy]).toEqual([type, name, true]);
        checked.add(type);
      }
    }
    expect([...checked].sort()).toEqual(expect.arrayContaining([
      'azurerm_healthcare_dicom_service', 'azurerm_healthcare_workspace', 'azurerm_key_vault', 'azurerm_key_vault_key',
      'azurerm_storage_account', 'azurerm_storage_container', 'azurerm_storage_share',
    ]));
  });

  test('a reader gets DICOM Data Reader (not Owner) on this DICOM service only; a writer gets DICOM Data Owner', () => {
    const dicomScope = `\${azurerm_healthcare_dicom_service.${dicomName}.id}`;
    const forApp = (appName: string) => net.resources('azurerm_role_assignment').map(([, c]) => c)
      .filter((c) => c.principal_id === `\${data.azurerm_user_assigned_identity.Identity-REM-${appName}.principal_id}`);
    const reader = forApp('ai-triage');
    expect(reader).toHaveLength(1);
    expect(reader[0]).toMatchObject({ role_definition_name: 'DICOM Data Reader', scope: dicomScope, principal_type: 'ServicePrincipal' });
    const writer = forApp('pacs-import');
    expect(writer.map((c) => [c.role_definition_name, c.scope])).toEqual([['DICOM Data Owner', dicomScope]]);
    // Looked up by name in the network's stack: no cross-stack reference.
    expect(net.dataSources('azurerm_user_assigned_identity').map(([, c]) => c.name).sort())
      .toEqual([spec.naming.trust('REM', 'ai-triage-id'), spec.naming.trust('REM', 'dimse-gw-id'), spec.naming.trust('REM', 'pacs-import-id')]);
    // An imported store grants from the importing stack, scoped to the service's ID built from names.
    expect(rbs.only('azurerm_role_assignment')).toMatchObject({ role_definition_name: 'DICOM Data Reader', scope: DicomStore.dicomServiceIdOf(spec, qyg, SUB) });
    for (const stack of [net, rem, rbs]) expect(JSON.stringify(stack.json)).not.toContain('terraform_remote_state');
  });
});

describe('DimseGateway', () => {
  const group = () => rem.only('azurerm_container_group');
  const volume = (name: string) => group().container[0].volume.find((v: any) => v.name === name);
  const decode = (files: { [k: string]: string }) => Object.fromEntries(Object.entries(files).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]));

  test('private only: a delegated subnet, a private IP, no public IP or DNS label', () => {
    const g = group();
    expect(g).toMatchObject({ ip_address_type: 'Private', subnet_ids: [REM_IMAGING], os_type: 'Linux', restart_policy: 'Always' });
    expect(g.dns_name_label).toBeUndefined();
    expect(rem.resources('azurerm_public_ip')).toEqual([]);
    expect(g.exposed_port).toEqual([{ port: 11112, protocol: 'TCP' }]);
    expect(DimseGateway.SUBNET_DELEGATION).toBe('Microsoft.ContainerInstance/containerGroups');
  });

  test('carries exactly OrthancGatewayConfig\'s generated files, forwarding to the store with a managed-identity token', () => {
    const expected = new OrthancGatewayConfig({
      spec,
      odsCode: 'REM',
      target: {
        url: DicomStore.dicomWebUrlOf(spec, qyg),
        tokenUrl: 'http://169.254.169.254/metadata/identity/oauth2/token?api-version=2018-02-01&resource=https://dicom.healthcareapis.azure.com&client_id=${AZURE_CLIENT_ID}',
        tokenHeaders: { Metadata: 'true' },
      },
      configDirectory: '/etc/orthanc',
      tlsDirectory: '/etc/orthanc-tls',
      storageDirectory: '/var/lib/orthanc/db',
    }).files();
    const config = volume('config');
    expect(config).toMatchObject({ mount_path: '/etc/orthanc', read_only: true });
    expect(decode(config.secret)).toEqual(expected);
    expect(decode(config.secret)).toEqual(gateway.config.files());
    const orthanc = JSON.parse(expected['orthanc.json']);
    expect(orthanc.DicomWeb.Servers.cloud.Url).toBe(`${DicomStore.dicomWebUrlOf(spec, qyg)}/`);
    expect(orthanc.DicomTlsPrivateKey).toBe('/etc/orthanc-tls/gateway.key');
    // The token URL's client id is the identity's, given to the container as an environment variable.
    const c = group().container[0];
    expect(c.environment_variables).toEqual({ AZURE_CLIENT_ID: `\${azurerm_user_assigned_identity.${ref('azurerm_user_assigned_identity', (x) => x.name === spec.naming.trust('REM', 'dimse-gw-id'))}.client_id}` });
    expect(c.commands).toEqual(['/bin/sh', '/etc/orthanc/entrypoint.sh']);
    expect(c.image).toBe(`${REGISTRY}/nhs-backbone/orthanc-gateway:1.10.1`);
    expect(group().image_registry_credential).toEqual([{ server: REGISTRY, user_assigned_identity_id: group().identity.identity_ids[0] }]);
  });

  test('TLS material comes from the trust\'s Key Vault, never inline', () => {
    const tls = volume('tls');
    expect(tls.mount_path).toBe('/etc/orthanc-tls');
    expect(Object.keys(tls.secret).sort()).toEqual(['gateway.crt', 'gateway.key', 'modalities-ca.crt']);
    for (const v of Object.values<string>(tls.secret)) expect(v).toMatch(/^\$\{base64encode\(data\.azurerm_key_vault_secret\.[^.]+\.value\)\}$/);
    expect(rem.dataSources('azurerm_key_vault_secret').map(([, c]) => [c.name, c.key_vault_id]).sort())
      .toEqual([['dimse-gateway-crt', REM_VAULT], ['dimse-gateway-key', REM_VAULT], ['dimse-modalities-ca-crt', REM_VAULT]]);
    expect(JSON.stringify(rem.json)).not.toMatch(/BEGIN [A-Z ]*PRIVATE KEY/);
  });

  test('store and gateway in one stack (per-trust network): the URL is still plain text, the grant needs no lookup', () => {
    const perTrust = smallSpec({ imaging: { grouping: 'trust' as any, modalities: [{ aeTitle: 'REM_CT1', host: '10.20.30.40', trust: 'REM' }] } });
    const s = new TerraformStack(Testing.app(), 'one');
    const own = new DicomStore(s, 'store', { ...storeProps, spec: perTrust, network: perTrust.imagingNetworkOf('REM') });
    const g = new DimseGateway(s, 'g', { ...gatewayProps, spec: perTrust, dicomStore: own });
    const json = TfJson.of(s);
    expect(JSON.parse(g.config.toJson()).DicomWeb.Servers.cloud.Url).toBe(`${DicomStore.dicomWebUrlOf(perTrust, perTrust.imagingNetworkOf('REM'))}/`);
    expect(json.dataSources('azurerm_user_assigned_identity')).toEqual([]);
    const owner = json.resources('azurerm_role_assignment').map(([, c]) => c).filter((c) => c.role_definition_name === 'DICOM Data Owner');
    expect(owner).toHaveLength(1);
    expect(owner[0].principal_id).toMatch(/^\$\{azurerm_user_assigned_identity\.[^.]+\.principal_id\}$/);
  });

  test('with gateway TLS off (spec warning), no TLS material is read or mounted', () => {
    const plain = smallSpec({ imaging: { gateway: { tls: false }, modalities: [{ aeTitle: 'REM_CT1', host: '10.20.30.40', trust: 'REM' }] } });
    const s = new TerraformStack(Testing.app(), 'plain');
    const g = new DimseGateway(s, 'g', {
      ...gatewayProps, spec: plain, tlsKeyVaultId: undefined, dicomStore: DicomStore.fromNetwork(s, 'store', plain, plain.imagingNetworkOf('REM'), SUB),
    });
    const json = TfJson.of(s);
    expect(g.config.tls).toBe(false);
    expect(json.dataSources('azurerm_key_vault_secret')).toEqual([]);
    expect(json.only('azurerm_container_group').container[0].volume.map((v: any) => v.name)).toEqual(['config', 'spool']);
  });

  test('instances wait on a private, CMK-encrypted Azure Files share mounted at the storage directory', () => {
    const spool = volume('spool');
    const account = rem.only('azurerm_storage_account');
    const accountName = rem.resources('azurerm_storage_account')[0][0];
    expect(spool).toMatchObject({
      mount_path: '/var/lib/orthanc/db',
      read_only: false,
      share_name: `\${azurerm_storage_share.${rem.resources('azurerm_storage_share')[0][0]}.name}`,
      storage_account_key: `\${azurerm_storage_account.${accountName}.primary_access_key}`,
    });
    expect(account).toMatchObject({
      public_network_access_enabled: false,
      infrastructure_encryption_enabled: true,
      min_tls_version: 'TLS1_2',
      customer_managed_key: { key_vault_key_id: REM_KEY_URL },
      network_rules: { default_action: 'Deny' },
      lifecycle: { prevent_destroy: true },
    });
    expect(account.share_properties.smb.versions).not.toContain('SMB2.1');
    const file = rem.only('azurerm_private_endpoint');
    expect(file.private_service_connection.subresource_names).toEqual(['file']);
    expect(file.subnet_id).toBe(REM_DATA);
    expect(file.private_dns_zone_group.private_dns_zone_ids).toEqual([hub.privateDnsZoneId(SUB, 'privatelink.file.core.windows.net')]);
    expect(group().key_vault_key_id).toBe(REM_KEY_URL);
  });

  test('the gateway\'s identity stores to the DICOM service (DICOM Data Owner) and pulls the image', () => {
    const owner = net.resources('azurerm_role_assignment').map(([, c]) => c)
      .filter((c) => c.principal_id === '${data.azurerm_user_assigned_identity.Identity-REM-dimse-gateway.principal_id}');
    expect(owner.map((c) => [c.role_definition_name, c.scope])).toEqual([['DICOM Data Owner', `\${azurerm_healthcare_dicom_service.${dicomName}.id}`]]);
    const pull = rem.resources('azurerm_role_assignment').map(([, c]) => c).filter((c) => c.role_definition_name === 'AcrPull');
    expect(pull.map((c) => c.scope)).toEqual([REGISTRY_ID]);
  });

  test('the NSG allows only the trust\'s modality /32s on the gateway port, and denies the rest', () => {
    const nsg = rem.only('azurerm_network_security_group');
    const allows = nsg.security_rule.filter((r: any) => r.access === 'Allow');
    expect(allows).toEqual([expect.objectContaining({
      direction: 'Inbound', protocol: 'Tcp', source_address_prefixes: ['10.20.30.40/32', '10.20.30.41/32'], destination_port_range: '11112',
    })]);
    expect(nsg.security_rule.find((r: any) => r.priority === 4096)).toMatchObject({ access: 'Deny', source_address_prefix: '*' });
    expect(rem.only('azurerm_subnet_network_security_group_association').subnet_id).toBe(REM_IMAGING);
    expect(DimseGateway.inboundRules(spec, 'RBS')).toEqual([{ name: 'allow-modalities-dicom', sources: ['10.9.8.7/32'], protocol: 'Tcp', ports: ['11112'] }]);
    expect(DimseGateway.inboundRules(spec, 'R0A')).toEqual([]);
  });
});

describe('bad props name the prop', () => {
  const r0a = spec.imagingNetworkOf('R0A');
  test.each<[string, string, (s: TerraformStack) => void]>([
    ['unknown network', 'network', (s) => new DicomStore(s, 'd', { ...storeProps, network: { id: 'icb-xyz', trusts: [], odsCode: 'XYZ' } })],
    ['non-UK location', 'location', (s) => new DicomStore(s, 'd', { ...storeProps, location: 'eastus' })],
    ['no dfs zone', 'privateDnsZoneIds', (s) => new DicomStore(s, 'd', { ...storeProps, privateDnsZoneIds: ZONES.filter((z) => !z.endsWith('dfs.core.windows.net')) })],
    ['bad subnet', 'privateEndpointSubnetId', (s) => new DicomStore(s, 'd', { ...storeProps, privateEndpointSubnetId: 'subnet-1' })],
    ['bad workspace', 'logAnalyticsWorkspaceId', (s) => new DicomStore(s, 'd', { ...storeProps, logAnalyticsWorkspaceId: '' })],
    ['bad rotation', 'rotationPeriodDays', (s) => new DicomStore(s, 'd', { ...storeProps, rotationPeriodDays: 3 })],
    ['trust without modalities', 'odsCode', (s) => new DimseGateway(s, 'g', { ...gatewayProps, odsCode: 'R0A', dicomStore: DicomStore.fromNetwork(s, 'i', spec, r0a, SUB) })],
    ['store of another network', 'dicomStore', (s) => new DimseGateway(s, 'g', { ...gatewayProps, dicomStore: DicomStore.fromNetwork(s, 'i', spec, r0a, SUB) })],
    ['not an ACR', 'registryServer', (s) => new DimseGateway(s, 'g', { ...gatewayProps, registryServer: 'docker.io' })],
    ['image elsewhere', 'image', (s) => new DimseGateway(s, 'g', { ...gatewayProps, image: 'docker.io/orthancteam/orthanc:latest' })],
    ['TLS on, no vault', 'tlsKeyVaultId', (s) => new DimseGateway(s, 'g', { ...gatewayProps, tlsKeyVaultId: undefined })],
    ['versioned key', 'customerManagedKeyId', (s) => new DimseGateway(s, 'g', { ...gatewayProps, customerManagedKeyId: `${REM_KEY_URL}/0123456789abcdef0123456789abcdef` })],
    ['no file zone', 'privateDnsZoneIds', (s) => new DimseGateway(s, 'g', { ...gatewayProps, privateDnsZoneIds: ZONES.filter((z) => !z.endsWith('file.core.windows.net')) })],
    ['too many vCPUs', 'cpu', (s) => new DimseGateway(s, 'g', { ...gatewayProps, cpu: 8 })],
    ['undelegatable subnet', 'subnetId', (s) => new DimseGateway(s, 'g', { ...gatewayProps, subnetId: 'imaging' })],
    ['read for an app of another network', 'grantee', () => store.grantDicomRead(new WorkloadIdentity(new TerraformStack(Testing.app(), 'y'), 'i', { spec, appName: 'ai-triage', odsCode: 'R0A', resourceGroupName: 'rg' }))],
    ['read for an app with dicomweb none', 'grantee', () => store.grantDicomRead(new WorkloadIdentity(new TerraformStack(Testing.app(), 'y'), 'i', { spec, appName: 'rota', odsCode: 'REM', resourceGroupName: 'rg' }))],
    ['write for a read-only app', 'grantee', () => store.grantDicomWrite(triage)],
    ['read for the gateway', 'grantee', () => store.grantDicomRead(gateway.identity)],
    ['a principal that is not a workload identity', 'grantee', () => store.grantDicomRead({ appName: 'x', odsCode: 'REM' } as any)],
  ])('%s', (_what, prop, build) => {
    expect(failure(build)).toBe(prop);
  });
});
