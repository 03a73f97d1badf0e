import { DataAzurermClientConfig } from '@cdktf/provider-azurerm/lib/data-azurerm-client-config';
import { KeyVault } from '@cdktf/provider-azurerm/lib/key-vault';
import { KeyVaultKey } from '@cdktf/provider-azurerm/lib/key-vault-key';
import { LogAnalyticsLinkedService } from '@cdktf/provider-azurerm/lib/log-analytics-linked-service';
import { LogAnalyticsWorkspace } from '@cdktf/provider-azurerm/lib/log-analytics-workspace';
import { LogAnalyticsWorkspaceTable } from '@cdktf/provider-azurerm/lib/log-analytics-workspace-table';
import { MonitorDiagnosticSetting } from '@cdktf/provider-azurerm/lib/monitor-diagnostic-setting';
import { PrivateEndpoint } from '@cdktf/provider-azurerm/lib/private-endpoint';
import { StorageAccount } from '@cdktf/provider-azurerm/lib/storage-account';
import { StorageContainer } from '@cdktf/provider-azurerm/lib/storage-container';
import { UserAssignedIdentity } from '@cdktf/provider-azurerm/lib/user-assigned-identity';
import { Token } from 'cdktf';
import { Construct } from 'constructs';
import { BackboneSpec } from '../../core/backbone-spec';
import { RECORDS_CATEGORY_TAG } from '../../core/compliance';
import { BackboneError } from '../../core/errors';
import { RecordsCategory } from '../../core/retention';
import { AzureCompliance } from '../compliance/acknowledge';
import { rotationPolicy } from '../identity/key-rotation';
import { blobDiagnostics, blobPrivateEndpoint, coldTierPolicy, immutableContainer, requireBlobZone, requireString, secureAccount } from '../storage/account';

/** Log Analytics keeps data for interactive queries at most this many days. @internal */
export const WORKSPACE_MAX_INTERACTIVE_DAYS = 730;

/**
 * Total retention (interactive + long-term) a Log Analytics table accepts above
 * two years: whole years of days, up to twelve. @internal
 */
export const WORKSPACE_TOTAL_RETENTION_DAYS = [1095, 1460, 1826, 2191, 2556, 2922, 3288, 3653, 4018, 4383];

/**
 * Tables of the backbone's own audit trail that keep long-term retention when
 * logs are kept longer than the workspace's two interactive years: blob
 * reads/writes/deletes, Key Vault audit events, firewall decisions and VNet
 * flow analytics. The immutable archive account keeps every log for the whole
 * period in any case. @internal
 */
export const LONG_TERM_TABLES = [
  'StorageBlobLogs', 'AZKVAuditLogs', 'AZFWNetworkRule', 'AZFWApplicationRule', 'AZFWThreatIntel', 'AZFWIdpsSignature', 'NTANetAnalytics',
];

/**
 * Containers Azure Monitor and Network Watcher write the backbone's logs to
 * (`insights-logs-<category>`, `insights-metrics-pt1m`). The archive makes
 * them itself, each with a locked retention policy, so these logs are under a
 * compliance-mode lock from the first write. A container Azure makes for any
 * other category gets the account's default (unlocked) version-level policy.
 * @internal
 */
export const LOG_ARCHIVE_CONTAINERS = [
  'insights-logs-flowlogflowevent',
  'insights-logs-storageread', 'insights-logs-storagewrite', 'insights-logs-storagedelete',
  'insights-logs-azfwnetworkrule', 'insights-logs-azfwapplicationrule', 'insights-logs-azfwnatrule',
  'insights-logs-azfwthreatintel', 'insights-logs-azfwidpssignature', 'insights-logs-azfwdnsquery',
  'insights-logs-gatewaydiagnosticlog', 'insights-logs-tunneldiagnosticlog', 'insights-logs-routediagnosticlog', 'insights-logs-ikediagnosticlog',
  'insights-metrics-pt1m',
];

