import { PrivateEndpoint } from '@cdktf/provider-azurerm/lib/private-endpoint';
import { StorageAccount } from '@cdktf/provider-azurerm/lib/storage-account';
import { StorageContainer } from '@cdktf/provider-azurerm/lib/storage-container';
import { StorageContainerImmutabilityPolicy } from '@cdktf/provider-azurerm/lib/storage-container-immutability-policy';
import { UserAssignedIdentity } from '@cdktf/provider-azurerm/lib/user-assigned-identity';
import { Construct } from 'constructs';
import {
  blobDiagnostics, blobPrivateEndpoint, coldTierPolicy, immutableContainer, replicationFor, requireBlobZone, requireString, secureAccount,
} from './account';
import { StoreBackupCopy } from './store-backup';
import { RECORDS_CONTAINER, StoreRetention, storeRetention, storeTags } from './store-retention';
import { ImmutabilityScope } from './types';
import { BackboneSpec } from '../../core/backbone-spec';
import { BackboneError } from '../../core/errors';
import { NameKind } from '../../core/naming';
import { Cloud, UkRegions } from '../../core/regions';
import { StoreSpec } from '../../core/spec';
import { grantRole } from '../identity/grant';
import { AzureBuiltInRole } from '../identity/roles';
import { VaultKey } from '../identity/trust-key-vault';
import { IWorkloadIdentity } from '../identity/workload-identity';

/** Where and how a clinical store's immutable second copy is made. */
export interface ClinicalStoreBackupOptions {
  /**
   * The resource group of the copy (a resource group's region does not bind
   * its resources), as a plain name.
   * @default - the store's resource group
   */
  readonly resourceGroupName?: string;
  /**
   * The customer-managed key of the copy: a key of its own in the trust's
   * vault (e.g. `vault.addKey('backup')`), not the store's.
   */
  readonly encryptionKey: VaultKey;
  /**
   * The region of the copy; it must be allowed under the spec's residency.
   * @default - spec.storage.backup.azureRegion (ukwest, the paired UK region, by default)
   */
  readonly region?: string;
}

/** Props of a clinical store. */
export interface ClinicalStoreProps {
  /** The validated backbone spec. */
  readonly spec: BackboneSpec;
  /** The trust's ODS code. */
  readonly odsCode: string;
  /**
   * The store: usually one of `spec.storage.stores`. Its category sets the
   * floor of the lock; `years` may only lengthen it.
   */
  readonly store: StoreSpec;
  /** The trust's resource group, as a plain name. */
  readonly resourceGroupName: string;
  /** The subnet of the store's private endpoint (the trust's DATA subnet). */
  readonly privateEndpointSubnetId: string;
  /** ID of the hub's `privatelink.blob.core.windows.net` private DNS zone. */
  readonly privateDnsZoneId: string;
  /**
   * The customer-managed key, in the trust's vault (e.g. `vault.addKey('storage')`).
   */
  readonly encryptionKey: VaultKey;
  /** The hub's Log Analytics workspace, which receives the blob service's read, write and delete logs. */
  readonly logAnalyticsWorkspaceId: string;
  /**
   * The hub's immutable log archive account (same region as the store), which
   * also receives the blob service's logs.
   * @default - the workspace only
   */
  readonly logStorageAccountId?: string;
  /** The immutable second copy (object replication to a locked account in the backup region). */
  readonly backup: ClinicalStoreBackupOptions;
}

/**
 * A trust's clinical record store on Azure: a StorageV2 account of its own
 * with one private `records` container whose time-based retention policy
 * enforces the records category's floor (years x 365 days), locked in
 * compliance mode, and an immutable, customer-key-encrypted copy in the
 * backup region (StoreBackupCopy, by object replication).
 *
 * - Encryption: the trust's customer-managed key (versionless, so Key Vault
 *   rotations are followed) through a user-assigned identity holding Key
 *   Vault Crypto Service Encryption User on that key only; infrastructure
 *   (double) encryption.
 * - Immutability: version-level WORM (account default, created Unlocked
 *   because Azure refuses a Locked one at creation; and the container's
 *   default policy, locked in the same apply), so the application can lengthen
 *   retention per blob version. A store with a legal hold uses container-level
 *   WORM instead, because Azure allows container legal holds only there (the
 *   hold itself is one `az` command: see docs/azure-storage.md).
 * - Access: public network access off, reached through a private endpoint in
 *   the trust's DATA subnet registered in the hub's blob zone; Entra ID only
 *   (shared keys off, OAuth by default); TLS 1.2, HTTPS only; no anonymous
 *   access, no cross-tenant replication. Grants by method, scoped to the container.
 * - Protection: versioning, change feed, soft delete; prevent_destroy on the
 *   account, container, retention policy, key identity and its grant.
 * - Tiers: blobs and versions move to Cold after `coldAfterDays`; nothing is
 *   ever deleted by a rule.
 * - Logs: StorageRead/StorageWrite/StorageDelete to the hub's log store.
 */
