/** Azure Firewall tier. */
export enum AzureFirewallTier {
  /** FQDN filtering (SNI), threat intelligence, DNS proxy. */
  STANDARD = 'Standard',
  /** Standard plus signature-based IDPS, TLS inspection and URL filtering. */
  PREMIUM = 'Premium',
}

/** An existing Network Watcher (one per region and subscription). */
export interface AzureNetworkWatcherRef {
  /** Its name, e.g. NetworkWatcher_uksouth. */
  readonly name: string;
  /** Its resource group, e.g. NetworkWatcherRG. */
  readonly resourceGroupName: string;
}

/** An existing Key Vault. */
export interface AzureKeyVaultRef {
  /** The vault's name. */
  readonly name: string;
  /** The vault's resource group. */
  readonly resourceGroupName: string;
}