/** Props of the hub's central log store. */
export interface NetworkLogStoreProps {
  /** The validated backbone spec (names the key, identity and endpoints). */
  readonly spec: BackboneSpec;
  /** Name of the storage account (3-24, a-z 0-9). */
  readonly storageAccountName: string;
  /** Name of the Log Analytics workspace. */
  readonly workspaceName: string;
  /** Name of the hub's Key Vault that holds the archive's customer-managed key. */
  readonly keyVaultName: string;
  /** The hub's resource group. */
  readonly resourceGroupName: string;
  /** The region. */
  readonly location: string;
  /** Tags of every resource. */
  readonly tags: { [key: string]: string };
  /** The subnet of the vault's and the archive's private endpoints (the hub's endpoints subnet). */
  readonly privateEndpointSubnetId: string;
  /** ID of the hub's `privatelink.vaultcore.azure.net` private DNS zone. */
  readonly keyVaultPrivateDnsZoneId: string;
  /** ID of the hub's `privatelink.blob.core.windows.net` private DNS zone. */
  readonly blobPrivateDnsZoneId: string;
  /**
   * The Entra tenant of the vault.
   * @default - the deploying identity's tenant (data azurerm_client_config)
   */
  readonly tenantId?: string;
  /**
   * Days logs are kept: the archive's locked retention, the workspace's
   * retention (interactive up to 730 days, then long-term on the audit tables)
   * and the day the archive's lifecycle rule deletes them. At least 365.
   * @default - spec.storage.logRetentionDays
   */
  readonly retentionInDays?: number;
  /**
   * A Log Analytics dedicated cluster with a customer-managed key (made and
   * keyed outside the backbone: its 100 GB/day commitment is a national
   * decision) to link the workspace to, so its data is encrypted with that
   * key (NHS-ENC-1).
   * @default - none: the workspace keeps Microsoft-managed keys, acknowledged on it
   */
  readonly logAnalyticsClusterId?: string;
}

/**
 * The central store of logs in the hub: an immutable archive account for flow
 * logs and diagnostics, and a Log Analytics workspace for traffic analytics
 * and queries.
 *
 * The archive is private (public access off, private endpoint in the hub's
 * endpoints subnet), Entra ID only, TLS 1.2, infrastructure-encrypted and
 * encrypted with a customer-managed key of the hub's own Key Vault (Premium,
 * RBAC, purge protection, private) through a user-assigned identity; blobs
 * are versioned and under version-level WORM for `retentionInDays`: locked
 * (compliance mode) on the containers the backbone's logs go to, and as the
 * account's default for any other. Everything that holds logs or the key is
 * protected from destroy.
 */
export class NetworkLogStore extends Construct {
  public readonly storageAccount: StorageAccount;
  public readonly workspace: LogAnalyticsWorkspace;
  /** The hub's Key Vault (the archive's customer-managed key). */
  public readonly keyVault: KeyVault;
  /** The archive's customer-managed key. */
  public readonly key: KeyVaultKey;
  /** The identity that unwraps the key for the archive. */
  public readonly encryptionIdentity: UserAssignedIdentity;
  /** The archive's private endpoint. */
  public readonly privateEndpoint: PrivateEndpoint;
  /** Days logs are kept (and locked). */
  public readonly retentionInDays: number;
  /** The log containers made with a locked retention policy, by name. */
  public readonly containers: { [name: string]: StorageContainer } = {};

