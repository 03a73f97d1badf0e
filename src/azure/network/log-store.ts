import { LogAnalyticsWorkspace } from '@cdktf/provider-azurerm/lib/log-analytics-workspace';
import { MonitorDiagnosticSetting } from '@cdktf/provider-azurerm/lib/monitor-diagnostic-setting';
import { StorageAccount } from '@cdktf/provider-azurerm/lib/storage-account';
import { Construct } from 'constructs';

/** Props of the hub's central network log store. */
export interface NetworkLogStoreProps {
  /** Name of the storage account (3-24, a-z 0-9). */
  readonly storageAccountName: string;
  /** Name of the Log Analytics workspace. */
  readonly workspaceName: string;
  /** The hub's resource group. */
  readonly resourceGroupName: string;
  /** The region. */
  readonly location: string;
  /** Tags of every resource. */
  readonly tags: { [key: string]: string };
  /**
   * Days the workspace keeps logs.
   * @default 365
   */
  readonly retentionInDays?: number;
}

/**
 * The central store of network logs in the hub: a storage account for flow
 * logs and firewall/gateway diagnostics (private, Entra ID only, TLS 1.2,
 * infrastructure encryption, versioned, protected from destroy) and a Log
 * Analytics workspace for traffic analytics and queries. The customer-managed
 * key is added by the storage block.
 */
export class NetworkLogStore extends Construct {
  public readonly storageAccount: StorageAccount;
  public readonly workspace: LogAnalyticsWorkspace;

  constructor(scope: Construct, id: string, props: NetworkLogStoreProps) {
    super(scope, id);
    const { resourceGroupName, location, tags } = props;
    this.storageAccount = new StorageAccount(this, 'Resource', {
      name: props.storageAccountName,
      resourceGroupName,
      location,
      accountKind: 'StorageV2',
      accountTier: 'Standard',
      // Zone- and geo-redundant; uksouth's pair is ukwest, so the copy stays in the UK.
      accountReplicationType: 'GZRS',
      minTlsVersion: 'TLS1_2',
      httpsTrafficOnlyEnabled: true,
      publicNetworkAccessEnabled: false,
      sharedAccessKeyEnabled: false,
      defaultToOauthAuthentication: true,
      allowNestedItemsToBePublic: false,
      crossTenantReplicationEnabled: false,
      infrastructureEncryptionEnabled: true,
      localUserEnabled: false,
      sftpEnabled: false,
      networkRules: { defaultAction: 'Deny', bypass: ['AzureServices', 'Logging', 'Metrics'] },
      blobProperties: {
        versioningEnabled: true,
        deleteRetentionPolicy: { days: 30 },
        containerDeleteRetentionPolicy: { days: 30 },
      },
      tags,
      lifecycle: { preventDestroy: true },
    });
    this.workspace = new LogAnalyticsWorkspace(this, 'Workspace', {
      name: props.workspaceName,
      resourceGroupName,
      location,
      sku: 'PerGB2018',
      retentionInDays: props.retentionInDays ?? 365,
      localAuthenticationEnabled: false,
      tags,
      lifecycle: { preventDestroy: true },
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