export class ClinicalStore extends Construct {
  /** The storage account. */
  public readonly storageAccount: StorageAccount;
  /** The account's name (globally unique, from the spec). */
  public readonly accountName: string;
  /** The account's Azure resource ID. */
  public readonly accountId: string;
  /** The account's blob endpoint (resolves privately through the blob zone). */
  public readonly blobEndpoint: string;
  /** The `records` container. */
  public readonly container: StorageContainer;
  /** The container's name. */
  public readonly containerName: string;
  /** The container's Azure resource ID (the scope of grants). */
  public readonly containerId: string;
  /** The container's time-based retention policy. */
  public readonly retentionPolicy: StorageContainerImmutabilityPolicy;
  /** The identity that unwraps the customer-managed key. */
  public readonly encryptionIdentity: UserAssignedIdentity;
  /** The private endpoint. */
  public readonly privateEndpoint: PrivateEndpoint;
  /** The immutable second copy. */
  public readonly backup: StoreBackupCopy;
  /** The trust's ODS code. */
  public readonly odsCode: string;
  /** The store's name. */
  public readonly storeName: string;
  /** The store with every default filled in. */
  public readonly store: StoreSpec;
  /** The lock in days (years x 365). */
  public readonly retentionDays: number;
  /** True when the lock is in compliance mode (the policy is locked). */
  public readonly locked: boolean;
  /** Version-level WORM, or container-level WORM for a store under legal hold. */
  public readonly immutabilityScope: ImmutabilityScope;
  private readonly retention: StoreRetention;

