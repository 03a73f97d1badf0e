import { DataAzurermClientConfig } from '@cdktf/provider-azurerm/lib/data-azurerm-client-config';
import { HealthcareDicomService } from '@cdktf/provider-azurerm/lib/healthcare-dicom-service';
import { HealthcareWorkspace } from '@cdktf/provider-azurerm/lib/healthcare-workspace';
import { KeyVault } from '@cdktf/provider-azurerm/lib/key-vault';
import { KeyVaultKey } from '@cdktf/provider-azurerm/lib/key-vault-key';
import { PrivateEndpoint } from '@cdktf/provider-azurerm/lib/private-endpoint';
import { ResourceGroup } from '@cdktf/provider-azurerm/lib/resource-group';
import { ResourceGroupTemplateDeployment } from '@cdktf/provider-azurerm/lib/resource-group-template-deployment';
import { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import { StorageAccount } from '@cdktf/provider-azurerm/lib/storage-account';
import { StorageContainer } from '@cdktf/provider-azurerm/lib/storage-container';
import { UserAssignedIdentity } from '@cdktf/provider-azurerm/lib/user-assigned-identity';
import { TerraformOutput, Token } from 'cdktf';
import { Construct } from 'constructs';
import {
  checkNetwork, diagnostics, isGatewayIdentity, networkTags, optionalZoneIds, privateEndpoint, replicationFor,
  requireId, SUBNET_ID, WORKSPACE_ID, ZONE, zoneId,
} from './internal';
import { NetworkKeyVault } from './network-key-vault';
import { BackboneSpec, ImagingNetwork } from '../../core/backbone-spec';
import { RECORDS_CATEGORY_TAG } from '../../core/compliance';
import { BackboneError } from '../../core/errors';
import { NameKind } from '../../core/naming';
import { Cloud, UkRegions } from '../../core/regions';
import { RecordsCategory } from '../../core/retention';
import { DicomWebAccess } from '../../core/spec';
import { AzureCompliance } from '../compliance/acknowledge';
import { grantRole, isWorkloadIdentity } from '../identity/grant';
import { AzureBuiltInRole } from '../identity/roles';
import { KeyRotationOptions } from '../identity/trust-key-vault';
import { IWorkloadIdentity } from '../identity/workload-identity';
import { HARDENED_STORAGE_ACCOUNT } from '../storage/hardened-account';

/** A managed DICOM store (Azure Health Data Services DICOM service) of one imaging network. */
export interface IDicomStore {
  /** The imaging network it serves. */
  readonly network: ImagingNetwork;
  /** The Health Data Services workspace's name. */
  readonly workspaceName: string;
  /** The DICOM service's name (within the workspace). */
  readonly dicomServiceName: string;
  /** The DICOM service's Azure resource ID (the scope of DICOM grants). */
  readonly dicomServiceId: string;
  /**
   * The DICOMweb base URL (API v2): `https://<workspace>-<service>.dicom.azurehealthcareapis.com/v2`.
   * In the store's own stack this is the service's `service_url`.
   */
  readonly dicomWebUrl: string;
  /**
   * The same DICOMweb base URL built from the names (the service URL is
   * `https://<workspace>-<service>.dicom.azurehealthcareapis.com`): plain
   * text known at synth time, for generated files and for other stacks (no
   * stack reads another's state).
   */
  readonly dicomWebUrlByName: string;
  /**
   * Lets a workload identity query and retrieve (QIDO-RS, WADO-RS): the
   * `DICOM Data Reader` role on this DICOM service only. The identity must
   * act for a trust of this imaging network and its app must have
   * `dicomweb: read` or `read-write`.
   */
  grantDicomRead(grantee: IWorkloadIdentity): void;
  /**
   * Lets a workload identity store, query, retrieve and delete (STOW-RS too):
   * the `DICOM Data Owner` role on this DICOM service only. The identity must
   * act for a trust of this imaging network and be a DIMSE gateway's or an
   * app's with `dicomweb: read-write`.
   */
  grantDicomWrite(grantee: IWorkloadIdentity): void;
}

/** Props of an imaging network's DICOM store on Azure. */
export interface DicomStoreProps extends KeyRotationOptions {
  /** The validated backbone spec. */
  readonly spec: BackboneSpec;
  /** The imaging network (one of `spec.imagingNetworks()`). */
  readonly network: ImagingNetwork;
  /**
   * The region; must be one the spec's residency allows.
   * @default - the spec's Azure region (`spec.region(Cloud.AZURE)`)
   */
  readonly location?: string;
  /**
   * The subnet of the private endpoints (DICOM workspace, data lake blob and
   * dfs, Key Vault): the hub's endpoints subnet, or a subnet every trust of
   * the network reaches through the hub.
   */
  readonly privateEndpointSubnetId: string;
  /**
   * IDs of the hub's Private Link DNS zones (HubNames.privateDnsZoneId for each
   * zone). Must include `privatelink.dicom.azurehealthcareapis.com`,
   * `privatelink.blob.core.windows.net`, `privatelink.dfs.core.windows.net` and
   * `privatelink.vaultcore.azure.net`; the workspace and FHIR zones are used
   * by the workspace endpoint when given.
   */
  readonly privateDnsZoneIds: string[];
  /** The central Log Analytics workspace (HubNames.logWorkspaceId): DICOM AuditLogs, Key Vault AuditEvent and blob logs go there. */
  readonly logAnalyticsWorkspaceId: string;
  /**
   * The Entra tenant of the network's Key Vault.
   * @default - the deploying identity's tenant (data azurerm_client_config)
   */
  readonly tenantId?: string;
}

/**
 * The managed DICOM store of one imaging network: an Azure Health Data
 * Services workspace and DICOM service in the network's own resource group,
 * storing every instance in the network's own ADLS Gen2 data lake.
 *
 * - Workspace and DICOM service: public network access off (the DICOM
 *   service's own flag; the workspace's flag, which azurerm does not expose,
 *   is set by a one-resource ARM deployment), reached through a
 *   `healthcareworkspace` private endpoint registered in the hub's
 *   `privatelink.dicom.azurehealthcareapis.com` zone (and the workspace/FHIR
 *   zones when given).
 * - The DICOM service runs as a user-assigned identity; its index is
 *   encrypted with the network's customer-managed key (`encryption_key_url`),
 *   its AuditLogs go to the central Log Analytics workspace.
 * - External storage: an ADLS Gen2 account (hierarchical namespace) with
 *   infrastructure encryption and the same customer-managed key through that
 *   identity, shared keys off, public network access off (trusted Azure
 *   services bypass: the DICOM service reaches its data lake that way), TLS
 *   1.2, private endpoints for blob and dfs, blob logs to the workspace.
 * - The network's own Key Vault (Premium, RBAC, purge protection, private)
 *   holding the RSA-HSM key, rotated by policy.
 * - prevent_destroy on the workspace, DICOM service, storage account, file
 *   system, identity, key grant, key vault and key.
 *
 * Access only through `grantDicomRead` / `grantDicomWrite`.
 */
export class DicomStore extends Construct implements IDicomStore {
  /** The DICOM service's name in every workspace. */
  public static readonly DICOM_SERVICE_NAME = 'dicom';

  /** The network's resource group name: `<prefix>-<network id>-imaging-<env>`. */
  public static resourceGroupNameOf(spec: BackboneSpec, network: ImagingNetwork): string {
    return spec.naming.name(NameKind.AZURE_RESOURCE_GROUP, [network.id, 'imaging']);
  }

  /** The Health Data Services workspace's name (a-z 0-9, at most 24). */
  public static workspaceNameOf(spec: BackboneSpec, network: ImagingNetwork): string {
    return spec.naming.name(NameKind.AZURE_HEALTH_WORKSPACE, [network.id]);
  }

  /** The DICOMweb (v2) base URL of a network's store, from names alone. */
  public static dicomWebUrlOf(spec: BackboneSpec, network: ImagingNetwork): string {
    return `https://${DicomStore.workspaceNameOf(spec, network)}-${DicomStore.DICOM_SERVICE_NAME}.dicom.azurehealthcareapis.com/v2`;
  }

  /** The DICOM service's resource ID, from names alone. */
  public static dicomServiceIdOf(spec: BackboneSpec, network: ImagingNetwork, subscriptionId: string): string {
    return `/subscriptions/${subscriptionId}/resourceGroups/${DicomStore.resourceGroupNameOf(spec, network)}/providers/Microsoft.HealthcareApis/workspaces/${DicomStore.workspaceNameOf(spec, network)}/dicomservices/${DicomStore.DICOM_SERVICE_NAME}`;
  }

  /**
   * A network's DICOM store that exists (made by another stack), for grants
   * from this scope: role assignments are created here, scoped to the
   * service's ID built from names.
   */
  public static fromNetwork(scope: Construct, id: string, spec: BackboneSpec, network: ImagingNetwork, subscriptionId: string): IDicomStore {
    return new ImportedDicomStore(scope, id, spec, checkNetwork(spec, network), subscriptionId);
  }

  public readonly network: ImagingNetwork;
  public readonly workspaceName: string;
  public readonly dicomServiceName: string = DicomStore.DICOM_SERVICE_NAME;
  public readonly dicomServiceId: string;
  public readonly dicomWebUrl: string;
  public readonly dicomWebUrlByName: string;
  /** The network's resource group. */
  public readonly resourceGroup: ResourceGroup;
  /** Its name. */
  public readonly resourceGroupName: string;
  /** The Health Data Services workspace. */
  public readonly workspace: HealthcareWorkspace;
  /** The DICOM service. */
  public readonly dicomService: HealthcareDicomService;
  /** The ADLS Gen2 account holding the DICOM files. */
  public readonly dataLake: StorageAccount;
  /** Its file system (container) the DICOM service writes to. */
  public readonly fileSystem: StorageContainer;
  /** The DICOM service's user-assigned identity. */
  public readonly identity: UserAssignedIdentity;
  /** The network's Key Vault. */
  public readonly keyVault: KeyVault;
  /** The network's customer-managed key. */
  public readonly key: KeyVaultKey;
  /** The workspace's private endpoint. */
  public readonly workspaceEndpoint: PrivateEndpoint;
  private readonly spec: BackboneSpec;

  constructor(scope: Construct, id: string, props: DicomStoreProps) {
    super(scope, id);
    const { spec } = props;
    const network = checkNetwork(spec, props.network);
    this.spec = spec;
    this.network = network;
    const location = props.location ?? spec.region(Cloud.AZURE);
    if (!UkRegions.isAllowed(Cloud.AZURE, location, spec.residency)) {
      throw BackboneError.of('location', `"${location}" is not an Azure region residency "${spec.residency}" allows (${UkRegions.allowedRegions(Cloud.AZURE, spec.residency).join(', ')})`);
    }
    const subnetId = requireId(props.privateEndpointSubnetId, 'privateEndpointSubnetId', SUBNET_ID, 'a subnet ID (/subscriptions/.../virtualNetworks/<vnet>/subnets/<subnet>)');
    const workspaceId = requireId(props.logAnalyticsWorkspaceId, 'logAnalyticsWorkspaceId', WORKSPACE_ID, 'a Log Analytics workspace ID (/subscriptions/.../Microsoft.OperationalInsights/workspaces/<name>)');
    const zones = props.privateDnsZoneIds;
    const dicomZone = zoneId(zones, ZONE.DICOM, 'privateDnsZoneIds', 'the DICOM service\'s private endpoint');
    const blobZone = zoneId(zones, ZONE.BLOB, 'privateDnsZoneIds', 'the data lake\'s blob endpoint');
    const dfsZone = zoneId(zones, ZONE.DFS, 'privateDnsZoneIds', 'the data lake\'s dfs endpoint');
    const vaultZone = zoneId(zones, ZONE.VAULT, 'privateDnsZoneIds', 'the network Key Vault\'s endpoint');
    if (props.tenantId !== undefined && !Token.isUnresolved(props.tenantId) && !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(props.tenantId)) {
      throw BackboneError.of('tenantId', `${JSON.stringify(props.tenantId)} is not an Entra tenant id (a GUID)`);
    }
    const tags = networkTags(spec, network);
    const n = (purpose: string, kind: NameKind = NameKind.RESOURCE) => spec.naming.name(kind, [network.id, purpose]);

    this.resourceGroupName = DicomStore.resourceGroupNameOf(spec, network);
    this.resourceGroup = new ResourceGroup(this, 'ResourceGroup', { name: this.resourceGroupName, location, tags });
    const rg = this.resourceGroup.name;
    const tenantId = props.tenantId ?? new DataAzurermClientConfig(this, 'ClientConfig').tenantId;

    // The network's own vault and key.
    const vault = new NetworkKeyVault(this, 'KeyVault', {
      vaultName: n('img-kv', NameKind.AZURE_KEY_VAULT),
      keyName: n('dicom-cmk'),
      endpointName: n('img-kv'),
      resourceGroupName: rg,
      location,
      tenantId,
      subnetId,
      zoneId: vaultZone,
      workspaceId,
      tags,
      rotationPeriodDays: props.rotationPeriodDays,
      expireAfterDays: props.expireAfterDays,
      notifyBeforeExpiryDays: props.notifyBeforeExpiryDays,
    });
    this.keyVault = vault.vault;
    this.key = vault.key;

    // The DICOM service's identity: unwraps the key (for the service and for
    // its data lake) and reads/writes the data lake.
    this.identity = new UserAssignedIdentity(this, 'Identity', {
      name: n('dicom-id'),
      resourceGroupName: rg,
      location,
      tags: { ...tags, 'backbone-principal': 'dicom-service' },
      lifecycle: { preventDestroy: true },
    });
    const keyGrant = new RoleAssignment(this, 'KeyGrant', {
      scope: this.key.resourceVersionlessId,
      roleDefinitionName: AzureBuiltInRole.KEY_VAULT_CRYPTO_SERVICE_ENCRYPTION_USER.roleName,
      principalId: this.identity.principalId,
      principalType: 'ServicePrincipal',
      skipServicePrincipalAadCheck: true,
      description: `Key Vault Crypto Service Encryption User on the ${network.id} imaging key for its DICOM service and data lake, granted by nhs-backbone`,
      lifecycle: { preventDestroy: true },
    });

    this.dataLake = new StorageAccount(this, 'DataLake', {
      name: n('dicom', NameKind.AZURE_STORAGE_ACCOUNT),
      resourceGroupName: rg,
      location,
      ...HARDENED_STORAGE_ACCOUNT,
      networkRules: { ...HARDENED_STORAGE_ACCOUNT.networkRules, bypass: [...HARDENED_STORAGE_ACCOUNT.networkRules.bypass] },
      accountReplicationType: replicationFor(location),
      isHnsEnabled: true,
      identity: { type: 'UserAssigned', identityIds: [this.identity.id] },
      customerManagedKey: { keyVaultKeyId: this.key.versionlessId, userAssignedIdentityId: this.identity.id },
      blobProperties: {
        // Blob versioning is not available with a hierarchical namespace; soft delete is.
        deleteRetentionPolicy: { days: 30, permanentDeleteEnabled: false },
        containerDeleteRetentionPolicy: { days: 30 },
      },
      tags: { ...tags, 'data-class': 'imaging' },
      dependsOn: [keyGrant],
      lifecycle: { preventDestroy: true },
    });
    // Made through Azure Resource Manager (no data-plane access needed); in an
    // HNS account a container is the ADLS Gen2 file system.
    this.fileSystem = new StorageContainer(this, 'FileSystem', {
      name: 'dicom',
      storageAccountId: this.dataLake.id,
      containerAccessType: 'private',
      lifecycle: { preventDestroy: true },
    });
    const lakeGrant = new RoleAssignment(this, 'DataLakeGrant', {
      scope: this.dataLake.id,
      roleDefinitionName: AzureBuiltInRole.STORAGE_BLOB_DATA_CONTRIBUTOR.roleName,
      principalId: this.identity.principalId,
      principalType: 'ServicePrincipal',
      skipServicePrincipalAadCheck: true,
      description: `Storage Blob Data Contributor on the ${network.id} data lake for its DICOM service, granted by nhs-backbone`,
    });
    for (const [sub, zone] of [['blob', blobZone], ['dfs', dfsZone]] as const) {
      privateEndpoint(this, `DataLake-${sub}`, {
        name: n(`dicom-${sub}`), resourceGroupName: rg, location, subnetId, resourceId: this.dataLake.id, subresource: sub, zoneIds: [zone], tags,
      });
    }
    diagnostics(this, 'DataLakeLogs', `${this.dataLake.id}/blobServices/default`, workspaceId,
      [{ category: 'StorageRead' }, { category: 'StorageWrite' }, { category: 'StorageDelete' }], false);

    this.workspaceName = DicomStore.workspaceNameOf(spec, network);
    this.dicomWebUrlByName = DicomStore.dicomWebUrlOf(spec, network);
    this.workspace = new HealthcareWorkspace(this, 'Workspace', {
      name: this.workspaceName,
      resourceGroupName: rg,
      location,
      tags,
      lifecycle: { preventDestroy: true },
    });
    this.workspaceEndpoint = privateEndpoint(this, 'WorkspaceEndpoint', {
      name: n('ahds'),
      resourceGroupName: rg,
      location,
      subnetId,
      resourceId: this.workspace.id,
      subresource: 'healthcareworkspace',
      zoneIds: [dicomZone, ...optionalZoneIds(zones, [ZONE.WORKSPACE, ZONE.FHIR])],
      tags,
    });
    // azurerm creates the workspace without `publicNetworkAccess` and never
    // writes it again (its updates only patch tags), so the property is set
    // once through a one-resource ARM deployment after the private endpoint.
    new ResourceGroupTemplateDeployment(this, 'WorkspacePublicAccessOff', {
      name: n('ahds-public-access-off'),
      resourceGroupName: rg,
      deploymentMode: 'Incremental',
      templateContent: JSON.stringify({
        $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
        contentVersion: '1.0.0.0',
        resources: [{
          type: 'Microsoft.HealthcareApis/workspaces',
          apiVersion: '2024-03-31',
          name: this.workspaceName,
          location,
          tags,
          properties: { publicNetworkAccess: 'Disabled' },
        }],
      }),
      tags,
      dependsOn: [this.workspace, this.workspaceEndpoint],
      lifecycle: { preventDestroy: true },
    });

    this.dicomService = new HealthcareDicomService(this, 'Resource', {
      name: this.dicomServiceName,
      workspaceId: this.workspace.id,
      location,
      publicNetworkAccessEnabled: false,
      identity: { type: 'UserAssigned', identityIds: [this.identity.id] },
      storage: { storageAccountId: this.dataLake.id, fileSystemName: this.fileSystem.name },
      // The DICOM service needs a versioned key URL and does not follow
      // rotations by itself: the next apply after a rotation moves it to the
      // new version (old versions stay enabled to decrypt).
      encryptionKeyUrl: this.key.id,
      // A DICOM store holds images and reports: NHS-RET-1 and NHS-BAK-1 read the category here.
      tags: { ...tags, [RECORDS_CATEGORY_TAG]: RecordsCategory.IMAGING.id },
      dependsOn: [keyGrant, lakeGrant],
      lifecycle: { preventDestroy: true },
    });
    AzureCompliance.acknowledge(this.dicomService, 'NHS-RET-1',
      'The DICOM service must read, write and delete files in its data lake file system (instances, updates, deletes and a health-check file it rewrites), '
      + 'so a WORM policy there would break it, and Health Data Services has no retention lock of its own. The imaging floor is held by access instead: '
      + 'only DICOM Data Owner (the trusts\' DIMSE gateways and read-write apps) can delete, every delete is in AuditLogs, blobs stay soft-deleted 30 days, '
      + 'and the service, data lake and file system are prevent_destroy.');
    AzureCompliance.acknowledge(this.dicomService, 'NHS-BAK-1',
      'The DICOM data lake is an ADLS Gen2 (hierarchical namespace) account, for which Azure offers neither object replication nor generally available '
      + 'vaulted Azure Backup, so no immutable copy can be made by the platform; the lake is zone-redundant (ZRS) with soft delete. An immutable copy '
      + '(e.g. a scheduled AzCopy of the file system into a locked account) is a deployment task: see docs/azure-compliance.md.');
    this.dicomServiceId = this.dicomService.id;
    this.dicomWebUrl = `${this.dicomService.serviceUrl}/v2`;
    new TerraformOutput(this, 'DicomWebUrl', {
      value: this.dicomWebUrl,
      description: `DICOMweb base URL of imaging network ${network.id} (reached through its private endpoint)`,
    });
    diagnostics(this, 'AuditLogs', this.dicomService.id, workspaceId, [{ category: 'AuditLogs' }], true);
  }

  public grantDicomRead(grantee: IWorkloadIdentity): void {
    checkGrantee(this.spec, this.network, grantee, false);
    grantRole(this, grantee, AzureBuiltInRole.DICOM_DATA_READER, this.dicomServiceId, `DICOM service ${this.workspaceName}/${this.dicomServiceName}`);
  }

  public grantDicomWrite(grantee: IWorkloadIdentity): void {
    checkGrantee(this.spec, this.network, grantee, true);
    grantRole(this, grantee, AzureBuiltInRole.DICOM_DATA_OWNER, this.dicomServiceId, `DICOM service ${this.workspaceName}/${this.dicomServiceName}`);
  }
}

/** A DICOM store made by another stack, referenced by names. */
class ImportedDicomStore extends Construct implements IDicomStore {
  public readonly workspaceName: string;
  public readonly dicomServiceName = DicomStore.DICOM_SERVICE_NAME;
  public readonly dicomServiceId: string;
  public readonly dicomWebUrl: string;
  public readonly dicomWebUrlByName: string;

  constructor(scope: Construct, id: string, private readonly spec: BackboneSpec, public readonly network: ImagingNetwork, subscriptionId: string) {
    super(scope, id);
    if (typeof subscriptionId !== 'string' || subscriptionId.trim() === '') throw BackboneError.of('subscriptionId', `${JSON.stringify(subscriptionId)} is not set (required)`);
    this.workspaceName = DicomStore.workspaceNameOf(spec, network);
    this.dicomServiceId = DicomStore.dicomServiceIdOf(spec, network, subscriptionId);
    this.dicomWebUrl = DicomStore.dicomWebUrlOf(spec, network);
    this.dicomWebUrlByName = this.dicomWebUrl;
  }

  public grantDicomRead(grantee: IWorkloadIdentity): void {
    checkGrantee(this.spec, this.network, grantee, false);
    grantRole(this, grantee, AzureBuiltInRole.DICOM_DATA_READER, this.dicomServiceId, `DICOM service ${this.workspaceName}/${this.dicomServiceName}`);
  }

  public grantDicomWrite(grantee: IWorkloadIdentity): void {
    checkGrantee(this.spec, this.network, grantee, true);
    grantRole(this, grantee, AzureBuiltInRole.DICOM_DATA_OWNER, this.dicomServiceId, `DICOM service ${this.workspaceName}/${this.dicomServiceName}`);
  }
}

/**
 * Refuses a grant to an identity acting for a trust outside the network, to
 * an app whose spec `dicomweb` does not allow it, or a write to anything but
 * a read-write app or a DIMSE gateway. Non-backbone principals are refused by
 * grantRole.
 */
function checkGrantee(spec: BackboneSpec, network: ImagingNetwork, grantee: IWorkloadIdentity, write: boolean): void {
  if (!isWorkloadIdentity(grantee)) return;
  if (!network.trusts.includes(grantee.odsCode)) {
    throw BackboneError.of('grantee', `the identity of "${grantee.appName}" acts for trust ${grantee.odsCode}, which is not in imaging network ${network.id} (${network.trusts.join(', ')})`);
  }
  if (isGatewayIdentity(grantee)) {
    if (!write) throw BackboneError.of('grantee', `the DIMSE gateway of ${grantee.odsCode} only stores: grant it with grantDicomWrite`);
    return;
  }
  const app = spec.apps.find((a) => a.name === grantee.appName);
  const access = app?.dicomweb ?? DicomWebAccess.NONE;
  if (write && access !== DicomWebAccess.READ_WRITE) {
    throw BackboneError.of('grantee', `app "${grantee.appName}" has dicomweb "${access}" in the spec: DICOM write (DICOM Data Owner) needs "read-write"`);
  }
  if (!write && access === DicomWebAccess.NONE) {
    throw BackboneError.of('grantee', `app "${grantee.appName}" has dicomweb "none" in the spec: DICOM read needs "read" or "read-write"`);
  }
}
