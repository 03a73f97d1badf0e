import { Cloud } from './regions';

/**
 * The resource types that hold data or the means to read it (stores, keys,
 * DICOM stores, log archives, backup vaults), per cloud. The backbone never
 * lets an update destroy or replace one of these: on AWS they carry
 * `DeletionPolicy: Retain` and `UpdateReplacePolicy: Retain`; on Terraform,
 * `lifecycle.prevent_destroy`. Tests scan whole synthesised backbones against
 * this list, and `nhs-backbone diff --fail-on-destroy` uses it.
 *
 * Types are the CloudFormation type on AWS and the Terraform resource type on
 * Azure and Google Cloud.
 */
export class StatefulResources {
  /** The stateful resource types of a cloud. */
  public static typesOf(cloud: Cloud): string[] {
    return [...TYPES[cloud]];
  }

  /** True when a resource of this type on this cloud holds data or keys. */
  public static isStateful(cloud: Cloud, type: string): boolean {
    return TYPES[cloud].includes(type);
  }

  private constructor() {}
}

const TYPES: Record<Cloud, readonly string[]> = {
  [Cloud.AWS]: [
    'AWS::S3::Bucket',
    'AWS::KMS::Key',
    'AWS::Logs::LogGroup',
    'AWS::Backup::BackupVault',
    'AWS::HealthImaging::Datastore',
    'AWS::DynamoDB::Table',
    'AWS::RDS::DBInstance',
    'AWS::RDS::DBCluster',
    'AWS::EFS::FileSystem',
  ],
  [Cloud.AZURE]: [
    'azurerm_storage_account',
    'azurerm_storage_container',
    'azurerm_storage_share',
    'azurerm_storage_container_immutability_policy',
    'azurerm_key_vault',
    'azurerm_key_vault_key',
    'azurerm_log_analytics_workspace',
    'azurerm_data_protection_backup_vault',
    'azurerm_recovery_services_vault',
    'azurerm_healthcare_workspace',
    'azurerm_healthcare_dicom_service',
  ],
  [Cloud.GCP]: [
    'google_storage_bucket',
    'google_kms_key_ring',
    'google_kms_crypto_key',
    'google_logging_project_bucket_config',
    'google_healthcare_dataset',
    'google_healthcare_dicom_store',
    'google_backup_dr_backup_vault',
    'google_bigquery_dataset',
    'google_compute_disk',
    'google_compute_region_disk',
  ],
};
