import { DataAzurermClientConfig } from '@cdktf/provider-azurerm/lib/data-azurerm-client-config';
import { KeyVault } from '@cdktf/provider-azurerm/lib/key-vault';
import { KeyVaultKey } from '@cdktf/provider-azurerm/lib/key-vault-key';
import { MonitorDiagnosticSetting } from '@cdktf/provider-azurerm/lib/monitor-diagnostic-setting';
import { PrivateEndpoint } from '@cdktf/provider-azurerm/lib/private-endpoint';
import { ITerraformDependable, Token } from 'cdktf';
import { Construct } from 'constructs';
import { grantRole } from './grant';
import { rotationPolicy } from './key-rotation';
import { AzureBuiltInRole } from './roles';
import { IWorkloadIdentity } from './workload-identity';
import { BackboneSpec } from '../../core/backbone-spec';
import { BackboneError } from '../../core/errors';
import { NameKind } from '../../core/naming';
import { Cloud } from '../../core/regions';

/** Rotation of a customer-managed key. */
export interface KeyRotationOptions {
  /**
   * Days after a key version is created before Key Vault rotates it
   * automatically. Azure allows no less than 7; the backbone refuses more
   * than 730 (rotate at least every two years).
   * @default 365
   */
  readonly rotationPeriodDays?: number;
  /**
   * Days after creation when a rotated key version expires (it can still
   * decrypt and unwrap, not encrypt). At least 28 (Azure), and at least 7
   * days after the rotation.
   * @default - rotationPeriodDays + 90
   */
  readonly expireAfterDays?: number;
  /**
   * Days before expiry when Key Vault raises its near-expiry event. At least 7
   * and less than expireAfterDays.
   * @default 30
   */
  readonly notifyBeforeExpiryDays?: number;
}

/** Options of a customer-managed key. */
export interface VaultKeyOptions extends KeyRotationOptions {
  /**
   * RSA modulus size of the HSM-protected key: 3072 or 4096.
   * @default 3072
   */
  readonly keySize?: number;
}

/** Props of a customer-managed key in a trust's vault. */
export interface VaultKeyProps extends VaultKeyOptions {
  /** The validated backbone spec. */
  readonly spec: BackboneSpec;
  /** The trust's ODS code. */
  readonly odsCode: string;
  /** The vault's ID. */
  readonly keyVaultId: string;
  /** The data class the key protects (lower-kebab, e.g. `data`, `imaging`); it names the key. */
  readonly dataClass: string;
  /**
   * What must exist before the key can be created (the vault's private endpoint).
   * @default - none
   */
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * A customer-managed key: RSA-HSM (3072 by default) in the trust's Premium
 * vault, rotated automatically by Key Vault's rotation policy, never
 * destroyed by an update (prevent_destroy). Access through grant methods.
 */
export class VaultKey extends Construct {
  /** The key. */
  public readonly resource: KeyVaultKey;
  /** The key's name. */
  public readonly keyName: string;
  /** The versionless key URL (data plane), as CMK settings take it. */
  public readonly versionlessId: string;
  /** The key's versionless Azure resource ID (the scope of grants). */
  public readonly resourceId: string;

  constructor(scope: Construct, id: string, props: VaultKeyProps) {
    super(scope, id);
    const { spec, odsCode } = props;
    if (!/^[a-z][a-z0-9-]{0,29}$/.test(props.dataClass)) {
      throw BackboneError.of('dataClass', `${JSON.stringify(props.dataClass)} is not a data class name (lower-kebab, 1-30 characters, starting with a letter)`);
    }
    const keySize = props.keySize ?? 3072;
    if (keySize !== 3072 && keySize !== 4096) {
      throw BackboneError.of('keySize', `${JSON.stringify(keySize)} is not an allowed RSA key size (3072 or 4096)`);
    }
    const r = rotationPolicy(props);
    this.keyName = spec.naming.trust(odsCode, `${props.dataClass}-cmk`);
    this.resource = new KeyVaultKey(this, 'Resource', {
      name: this.keyName,
      keyVaultId: props.keyVaultId,
      keyType: 'RSA-HSM',
      keySize,
      keyOpts: ['wrapKey', 'unwrapKey', 'encrypt', 'decrypt'],
      rotationPolicy: {
        automatic: { timeAfterCreation: `P${r.rotateAfter}D` },
        expireAfter: `P${r.expireAfter}D`,
        notifyBeforeExpiry: `P${r.notifyBefore}D`,
      },
      tags: { ...spec.tagsFor(odsCode), 'data-class': props.dataClass },
      dependsOn: props.dependsOn,
      lifecycle: { preventDestroy: true },
    });
    this.versionlessId = this.resource.versionlessId;
    this.resourceId = this.resource.resourceVersionlessId;
  }