  constructor(scope: Construct, id: string, props: NetworkLogStoreProps) {
    super(scope, id);
    const { spec, resourceGroupName, location, tags } = props;
    for (const p of ['storageAccountName', 'workspaceName', 'keyVaultName', 'resourceGroupName', 'privateEndpointSubnetId', 'keyVaultPrivateDnsZoneId'] as const) {
      requireString(p, props[p]);
    }
    requireBlobZone('blobPrivateDnsZoneId', props.blobPrivateDnsZoneId);
    if (!Token.isUnresolved(props.keyVaultPrivateDnsZoneId) && !/\/privateDnsZones\/privatelink\.vaultcore\.azure\.net$/i.test(props.keyVaultPrivateDnsZoneId)) {
      throw BackboneError.of('keyVaultPrivateDnsZoneId', `"${props.keyVaultPrivateDnsZoneId}" is not the ID of a privatelink.vaultcore.azure.net private DNS zone`);
    }
    const days = props.retentionInDays ?? spec.storage.logRetentionDays ?? 365;
    if (typeof days !== 'number' || !Number.isInteger(days) || days < 365 || days > 36500) {
      throw BackboneError.of('retentionInDays', `${JSON.stringify(days)} is not allowed (whole days from 365, the profile's minimum, to 36500)`);
    }
    this.retentionInDays = days;
    if (props.logAnalyticsClusterId !== undefined && !Token.isUnresolved(props.logAnalyticsClusterId)
      && !/^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.OperationalInsights\/clusters\/[^/]+$/i.test(props.logAnalyticsClusterId)) {
      throw BackboneError.of('logAnalyticsClusterId', `${JSON.stringify(props.logAnalyticsClusterId)} is not a Log Analytics cluster ID (/subscriptions/<id>/resourceGroups/<rg>/providers/Microsoft.OperationalInsights/clusters/<name>)`);
    }
    const tenantId = props.tenantId ?? new DataAzurermClientConfig(this, 'ClientConfig').tenantId;

    // The hub's own vault and key.
    this.keyVault = new KeyVault(this, 'KeyVault', {
      name: props.keyVaultName,
      resourceGroupName,
      location,
      tenantId,
      skuName: 'premium',
      rbacAuthorizationEnabled: true,
      purgeProtectionEnabled: true,
      softDeleteRetentionDays: 90,
      publicNetworkAccessEnabled: false,
      enabledForDeployment: false,
      enabledForTemplateDeployment: false,
      enabledForDiskEncryption: false,
      networkAcls: { defaultAction: 'Deny', bypass: 'AzureServices' },
      tags,
      lifecycle: { preventDestroy: true },
    });
    const vaultEndpoint = new PrivateEndpoint(this, 'KeyVaultPrivateEndpoint', {
      name: spec.naming.hub('logs-kv-pe'),
      resourceGroupName,
      location,
      subnetId: props.privateEndpointSubnetId,
      customNetworkInterfaceName: spec.naming.hub('logs-kv-pe-nic'),
      privateServiceConnection: {
        name: spec.naming.hub('logs-kv-psc'),
        privateConnectionResourceId: this.keyVault.id,
        subresourceNames: ['vault'],
        isManualConnection: false,
      },
      privateDnsZoneGroup: { name: 'vaultcore', privateDnsZoneIds: [props.keyVaultPrivateDnsZoneId] },
      tags,
    });
    const r = rotationPolicy({});
    const keyName = spec.naming.hub('logs-cmk');
    this.key = new KeyVaultKey(this, 'Key', {
      name: keyName,
      keyVaultId: this.keyVault.id,
      keyType: 'RSA-HSM',
      keySize: 3072,
      keyOpts: ['wrapKey', 'unwrapKey', 'encrypt', 'decrypt'],
      rotationPolicy: {
        automatic: { timeAfterCreation: `P${r.rotateAfter}D` },
        expireAfter: `P${r.expireAfter}D`,
        notifyBeforeExpiry: `P${r.notifyBefore}D`,
      },
      tags: { ...tags, 'data-class': 'logs' },
      dependsOn: [vaultEndpoint],
      lifecycle: { preventDestroy: true },
    });

    // The immutable archive.
    const archive = secureAccount(this, {
      name: props.storageAccountName,
      resourceGroupName,
      location,
      // The archive is the audit-log store: NHS-RET-1 reads its category's floor from this tag.
      tags: { ...tags, [RECORDS_CATEGORY_TAG]: RecordsCategory.AUDIT_LOG.id },
      // Zone- and geo-redundant; uksouth's pair is ukwest, so the copy stays in the UK.
      replication: 'GZRS',
      key: { versionlessId: this.key.versionlessId, resourceId: this.key.resourceVersionlessId, keyName },
      identityName: spec.naming.hub('netlogs-cmk-id'),
      identityResourceGroupName: resourceGroupName,
      // Azure Monitor appends to append blobs: protected appends keep that working under the lock.
      accountImmutability: { days, allowProtectedAppendWrites: true },
      softDeleteDays: 30,
      changeFeed: false,
    });
    this.storageAccount = archive.account;
    this.encryptionIdentity = archive.identity;
    for (const name of LOG_ARCHIVE_CONTAINERS) {
      // Flow logs add blocks to block blobs, diagnostics to append blobs: both are allowed, nothing else.
      this.containers[name] = immutableContainer(this, `Container-${name}`, {
        name, accountId: this.storageAccount.id, days, locked: true, protectedAppendWritesAll: true,
      }).container;
    }
    // Cold after 90 days; deleted once the lock has run out.
    coldTierPolicy(this, 'Lifecycle', this.storageAccount.id, 90, days);
    this.privateEndpoint = blobPrivateEndpoint(this, 'PrivateEndpoint', {
      name: spec.naming.hub('netlogs-pe'),
      nicName: spec.naming.hub('netlogs-pe-nic'),
      connectionName: spec.naming.hub('netlogs-psc'),
      resourceGroupName,
      location,
      subnetId: props.privateEndpointSubnetId,
      accountId: this.storageAccount.id,
      privateDnsZoneId: props.blobPrivateDnsZoneId,
      tags,
    });

    this.workspace = new LogAnalyticsWorkspace(this, 'Workspace', {
      name: props.workspaceName,
      resourceGroupName,
      location,
      sku: 'PerGB2018',
      retentionInDays: Math.min(days, WORKSPACE_MAX_INTERACTIVE_DAYS),
      localAuthenticationEnabled: false,
      tags,
      lifecycle: { preventDestroy: true },
    });
    if (props.logAnalyticsClusterId !== undefined) {
      new LogAnalyticsLinkedService(this, 'ClusterLink', {
        resourceGroupName,
        workspaceId: this.workspace.id,
        writeAccessId: props.logAnalyticsClusterId,
      });
    } else {
      AzureCompliance.acknowledge(this.workspace, 'NHS-ENC-1',
        'Log Analytics encrypts with a customer-managed key only in a dedicated cluster (a commitment of at least 100 GB a day, a cost decision for whoever runs the backbone), '
        + 'so this workspace keeps Microsoft-managed keys; every log it holds also goes to the immutable archive account, encrypted with the hub\'s RSA-HSM key. '
        + 'Pass logAnalyticsClusterId to link the workspace to a keyed cluster and clear this finding.');
    }
    if (days > WORKSPACE_MAX_INTERACTIVE_DAYS) {
      const longest = WORKSPACE_TOTAL_RETENTION_DAYS[WORKSPACE_TOTAL_RETENTION_DAYS.length - 1];
      const total = WORKSPACE_TOTAL_RETENTION_DAYS.find((d) => d >= days) ?? longest;
      for (const table of LONG_TERM_TABLES) {
        new LogAnalyticsWorkspaceTable(this, `Table-${table}`, {
          workspaceId: this.workspace.id,
          name: table,
          retentionInDays: WORKSPACE_MAX_INTERACTIVE_DAYS,
          totalRetentionInDays: total,
        });
      }
    }

    // Who reads the logs, and who uses the key, is logged too (to the workspace: never into the archive itself).
    blobDiagnostics(this, 'ArchiveDiagnostics', this.storageAccount.id, { logAnalyticsWorkspaceId: this.workspace.id });
    new MonitorDiagnosticSetting(this, 'KeyVaultAuditLog', {
      name: 'audit-to-log-analytics',
      targetResourceId: this.keyVault.id,
      logAnalyticsWorkspaceId: this.workspace.id,
      logAnalyticsDestinationType: 'Dedicated',
      enabledLog: [{ category: 'AuditEvent' }],
      enabledMetric: [{ category: 'AllMetrics' }],
    });
  }

  /** Sends every log and metric of a resource to the workspace and the storage account. */
  public diagnose(scope: Construct, id: string, targetResourceId: string): MonitorDiagnosticSetting {
    return new MonitorDiagnosticSetting(scope, id, {
      name: 'to-central-log-store',
      targetResourceId,
      logAnalyticsWorkspaceId: this.workspace.id,
      logAnalyticsDestinationType: 'Dedicated',
      storageAccountId: this.storageAccount.id,
      enabledLog: [{ categoryGroup: 'allLogs' }],
      enabledMetric: [{ category: 'AllMetrics' }],
    });
  }
}
