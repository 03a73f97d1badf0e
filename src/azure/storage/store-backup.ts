import { PrivateEndpoint } from '@cdktf/provider-azurerm/lib/private-endpoint';
import { StorageAccount } from '@cdktf/provider-azurerm/lib/storage-account';
import { StorageContainer } from '@cdktf/provider-azurerm/lib/storage-container';
import { StorageContainerImmutabilityPolicy } from '@cdktf/provider-azurerm/lib/storage-container-immutability-policy';
import { StorageObjectReplication } from '@cdktf/provider-azurerm/lib/storage-object-replication';
import { Construct } from 'constructs';
import {
  blobDiagnostics, blobPrivateEndpoint, coldTierPolicy, immutableContainer, replicationFor, requireBlobZone, requireString, secureAccount,
} from './account';
import type { ClinicalStore } from './clinical-store';
import { RECORDS_CONTAINER, storeRetention, storeTags } from './store-retention';
import { ImmutabilityScope } from './types';
import { BackboneSpec } from '../../core/backbone-spec';
import { BackboneError } from '../../core/errors';
import { NameKind } from '../../core/naming';
import { Cloud, UkRegions } from '../../core/regions';
import { VaultKey } from '../identity/trust-key-vault';

/** Props of a clinical store's immutable second copy. */
export interface StoreBackupCopyProps {
  /** The validated backbone spec. */
  readonly spec: BackboneSpec;
  /** The trust's ODS code. */
  readonly odsCode: string;
  /** The store that is copied. */
  readonly source: ClinicalStore;
  /** The copy's resource group (usually the trust's), as a plain name. */
  readonly resourceGroupName: string;
  /** The copy's customer-managed key: a key of its own in the trust's vault. */
  readonly encryptionKey: VaultKey;
  /**
   * The copy's region; it must be allowed under the spec's residency.
   * @default - spec.storage.backup.azureRegion
   */
  readonly region?: string;
  /** The subnet of the copy's private endpoint (the trust's DATA subnet), for restores. */
  readonly privateEndpointSubnetId: string;
  /** The resource group of that private endpoint (the trust's, where its VNet is). */
  readonly privateEndpointResourceGroupName: string;
  /** ID of the hub's `privatelink.blob.core.windows.net` private DNS zone. */
  readonly privateDnsZoneId: string;
  /** The hub's Log Analytics workspace (the copy's blob logs go there). */
  readonly logAnalyticsWorkspaceId: string;
  /**
   * An archive account in the copy's region that also receives its logs.
   * @default - the workspace only (Azure Monitor writes to accounts in the monitored region only)
   */
  readonly logStorageAccountId?: string;
}

/**
 * A clinical store's immutable second copy (3-2-1: a second account, a
 * second region, a second key, immutable): a StorageV2 account in the backup
 * region (ukwest by default, the paired UK region) hardened like the store,
 * encrypted with its own customer-managed key, with a `records` container
 * under the same locked retention as the store, fed by object replication
 * of every blob version (existing ones too). Deletes and overwrites in the
 * store do not reach locked versions in the copy, and nobody can write to a
 * replication destination container directly. Reached for restores through
 * a private endpoint in the trust's DATA subnet. prevent_destroy on the
 * account, container, policy, key identity, key grant and replication policy.
 */
export class StoreBackupCopy extends Construct {
  /** The copy's storage account. */
  public readonly storageAccount: StorageAccount;
  /** Its name. */
  public readonly accountName: string;
  /** Its Azure resource ID. */
  public readonly accountId: string;
  /** Its region. */
  public readonly region: string;
  /** Its `records` container. */
  public readonly container: StorageContainer;
  /** The container's retention policy (the store's period and lock). */
  public readonly retentionPolicy: StorageContainerImmutabilityPolicy;
  /** The object replication policy from the store. */
  public readonly replication: StorageObjectReplication;
  /** The private endpoint for restores. */
  public readonly privateEndpoint: PrivateEndpoint;