  /**
   * Lets a workload identity wrap and unwrap data keys with this key
   * (envelope encryption): Key Vault Crypto Service Encryption User on this
   * key only. Refuses anything that is not a backbone WorkloadIdentity.
   */
  public grantEncryptDecrypt(grantee: IWorkloadIdentity): void {
    grantRole(this, grantee, AzureBuiltInRole.KEY_VAULT_CRYPTO_SERVICE_ENCRYPTION_USER, this.resourceId, `key ${this.keyName}`);
  }
}

/** Props of a trust's key vault. */
export interface TrustKeyVaultProps extends VaultKeyOptions {
  /** The validated backbone spec. */
  readonly spec: BackboneSpec;
  /** The trust's ODS code. */
  readonly odsCode: string;
  /** The trust's resource group, as a plain name. */
  readonly resourceGroupName: string;
  /** The subnet of the vault's private endpoint (the trust's DATA subnet). */
  readonly privateEndpointSubnetId: string;
  /** ID of the hub's `privatelink.vaultcore.azure.net` private DNS zone. */
  readonly privateDnsZoneId: string;
  /**
   * Log Analytics workspace the vault's AuditEvent log goes to.
   * @default - no diagnostic setting (Azure keeps no data-plane audit log)
   */
  readonly logAnalyticsWorkspaceId?: string;
  /**
   * The Entra tenant of the vault.
   * @default - the deploying identity's tenant (data azurerm_client_config)
   */
  readonly tenantId?: string;
  /**
   * The data class of the vault's first key.
   * @default "data"
   */
  readonly dataClass?: string;
}

/**
 * A trust's Key Vault and its customer-managed keys.
 *
 * Premium (HSM-backed keys), Azure RBAC authorisation (no access policies),
 * purge protection, soft delete 90 days, public network access off and
 * network ACLs default Deny (trusted Azure services bypass, for CMK), reached
 * through a private endpoint in the trust's subnet registered in the hub's
 * `privatelink.vaultcore.azure.net` zone, AuditEvent to Log Analytics, and
 * prevent_destroy on the vault and on every key. One key per data class
 * (`key` is the first; `addKey` adds more).
 */
export class TrustKeyVault extends Construct {
  /** The vault. */
  public readonly resource: KeyVault;
  /** The vault's name (globally unique, from the spec). */
  public readonly vaultName: string;
  /** The vault's ID. */
  public readonly vaultId: string;
  /** The vault's URI. */
  public readonly vaultUri: string;
  /** The private endpoint. */
  public readonly privateEndpoint: PrivateEndpoint;
  /** The first customer-managed key. */
  public readonly key: VaultKey;
  private readonly spec: BackboneSpec;
  private readonly odsCode: string;
  private readonly keys = new Map<string, VaultKey>();

