/**
 * The settings every storage account of the backbone shares (clinical stores,
 * their copies, the DICOM data lake, the gateway's spool): TLS 1.2 over HTTPS
 * only, no public network access or public containers, Entra ID by default, no
 * cross-tenant replication, infrastructure (double) encryption with queue and
 * table data under the account's key, no local users or SFTP, and the network
 * firewall denying all but trusted Azure services. Spread it into the
 * account's config and add what is particular to it.
 * @internal
 */
export const HARDENED_STORAGE_ACCOUNT = {
  accountKind: 'StorageV2',
  accountTier: 'Standard',
  accessTier: 'Hot',
  minTlsVersion: 'TLS1_2',
  httpsTrafficOnlyEnabled: true,
  publicNetworkAccessEnabled: false,
  sharedAccessKeyEnabled: false,
  defaultToOauthAuthentication: true,
  allowNestedItemsToBePublic: false,
  crossTenantReplicationEnabled: false,
  infrastructureEncryptionEnabled: true,
  queueEncryptionKeyType: 'Account',
  tableEncryptionKeyType: 'Account',
  localUserEnabled: false,
  sftpEnabled: false,
  networkRules: { defaultAction: 'Deny', bypass: ['AzureServices', 'Logging', 'Metrics'] },
} as const;
