import { KeyVault } from '@cdktf/provider-azurerm/lib/key-vault';
import { KeyVaultKey } from '@cdktf/provider-azurerm/lib/key-vault-key';
import { PrivateEndpoint } from '@cdktf/provider-azurerm/lib/private-endpoint';
import { Construct } from 'constructs';
import { diagnostics, privateEndpoint } from './internal';
import { rotationPolicy } from '../identity/key-rotation';
import { KeyRotationOptions } from '../identity/trust-key-vault';

/** Options of an imaging network's vault. @internal */
export interface NetworkKeyVaultOptions extends KeyRotationOptions {
  readonly vaultName: string;
  readonly keyName: string;
  readonly endpointName: string;
  readonly resourceGroupName: string;
  readonly location: string;
  readonly tenantId: string;
  readonly subnetId: string;
  readonly zoneId: string;
  readonly workspaceId: string;
  readonly tags: { [key: string]: string };
}

/**
 * The Key Vault and customer-managed key of an imaging network. The trust
 * vault (TrustKeyVault) names and tags itself after one trust, and an
 * imaging network is owned by an ICB, a trust or the backbone, so the network
 * gets this equivalent: Premium (HSM keys), RBAC, purge protection, 90 days
 * soft delete, public network access off and ACLs default Deny (trusted Azure
 * services bypass: the DICOM service and Storage reach the key that way), a
 * private endpoint in the hub's vaultcore zone, AuditEvent to the central
 * workspace, and one RSA-HSM 3072 key (the DICOM service takes 2048 or 3072)
 * with an automatic rotation policy. Vault and key are prevent_destroy.
 * @internal
 */
export class NetworkKeyVault extends Construct {
  public readonly vault: KeyVault;
  public readonly key: KeyVaultKey;
  public readonly endpoint: PrivateEndpoint;

  constructor(scope: Construct, id: string, o: NetworkKeyVaultOptions) {
    super(scope, id);
    const r = rotationPolicy(o);
    this.vault = new KeyVault(this, 'Resource', {
      name: o.vaultName,
      resourceGroupName: o.resourceGroupName,
      location: o.location,
      tenantId: o.tenantId,
      skuName: 'premium',
      rbacAuthorizationEnabled: true,
      purgeProtectionEnabled: true,
      softDeleteRetentionDays: 90,
      publicNetworkAccessEnabled: false,
      enabledForDeployment: false,
      enabledForTemplateDeployment: false,
      enabledForDiskEncryption: false,
      networkAcls: { defaultAction: 'Deny', bypass: 'AzureServices' },
      tags: o.tags,
      lifecycle: { preventDestroy: true },
    });
    this.endpoint = privateEndpoint(this, 'PrivateEndpoint', {
      name: o.endpointName,
      resourceGroupName: o.resourceGroupName,
      location: o.location,
      subnetId: o.subnetId,
      resourceId: this.vault.id,
      subresource: 'vault',
      zoneIds: [o.zoneId],
      tags: o.tags,
    });
    diagnostics(this, 'AuditLog', this.vault.id, o.workspaceId, [{ category: 'AuditEvent' }], true);
    this.key = new KeyVaultKey(this, 'Key', {
      name: o.keyName,
      keyVaultId: this.vault.id,
      keyType: 'RSA-HSM',
      keySize: 3072,
      keyOpts: ['wrapKey', 'unwrapKey', 'encrypt', 'decrypt'],
      rotationPolicy: {
        automatic: { timeAfterCreation: `P${r.rotateAfter}D` },
        expireAfter: `P${r.expireAfter}D`,
        notifyBeforeExpiry: `P${r.notifyBefore}D`,
      },
      tags: { ...o.tags, 'data-class': 'imaging' },
      // The key is created through the vault's data plane: its endpoint first.
      dependsOn: [this.endpoint],
      lifecycle: { preventDestroy: true },
    });
  }
}