  constructor(scope: Construct, id: string, props: TrustKeyVaultProps) {
    super(scope, id);
    const { spec, odsCode } = props;
    spec.trust(odsCode);
    for (const p of ['resourceGroupName', 'privateEndpointSubnetId', 'privateDnsZoneId'] as const) {
      const v = props[p];
      if (typeof v !== 'string' || v.trim() === '') throw BackboneError.of(p, `${JSON.stringify(v)} is not set (required)`);
    }
    if (!Token.isUnresolved(props.privateDnsZoneId) && !/\/privateDnsZones\/privatelink\.vaultcore\.azure\.net$/i.test(props.privateDnsZoneId)) {
      throw BackboneError.of('privateDnsZoneId', `"${props.privateDnsZoneId}" is not the ID of a privatelink.vaultcore.azure.net private DNS zone`);
    }
    // Validate the key options before anything is created.
    rotationPolicy(props);
    this.spec = spec;
    this.odsCode = odsCode;
    const tags = spec.tagsFor(odsCode);
    const location = spec.region(Cloud.AZURE);
    const tenantId = props.tenantId ?? new DataAzurermClientConfig(this, 'ClientConfig').tenantId;

    this.vaultName = spec.naming.trust(odsCode, 'kv', NameKind.AZURE_KEY_VAULT);
    this.resource = new KeyVault(this, 'Resource', {
      name: this.vaultName,
      resourceGroupName: props.resourceGroupName,
      location,
      tenantId,
      skuName: 'premium',
      rbacAuthorizationEnabled: true,
      purgeProtectionEnabled: true,
      softDeleteRetentionDays: 90,
      publicNetworkAccessEnabled: false,
      enabledForDeployment: false,
      enabledForTemplateDeployment: false,
      enabledForDiskEncryption: false,
      networkAcls: { defaultAction: 'Deny', bypass: 'AzureServices' },
      tags,
      lifecycle: { preventDestroy: true },
    });
    this.vaultId = this.resource.id;
    this.vaultUri = this.resource.vaultUri;

    this.privateEndpoint = new PrivateEndpoint(this, 'PrivateEndpoint', {
      name: spec.naming.trust(odsCode, 'kv-pe'),
      resourceGroupName: props.resourceGroupName,
      location,
      subnetId: props.privateEndpointSubnetId,
      customNetworkInterfaceName: spec.naming.trust(odsCode, 'kv-pe-nic'),
      privateServiceConnection: {
        name: spec.naming.trust(odsCode, 'kv-psc'),
        privateConnectionResourceId: this.resource.id,
        subresourceNames: ['vault'],
        isManualConnection: false,
      },
      privateDnsZoneGroup: { name: 'vaultcore', privateDnsZoneIds: [props.privateDnsZoneId] },
      tags,
    });

    if (props.logAnalyticsWorkspaceId !== undefined) {
      new MonitorDiagnosticSetting(this, 'AuditLog', {
        name: 'audit-to-log-analytics',
        targetResourceId: this.resource.id,
        logAnalyticsWorkspaceId: props.logAnalyticsWorkspaceId,
        logAnalyticsDestinationType: 'Dedicated',
        enabledLog: [{ category: 'AuditEvent' }],
        enabledMetric: [{ category: 'AllMetrics' }],
      });
    }

    this.key = this.addKey(props.dataClass ?? 'data', {
      keySize: props.keySize,
      rotationPeriodDays: props.rotationPeriodDays,
      expireAfterDays: props.expireAfterDays,
      notifyBeforeExpiryDays: props.notifyBeforeExpiryDays,
    });
  }

  /** The key of a data class; throws if there is none. */
  public keyFor(dataClass: string): VaultKey {
    const k = this.keys.get(dataClass);
    if (!k) throw BackboneError.of('dataClass', `"${dataClass}" has no key in the vault of ${this.odsCode} (keys: ${[...this.keys.keys()].join(', ')})`);
    return k;
  }

  /**
   * Adds a customer-managed key for a data class (e.g. `imaging`). Adding the
   * same data class again returns the same key.
   */
  public addKey(dataClass: string, options: VaultKeyOptions = {}): VaultKey {
    const existing = this.keys.get(dataClass);
    if (existing) return existing;
    const k = new VaultKey(this, `Key-${dataClass}`, {
      ...options,
      spec: this.spec,
      odsCode: this.odsCode,
      keyVaultId: this.resource.id,
      dataClass,
      dependsOn: [this.privateEndpoint],
    });
    this.keys.set(dataClass, k);
    return k;
  }

  /** Grants encrypt/decrypt (wrap/unwrap) on the first key. */
  public grantEncryptDecrypt(grantee: IWorkloadIdentity): void {
    this.key.grantEncryptDecrypt(grantee);
  }
}