  constructor(scope: Construct, id: string, props: StoreBackupCopyProps) {
    super(scope, id);
    const { spec, odsCode, source } = props;
    spec.trust(odsCode);
    for (const p of ['resourceGroupName', 'privateEndpointSubnetId', 'privateEndpointResourceGroupName', 'logAnalyticsWorkspaceId'] as const) requireString(p, props[p]);
    requireBlobZone('privateDnsZoneId', props.privateDnsZoneId);
    if (!(props.encryptionKey instanceof VaultKey)) {
      throw BackboneError.of('encryptionKey', 'is not a VaultKey of the trust\'s vault (use vault.addKey(\'backup\'))');
    }
    this.region = props.region ?? spec.storage.backup?.azureRegion ?? UkRegions.pairedRegion(Cloud.AZURE, spec.region(Cloud.AZURE));
    if (!UkRegions.isAllowed(Cloud.AZURE, this.region, spec.residency)) {
      throw BackboneError.of('region', `"${this.region}" is not allowed under residency ${spec.residency} (allowed: ${UkRegions.allowedRegions(Cloud.AZURE, spec.residency).join(', ')})`);
    }
    const retention = storeRetention(source.store);
    const storeName = retention.store.name;
    const tags = { ...storeTags(spec.tagsFor(odsCode), retention), 'backup-of': source.accountName };

    this.accountName = spec.naming.trust(odsCode, `${storeName}-bak`, NameKind.AZURE_STORAGE_ACCOUNT);
    const { account } = secureAccount(this, {
      name: this.accountName,
      resourceGroupName: props.resourceGroupName,
      location: this.region,
      tags,
      replication: replicationFor(this.region),
      key: props.encryptionKey,
      identityName: spec.naming.trust(odsCode, `${storeName}-bak-cmk-id`),
      identityResourceGroupName: props.resourceGroupName,
      accountImmutability: retention.scope === ImmutabilityScope.VERSION ? { days: retention.days, allowProtectedAppendWrites: false } : undefined,
      softDeleteDays: 365,
      // Versioning is on (object replication needs it on both sides); the change feed only on the source.
      changeFeed: false,
    });
    this.storageAccount = account;
    this.accountId = account.id;

    const c = immutableContainer(this, 'Container', {
      name: RECORDS_CONTAINER,
      accountId: account.id,
      days: retention.days,
      locked: retention.locked,
      metadata: { ...retention.metadata, backup_of: source.accountName },
    });
    this.container = c.container;
    this.retentionPolicy = c.policy;
    coldTierPolicy(this, 'Lifecycle', account.id, retention.store.coldAfterDays);

    this.replication = new StorageObjectReplication(this, 'Replication', {
      sourceStorageAccountId: source.accountId,
      destinationStorageAccountId: account.id,
      rules: [{
        sourceContainerName: source.containerName,
        destinationContainerName: c.container.name,
        copyBlobsCreatedAfter: 'Everything',
      }],
      dependsOn: [source.retentionPolicy, c.policy],
      lifecycle: { preventDestroy: true },
    });

    this.privateEndpoint = blobPrivateEndpoint(this, 'PrivateEndpoint', {
      name: spec.naming.trust(odsCode, `${storeName}-bak-pe`),
      nicName: spec.naming.trust(odsCode, `${storeName}-bak-pe-nic`),
      connectionName: spec.naming.trust(odsCode, `${storeName}-bak-psc`),
      resourceGroupName: props.privateEndpointResourceGroupName,
      location: spec.region(Cloud.AZURE),
      subnetId: props.privateEndpointSubnetId,
      accountId: account.id,
      privateDnsZoneId: props.privateDnsZoneId,
      tags,
    });
    blobDiagnostics(this, 'Diagnostics', account.id, {
      logAnalyticsWorkspaceId: props.logAnalyticsWorkspaceId,
      storageAccountId: props.logStorageAccountId,
    });
  }
}
