import { MonitorDiagnosticSetting } from '@cdktf/provider-azurerm/lib/monitor-diagnostic-setting';
import { PrivateEndpoint } from '@cdktf/provider-azurerm/lib/private-endpoint';
import { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import { StorageAccount } from '@cdktf/provider-azurerm/lib/storage-account';
import { StorageContainer } from '@cdktf/provider-azurerm/lib/storage-container';
import { StorageContainerImmutabilityPolicy } from '@cdktf/provider-azurerm/lib/storage-container-immutability-policy';
import { StorageManagementPolicy, StorageManagementPolicyRule } from '@cdktf/provider-azurerm/lib/storage-management-policy';
import { UserAssignedIdentity } from '@cdktf/provider-azurerm/lib/user-assigned-identity';
import { Token } from 'cdktf';
import { Construct } from 'constructs';
import { HARDENED_STORAGE_ACCOUNT } from './hardened-account';
import { BackboneError } from '../../core/errors';
import { AzureBuiltInRole } from '../identity/roles';

/** The Private Link DNS zone of Blob storage. @internal */
export const BLOB_PRIVATE_DNS_ZONE = 'privatelink.blob.core.windows.net';

/** The blob service's resource log categories (reads, writes, deletes). @internal */
export const BLOB_LOG_CATEGORIES = ['StorageRead', 'StorageWrite', 'StorageDelete'];

/**
 * Azure regions the residency rules allow that have no availability zones, so
 * no zone-redundant storage (ZRS): accounts there are locally redundant.
 * @internal
 */
const REGIONS_WITHOUT_ZONES = ['ukwest', 'francesouth', 'germanynorth', 'norwaywest'];

/** ZRS where the region has availability zones, LRS where it has none (ukwest). @internal */
export function replicationFor(region: string): string {
  return REGIONS_WITHOUT_ZONES.includes(region) ? 'LRS' : 'ZRS';
}

/** What a customer-managed key setting needs: the key's versionless URL and its resource ID. @internal */
export interface CmkKeyRef {
  /** Versionless key URL (data plane), so Storage follows rotations. */
  readonly versionlessId: string;
  /** Versionless resource ID of the key (the scope of the grant). */
  readonly resourceId: string;
  /** Human-readable name, for the grant's description. */
  readonly keyName: string;
}

/** Options of a hardened StorageV2 account. @internal */
export interface SecureAccountOptions {
  readonly name: string;
  readonly resourceGroupName: string;
  readonly location: string;
  readonly tags: { [key: string]: string };
  /** LRS, ZRS... */
  readonly replication: string;
  /** The customer-managed key. */
  readonly key: CmkKeyRef;
  /** Name of the user-assigned identity that unwraps the key. */
  readonly identityName: string;
  /** Resource group of that identity. */
  readonly identityResourceGroupName: string;
  /**
   * Account-level version-level immutability (a default time-based policy on
   * every blob version), when given. Created Unlocked: azurerm (and the
   * Storage API) refuse an account created with a Locked policy.
   */
  readonly accountImmutability?: { readonly days: number; readonly allowProtectedAppendWrites: boolean };
  /** Days deleted blobs and containers stay recoverable (soft delete), 1-365. */
  readonly softDeleteDays: number;
  /** Keep the change feed (needed by object replication). */
  readonly changeFeed: boolean;
  /**
   * Days the change feed is kept.
   * @default - for ever
   */
  readonly changeFeedRetentionDays?: number;
}

/** A hardened account and the identity that unwraps its key. @internal */
export interface SecureAccount {
  readonly account: StorageAccount;
  readonly identity: UserAssignedIdentity;
  readonly keyGrant: RoleAssignment;
}

/**
 * A StorageV2 account the way the backbone makes every one: encrypted with a
 * customer-managed key (versionless, so rotations are followed) through a
 * user-assigned identity that holds Key Vault Crypto Service Encryption User
 * on that key only, infrastructure (double) encryption, queue and table data
 * under the same key, public network access off and network rules default
 * Deny (trusted Azure services bypass, for replication and diagnostics), no
 * anonymous access, no shared keys (Entra ID only, OAuth by default), HTTPS
 * and TLS 1.2 only, no cross-tenant replication, no SFTP or local users,
 * blob versioning and soft delete. The account, its identity and the key
 * grant are protected from destroy: without them the data cannot be read.
 * @internal
 */
export function secureAccount(scope: Construct, o: SecureAccountOptions): SecureAccount {
  const identity = new UserAssignedIdentity(scope, 'EncryptionIdentity', {
    name: o.identityName,
    resourceGroupName: o.identityResourceGroupName,
    location: o.location,
    tags: { ...o.tags, 'backbone-principal': 'storage-encryption' },
    lifecycle: { preventDestroy: true },
  });
  const keyGrant = new RoleAssignment(scope, 'EncryptionKeyGrant', {
    scope: o.key.resourceId,
    roleDefinitionName: AzureBuiltInRole.KEY_VAULT_CRYPTO_SERVICE_ENCRYPTION_USER.roleName,
    principalId: identity.principalId,
    principalType: 'ServicePrincipal',
    skipServicePrincipalAadCheck: true,
    description: `Key Vault Crypto Service Encryption User on key ${o.key.keyName} for storage account ${o.name} (customer-managed key), granted by nhs-backbone`,
    lifecycle: { preventDestroy: true },
  });
  const account = new StorageAccount(scope, 'Resource', {
    name: o.name,
    resourceGroupName: o.resourceGroupName,
    location: o.location,
    ...HARDENED_STORAGE_ACCOUNT,
    networkRules: { ...HARDENED_STORAGE_ACCOUNT.networkRules, bypass: [...HARDENED_STORAGE_ACCOUNT.networkRules.bypass] },
    accountReplicationType: o.replication,
    isHnsEnabled: false,
    identity: { type: 'UserAssigned', identityIds: [identity.id] },
    customerManagedKey: { keyVaultKeyId: o.key.versionlessId, userAssignedIdentityId: identity.id },
    immutabilityPolicy: o.accountImmutability ? {
      state: 'Unlocked',
      periodSinceCreationInDays: o.accountImmutability.days,
      allowProtectedAppendWrites: o.accountImmutability.allowProtectedAppendWrites,
    } : undefined,
    blobProperties: {
      versioningEnabled: true,
      changeFeedEnabled: o.changeFeed,
      changeFeedRetentionInDays: o.changeFeed ? o.changeFeedRetentionDays : undefined,
      // Last access tracking and point-in-time restore are incompatible with immutable storage.
      lastAccessTimeEnabled: false,
      deleteRetentionPolicy: { days: o.softDeleteDays, permanentDeleteEnabled: false },
      containerDeleteRetentionPolicy: { days: o.softDeleteDays },
    },
    tags: o.tags,
    // The key must be usable before the account is encrypted with it.
    dependsOn: [keyGrant],
    lifecycle: { preventDestroy: true },
  });
  return { account, identity, keyGrant };
}

/** Options of a private container with a time-based retention policy. @internal */
export interface ImmutableContainerOptions {
  readonly name: string;
  readonly accountId: string;
  readonly days: number;
  /** Locked (compliance: nobody can shorten or remove it) or unlocked (governance). */
  readonly locked: boolean;
  /** Let new blocks be added to append and block blobs (log writers). */
  readonly protectedAppendWritesAll?: boolean;
  readonly metadata?: { [key: string]: string };
}

/**
 * A private container (made through Azure Resource Manager, so no data-plane
 * access is needed) and its time-based retention policy, both protected from
 * destroy. In an account with version-level immutability the policy is the
 * container's default version-level policy; otherwise it is a container-level
 * (WORM) policy. azurerm creates it and, when `locked`, locks it in the same apply.
 * @internal
 */
export function immutableContainer(
  scope: Construct, id: string, o: ImmutableContainerOptions,
): { container: StorageContainer; policy: StorageContainerImmutabilityPolicy } {
  const container = new StorageContainer(scope, id, {
    name: o.name,
    storageAccountId: o.accountId,
    containerAccessType: 'private',
    metadata: o.metadata,
    lifecycle: { preventDestroy: true },
  });
  const policy = new StorageContainerImmutabilityPolicy(scope, `${id}Immutability`, {
    storageContainerResourceManagerId: container.id,
    immutabilityPeriodInDays: o.days,
    locked: o.locked,
    protectedAppendWritesAllEnabled: o.protectedAppendWritesAll ?? false,
    lifecycle: { preventDestroy: true },
  });
  return { container, policy };
}

/**
 * A lifecycle management policy: block blobs (and their previous versions)
 * move to the Cold tier after `coldAfterDays`; nothing is deleted unless
 * `deleteAfterDays` is given.
 * @internal
 */
export function coldTierPolicy(
  scope: Construct, id: string, accountId: string, coldAfterDays: number, deleteAfterDays?: number,
): StorageManagementPolicy {
  const rules: StorageManagementPolicyRule[] = [{
    name: `cold-after-${coldAfterDays}-days`,
    enabled: true,
    filters: { blobTypes: ['blockBlob'] },
    actions: {
      baseBlob: { tierToColdAfterDaysSinceModificationGreaterThan: coldAfterDays },
      version: { tierToColdAfterDaysSinceCreationGreaterThan: coldAfterDays },
    },
  }];
  if (deleteAfterDays !== undefined) {
    rules.push({
      name: `delete-after-${deleteAfterDays}-days`,
      enabled: true,
      filters: { blobTypes: ['blockBlob', 'appendBlob'] },
      actions: {
        baseBlob: { deleteAfterDaysSinceModificationGreaterThan: deleteAfterDays },
        version: { deleteAfterDaysSinceCreation: deleteAfterDays },
      },
    });
  }
  return new StorageManagementPolicy(scope, id, { storageAccountId: accountId, rule: rules });
}

/** Where a blob service's logs go. @internal */
export interface BlobDiagnosticsTarget {
  readonly logAnalyticsWorkspaceId: string;
  /** An archive account in the same region as the monitored account (Azure Monitor requires it). */
  readonly storageAccountId?: string;
}

/** StorageRead/StorageWrite/StorageDelete and transaction metrics of an account's blob service. @internal */
export function blobDiagnostics(scope: Construct, id: string, accountId: string, to: BlobDiagnosticsTarget): MonitorDiagnosticSetting {
  return new MonitorDiagnosticSetting(scope, id, {
    name: 'to-central-log-store',
    targetResourceId: `${accountId}/blobServices/default`,
    logAnalyticsWorkspaceId: to.logAnalyticsWorkspaceId,
    storageAccountId: to.storageAccountId,
    enabledLog: BLOB_LOG_CATEGORIES.map((category) => ({ category })),
    enabledMetric: [{ category: 'Transaction' }],
  });
}

/** Options of a blob private endpoint. @internal */
export interface BlobPrivateEndpointOptions {
  readonly name: string;
  readonly nicName: string;
  readonly connectionName: string;
  readonly resourceGroupName: string;
  /** The region of the subnet's VNet. */
  readonly location: string;
  readonly subnetId: string;
  readonly accountId: string;
  readonly privateDnsZoneId: string;
  readonly tags: { [key: string]: string };
}

/** A private endpoint (sub-resource `blob`) registered in the blob Private Link zone. @internal */
export function blobPrivateEndpoint(scope: Construct, id: string, o: BlobPrivateEndpointOptions): PrivateEndpoint {
  return new PrivateEndpoint(scope, id, {
    name: o.name,
    resourceGroupName: o.resourceGroupName,
    location: o.location,
    subnetId: o.subnetId,
    customNetworkInterfaceName: o.nicName,
    privateServiceConnection: {
      name: o.connectionName,
      privateConnectionResourceId: o.accountId,
      subresourceNames: ['blob'],
      isManualConnection: false,
    },
    privateDnsZoneGroup: { name: 'blob', privateDnsZoneIds: [o.privateDnsZoneId] },
    tags: o.tags,
  });
}

/** Refuses an empty string prop, naming it. @internal */
export function requireString(path: string, v: unknown): void {
  if (typeof v !== 'string' || v.trim() === '') throw BackboneError.of(path, `${JSON.stringify(v)} is not set (required)`);
}

/** Refuses a private DNS zone ID that is not the blob Private Link zone. @internal */
export function requireBlobZone(path: string, zoneId: string): void {
  requireString(path, zoneId);
  if (!Token.isUnresolved(zoneId) && !/\/privateDnsZones\/privatelink\.blob\.core\.windows\.net$/i.test(zoneId)) {
    throw BackboneError.of(path, `"${zoneId}" is not the ID of a ${BLOB_PRIVATE_DNS_ZONE} private DNS zone`);
  }
}
