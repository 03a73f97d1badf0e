import { ForceNewRules } from '../core/diff';

/**
 * The arguments whose change makes azurerm replace a resource (ForceNew),
 * for the stateful types the backbone makes and their resource groups.
 * Source: terraform-provider-azurerm v4.81.0, website/docs/r/<type>.html.markdown
 * ("Changing this forces a new resource to be created"), checked against the
 * provider's schema. `nhs-backbone diff` reports a change of one of them as
 * a replacement.
 * @internal
 */
export const AZURE_FORCE_NEW: ForceNewRules = {
  azurerm_resource_group: ['name', 'location'],
  azurerm_storage_account: [
    'name', 'resource_group_name', 'location', 'account_tier', 'edge_zone', 'is_hns_enabled', 'nfsv3_enabled',
    'queue_encryption_key_type', 'table_encryption_key_type', 'infrastructure_encryption_enabled',
    'immutability_policy', 'dns_endpoint_type', 'provisioned_billing_model_version',
  ],
  azurerm_storage_container: ['name', 'storage_account_id', 'storage_account_name', 'default_encryption_scope', 'encryption_scope_override_enabled'],
  azurerm_storage_share: ['name', 'storage_account_id', 'storage_account_name', 'enabled_protocol'],
  azurerm_storage_container_immutability_policy: ['storage_container_resource_manager_id'],
  azurerm_key_vault: ['name', 'location', 'resource_group_name'],
  azurerm_key_vault_key: ['name', 'key_vault_id', 'key_type', 'key_size', 'curve', 'release_policy'],
  azurerm_log_analytics_workspace: ['name', 'resource_group_name', 'location'],
  azurerm_data_protection_backup_vault: ['name', 'resource_group_name', 'location', 'datastore_type', 'redundancy'],
  azurerm_recovery_services_vault: ['name', 'resource_group_name', 'location', 'classic_vmware_replication_enabled'],
  azurerm_healthcare_workspace: ['name', 'resource_group_name', 'location'],
  azurerm_healthcare_dicom_service: ['name', 'workspace_id', 'location', 'data_partitions_enabled', 'storage'],
};

const ZONE_REDUNDANT = /^(ZRS|GZRS|RAGZRS)$/;

/**
 * Changes that replace only between certain values.
 * @internal
 */
export const AZURE_CONDITIONAL_FORCE_NEW: { readonly [type: string]: { readonly [arg: string]: (before: any, after: any) => boolean } } = {
  azurerm_storage_account: {
    // LRS/GRS/RAGRS <-> ZRS/GZRS/RAGZRS replaces; within a family it updates.
    account_replication_type: (b, a) => typeof b === 'string' && typeof a === 'string' && ZONE_REDUNDANT.test(b) !== ZONE_REDUNDANT.test(a),
    // Storage -> StorageV2 is an in-place upgrade; any other change of kind replaces.
    account_kind: (b, a) => b !== a && !((b ?? 'StorageV2') === 'Storage' && a === 'StorageV2') && (b ?? 'StorageV2') !== (a ?? 'StorageV2'),
  },
  azurerm_key_vault_key: {
    // Removing an expiry date replaces the key.
    expiration_date: (b, a) => b !== undefined && a === undefined,
  },
  azurerm_log_analytics_workspace: {
    sku: (b, a) => b !== a && !(['PerGB2018', 'CapacityReservation'].includes(b ?? 'PerGB2018') && ['PerGB2018', 'CapacityReservation'].includes(a ?? 'PerGB2018')),
  },
};