  constructor(scope: Construct, id: string, props: ClinicalStoreProps) {
    super(scope, id);
    const { spec, odsCode } = props;
    spec.trust(odsCode);
    const retention = storeRetention(props.store);
    for (const p of ['resourceGroupName', 'privateEndpointSubnetId', 'logAnalyticsWorkspaceId'] as const) requireString(p, props[p]);
    requireBlobZone('privateDnsZoneId', props.privateDnsZoneId);
    if (!(props.encryptionKey instanceof VaultKey)) {
      throw BackboneError.of('encryptionKey', 'is not a VaultKey of the trust\'s vault (use vault.addKey(\'storage\'))');
    }
    if (!props.backup) throw BackboneError.of('backup', 'is not set (required: the store\'s immutable second copy)');
    const backupRegion = props.backup.region ?? spec.storage.backup?.azureRegion ?? UkRegions.pairedRegion(Cloud.AZURE, spec.region(Cloud.AZURE));
    if (!UkRegions.isAllowed(Cloud.AZURE, backupRegion, spec.residency)) {
      throw BackboneError.of('backup.region', `"${backupRegion}" is not allowed under residency ${spec.residency} (allowed: ${UkRegions.allowedRegions(Cloud.AZURE, spec.residency).join(', ')})`);
    }

    this.retention = retention;
    this.odsCode = odsCode;
    this.storeName = retention.store.name;
    this.store = retention.store;
    this.retentionDays = retention.days;
    this.locked = retention.locked;
    this.immutabilityScope = retention.scope;
    const location = spec.region(Cloud.AZURE);
    const tags = storeTags(spec.tagsFor(odsCode), retention);

    this.accountName = spec.naming.trust(odsCode, this.storeName, NameKind.AZURE_STORAGE_ACCOUNT);
    const { account, identity } = secureAccount(this, {
      name: this.accountName,
      resourceGroupName: props.resourceGroupName,
      location,
      tags,
      replication: replicationFor(location),
      key: props.encryptionKey,
      identityName: spec.naming.trust(odsCode, `${this.storeName}-cmk-id`),
      identityResourceGroupName: props.resourceGroupName,
      accountImmutability: retention.scope === ImmutabilityScope.VERSION ? { days: retention.days, allowProtectedAppendWrites: false } : undefined,
      softDeleteDays: 365,
      changeFeed: true,
    });
    this.storageAccount = account;
    this.encryptionIdentity = identity;
    this.accountId = account.id;
    this.blobEndpoint = account.primaryBlobEndpoint;

    const c = immutableContainer(this, 'Container', {
      name: RECORDS_CONTAINER,
      accountId: account.id,
      days: retention.days,
      locked: retention.locked,
      metadata: retention.metadata,
    });
    this.container = c.container;
    this.containerName = c.container.name;
    this.containerId = c.container.id;
    this.retentionPolicy = c.policy;

    coldTierPolicy(this, 'Lifecycle', account.id, retention.store.coldAfterDays);

    this.privateEndpoint = blobPrivateEndpoint(this, 'PrivateEndpoint', {
      name: spec.naming.trust(odsCode, `${this.storeName}-pe`),
      nicName: spec.naming.trust(odsCode, `${this.storeName}-pe-nic`),
      connectionName: spec.naming.trust(odsCode, `${this.storeName}-psc`),
      resourceGroupName: props.resourceGroupName,
      location,
      subnetId: props.privateEndpointSubnetId,
      accountId: account.id,
      privateDnsZoneId: props.privateDnsZoneId,
      tags,
    });

    blobDiagnostics(this, 'Diagnostics', account.id, {
      logAnalyticsWorkspaceId: props.logAnalyticsWorkspaceId,
      storageAccountId: props.logStorageAccountId,
    });

    this.backup = new StoreBackupCopy(this, 'Backup', {
      spec,
      odsCode,
      source: this,
      resourceGroupName: props.backup.resourceGroupName ?? props.resourceGroupName,
      encryptionKey: props.backup.encryptionKey,
      region: backupRegion,
      privateEndpointSubnetId: props.privateEndpointSubnetId,
      privateEndpointResourceGroupName: props.resourceGroupName,
      privateDnsZoneId: props.privateDnsZoneId,
      logAnalyticsWorkspaceId: props.logAnalyticsWorkspaceId,
      // Azure Monitor writes only to an archive account in the monitored account's region.
      logStorageAccountId: backupRegion === location ? props.logStorageAccountId : undefined,
    });
  }

  /**
   * Lets a workload identity of the same trust read the store's records:
   * Storage Blob Data Reader on the `records` container only.
   */
  public grantRead(grantee: IWorkloadIdentity): void {
    this.grant(grantee, AzureBuiltInRole.STORAGE_BLOB_DATA_READER);
  }

  /**
   * Lets a workload identity of the same trust read and write records
   * (Storage Blob Data Contributor on the `records` container only). Writes
   * never shorten the lock: overwrites make new versions and deletes of
   * locked versions fail.
   */
  public grantReadWrite(grantee: IWorkloadIdentity): void {
    this.grant(grantee, AzureBuiltInRole.STORAGE_BLOB_DATA_CONTRIBUTOR);
  }

  /** The category, years and lock of the store, in words (for reports). */
  public describeRetention(): string {
    const r = this.retention;
    return `${r.category.title}: locked ${r.store.years} years (${r.days} days, ${r.store.lockMode} mode, ${r.scope}-level WORM); the rule is ${r.category.rule}`;
  }

  private grant(grantee: IWorkloadIdentity, role: AzureBuiltInRole): void {
    if (grantee && typeof grantee === 'object' && typeof (grantee as IWorkloadIdentity).odsCode === 'string' && grantee.odsCode !== this.odsCode) {
      throw BackboneError.of('grantee', `the identity of app ${grantee.appName} acts for trust ${grantee.odsCode}, not ${this.odsCode}: a trust's records are granted only to identities of that trust`);
    }
    grantRole(this, grantee, role, this.containerId, `container ${RECORDS_CONTAINER} of store ${this.storeName} (${this.accountName})`);
  }
}
