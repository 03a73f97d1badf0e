import { ForceNewRules } from '../core/diff';

/**
 * The arguments whose change makes the google provider replace a resource
 * (ForceNew), for the stateful types the backbone makes and their projects.
 * Source: terraform-provider-google v7.45.0, the docs
 * (website/docs/r/<type>.html.markdown) and, where the docs are silent, the
 * fields the provider's schema marks ForceNew. `nhs-backbone diff` reports a
 * change of one of them as a replacement.
 * @internal
 */
export const GCP_FORCE_NEW: ForceNewRules = {
  google_project: ['project_id', 'tags'],
  google_storage_bucket: ['name', 'location', 'project', 'enable_object_retention', 'hierarchical_namespace', 'custom_placement_config'],
  google_kms_key_ring: ['name', 'location', 'project'],
  google_kms_crypto_key: ['name', 'key_ring', 'purpose', 'import_only', 'crypto_key_backend', 'destroy_scheduled_duration', 'version_template.protection_level'],
  google_logging_project_bucket_config: ['bucket_id', 'location', 'project'],
  google_healthcare_dataset: ['name', 'location', 'project', 'encryption_spec'],
  google_healthcare_dicom_store: ['name', 'dataset'],
  google_backup_dr_backup_vault: ['backup_vault_id', 'location', 'project'],
  google_bigquery_dataset: ['dataset_id', 'location', 'project', 'external_dataset_reference'],
  google_compute_disk: ['name', 'zone', 'project', 'type', 'image', 'snapshot', 'source_disk', 'disk_encryption_key', 'physical_block_size_bytes', 'storage_pool', 'architecture'],
  google_compute_region_disk: ['name', 'region', 'project', 'type', 'replica_zones', 'snapshot', 'source_disk', 'disk_encryption_key', 'physical_block_size_bytes'],
};

/**
 * Changes that replace only between certain values.
 * @internal
 */
export const GCP_CONDITIONAL_FORCE_NEW: { readonly [type: string]: { readonly [arg: string]: (before: any, after: any) => boolean } } = {
  google_storage_bucket: {
    // Unlocking a locked retention policy is only possible by replacing the bucket (and a locked bucket cannot be deleted while it holds objects).
    'retention_policy.is_locked': (b, a) => isTrue(b) && !isTrue(a),
  },
  google_compute_disk: { size: shrinks },
  google_compute_region_disk: { size: shrinks },
};

function isTrue(v: any): boolean {
  return Array.isArray(v) ? v.some(isTrue) : v === true;
}

function shrinks(b: any, a: any): boolean {
  return typeof b === 'number' && typeof a === 'number' && a < b;
}
