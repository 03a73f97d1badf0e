/**
 * An Azure built-in role the backbone assigns, with its well-known role
 * definition id (the same in every tenant). Grants use these by name; the CI
 * deploy role's condition allows assigning only the data-plane roles below.
 *
 * Ids from Microsoft's "Azure built-in roles" reference; check them with
 * `az role definition list --name "<role>" --query "[].name"`.
 */
export class AzureBuiltInRole {
  /** keys/read, wrapKey, unwrapKey: envelope encryption with a customer-managed key. */
  public static readonly KEY_VAULT_CRYPTO_SERVICE_ENCRYPTION_USER = new AzureBuiltInRole('Key Vault Crypto Service Encryption User', 'e147488a-f6f5-4113-8e2d-b22465e65bf6');
  /** Every key operation except permissions: the deploy pipeline creates keys and rotation policies. */
  public static readonly KEY_VAULT_CRYPTO_OFFICER = new AzureBuiltInRole('Key Vault Crypto Officer', '14b46e9e-c2b7-41b4-b07b-48a6ebf60603');
  /** Read secret contents (e.g. App Service Key Vault references). */
  public static readonly KEY_VAULT_SECRETS_USER = new AzureBuiltInRole('Key Vault Secrets User', '4633458b-17de-408a-b874-0445c86b69e6');
  /** Read blobs. */
  public static readonly STORAGE_BLOB_DATA_READER = new AzureBuiltInRole('Storage Blob Data Reader', '2a2b9908-6ea1-4ae2-8e65-a410df84e7d1');
  /** Read, write and delete blobs. */
  public static readonly STORAGE_BLOB_DATA_CONTRIBUTOR = new AzureBuiltInRole('Storage Blob Data Contributor', 'ba92f5b4-2d11-453d-a403-e96b0029c9fe');
  /** Read DICOM data (QIDO-RS, WADO-RS). */
  public static readonly DICOM_DATA_READER = new AzureBuiltInRole('DICOM Data Reader', 'e89c7a3c-2f64-4fa1-a847-3e4c9ba4283a');
  /** Read, write and delete DICOM data (STOW-RS too). */
  public static readonly DICOM_DATA_OWNER = new AzureBuiltInRole('DICOM Data Owner', '58a3b984-7adf-4c20-983a-32417c86fbc8');
  /** Pull images from a container registry (the DIMSE gateways' identities, on the registry only). */
  public static readonly ACR_PULL = new AzureBuiltInRole('AcrPull', '7f951dda-4ed3-4680-a7ca-43fe172d538d');
  /** Manage resources, not access. The deploy pipeline's role on the backbone's resource groups. */
  public static readonly CONTRIBUTOR = new AzureBuiltInRole('Contributor', 'b24988ac-6180-42a0-ab88-20f7382dd24c');
  /** Assign roles (only those a condition allows). */
  public static readonly ROLE_BASED_ACCESS_CONTROL_ADMINISTRATOR = new AzureBuiltInRole('Role Based Access Control Administrator', 'f58310d9-a9f6-439a-9e8d-f62e7b41a168');
  /** Full access including access management: break-glass only, never an app. */
  public static readonly OWNER = new AzureBuiltInRole('Owner', '8e3af657-a8ff-443c-a75c-2fe8c4bcb635');
  /** Manage access: never given by the backbone. */
  public static readonly USER_ACCESS_ADMINISTRATOR = new AzureBuiltInRole('User Access Administrator', '18d7d88d-d35e-4fb5-a5c3-7773c20a72d9');
  /** Read everything (control plane). */
  public static readonly READER = new AzureBuiltInRole('Reader', 'acdd72a7-3385-48ef-bd42-f606fba81ae7');

  /**
   * The data-plane roles backbone grants give to workload identities (apps
   * and DIMSE gateways), and the only roles the deploy pipeline may assign.
   */
  public static grantable(): AzureBuiltInRole[] {
    return [
      AzureBuiltInRole.KEY_VAULT_CRYPTO_SERVICE_ENCRYPTION_USER,
      AzureBuiltInRole.KEY_VAULT_SECRETS_USER,
      AzureBuiltInRole.STORAGE_BLOB_DATA_READER,
      AzureBuiltInRole.STORAGE_BLOB_DATA_CONTRIBUTOR,
      AzureBuiltInRole.DICOM_DATA_READER,
      AzureBuiltInRole.DICOM_DATA_OWNER,
      AzureBuiltInRole.ACR_PULL,
    ];
  }

  private constructor(
    /** The role's name, as `role_definition_name` takes it. */
    public readonly roleName: string,
    /** The role definition's GUID. */
    public readonly roleId: string,
  ) {}
}
