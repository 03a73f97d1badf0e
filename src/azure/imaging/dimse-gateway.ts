import { ContainerGroup } from '@cdktf/provider-azurerm/lib/container-group';
import { DataAzurermKeyVaultSecret } from '@cdktf/provider-azurerm/lib/data-azurerm-key-vault-secret';
import { DataAzurermUserAssignedIdentity } from '@cdktf/provider-azurerm/lib/data-azurerm-user-assigned-identity';
import { NetworkSecurityGroup } from '@cdktf/provider-azurerm/lib/network-security-group';
import { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import { StorageAccount } from '@cdktf/provider-azurerm/lib/storage-account';
import { StorageShare } from '@cdktf/provider-azurerm/lib/storage-share';
import { UserAssignedIdentity } from '@cdktf/provider-azurerm/lib/user-assigned-identity';
import { Fn, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { IDicomStore } from './dicom-store';
import { DICOM_AUDIENCE, diagnostics, markGatewayIdentity, privateEndpoint, replicationFor, requireId, SUBNET_ID, WORKSPACE_ID, ZONE, zoneId } from './internal';
import { BackboneSpec } from '../../core/backbone-spec';
import { BackboneError } from '../../core/errors';
import { NameKind } from '../../core/naming';
import { Cloud } from '../../core/regions';
import { OrthancGatewayConfig } from '../../imaging/orthanc-gateway';
import { markWorkloadIdentity } from '../identity/grant';
import { AzureBuiltInRole } from '../identity/roles';
import { IWorkloadIdentity } from '../identity/workload-identity';
import { denyByDefaultNsg } from '../network/nsg';
import { SpokeInboundRule } from '../network/spoke-subnet';
import { HARDENED_STORAGE_ACCOUNT } from '../storage/hardened-account';

/** Names of the gateway's DICOM TLS secrets in the trust's Key Vault (PEM text). */
export interface DimseTlsSecretNames {
  /**
   * The gateway's certificate (mounted as `gateway.crt`).
   * @default "dimse-gateway-crt"
   */
  readonly certificate?: string;
  /**
   * The gateway's private key (mounted as `gateway.key`).
   * @default "dimse-gateway-key"
   */
  readonly privateKey?: string;
  /**
   * The CA that signs the trust's modalities' certificates (mounted as `modalities-ca.crt`).
   * @default "dimse-modalities-ca-crt"
   */
  readonly modalitiesCa?: string;
}

/** An existing Azure Container Registry the DIMSE gateways pull their image from. */
export interface AzureContainerRegistryRef {
  /** The registry's name (5-50 letters and digits); its login server is `<name>.azurecr.io`. */
  readonly name: string;
  /** Its resource group. */
  readonly resourceGroupName: string;
  /**
   * Its subscription.
   * @default - the backbone's subscription
   */
  readonly subscriptionId?: string;
}

/** Props of a trust's DIMSE gateway on Azure. */
export interface DimseGatewayProps {
  /** The validated backbone spec. */
  readonly spec: BackboneSpec;
  /** The trust (it must have modalities in `imaging.modalities`). */
  readonly odsCode: string;
  /** The DICOM store of the trust's imaging network: the gateway forwards to it and is granted DICOM write on it. */
  readonly dicomStore: IDicomStore;
  /** The trust's resource group, as a plain name. */
  readonly resourceGroupName: string;
  /**
   * The subnet the container group runs in: the trust spoke's IMAGING subnet.
   * It must be delegated to `Microsoft.ContainerInstance/containerGroups`
   * (DimseGateway.SUBNET_DELEGATION) and then holds container groups only.
   */
  readonly subnetId: string;
  /** The subnet of the spool account's private endpoint (the trust's DATA subnet). */
  readonly privateEndpointSubnetId: string;
  /** IDs of the hub's Private Link DNS zones; must include `privatelink.file.core.windows.net`. */
  readonly privateDnsZoneIds: string[];
  /**
   * The trust's customer-managed key (e.g. the `imaging` key of its
   * TrustKeyVault), as a versionless key URL: it encrypts the spool account
   * and the container group's deployment data (its secret volumes).
   */
  readonly customerManagedKeyId: string;
  /** The same key's versionless Azure resource ID (the scope of the gateway identity's key grant). */
  readonly customerManagedKeyResourceId: string;
  /** The Azure Container Registry's login server, e.g. `nhsbackbone.azurecr.io`; the image is pulled with the gateway's managed identity. */
  readonly registryServer: string;
  /**
   * The gateway image, built from docker/orthanc-gateway/Dockerfile and pushed to the registry.
   * @default - `<registryServer>/nhs-backbone/orthanc-gateway:1.10.1`
   */
  readonly image?: string;
  /**
   * The registry's resource ID: when given, the gateway identity gets AcrPull on it.
   * @default - no grant here: give the identity AcrPull on the registry yourself
   */
  readonly registryId?: string;
  /**
   * The Key Vault holding the DICOM TLS certificate, key and modality CA
   * (the trust's TrustKeyVault). Required when the spec's gateway TLS is on.
   * @default - none (only allowed with `imaging.gateway.tls: false`)
   */
  readonly tlsKeyVaultId?: string;
  /**
   * The TLS secrets' names in that vault.
   * @default - dimse-gateway-crt, dimse-gateway-key, dimse-modalities-ca-crt
   */
  readonly tlsSecretNames?: DimseTlsSecretNames;
  /**
   * The central Log Analytics workspace: the container group's and the spool share's logs go there.
   * @default - no diagnostic settings
   */
  readonly logAnalyticsWorkspaceId?: string;
  /**
   * Make a deny-by-default NSG with the modality rule (DimseGateway.inboundRules)
   * and associate it with the subnet. Leave false when the subnet is the
   * spoke's IMAGING subnet: its NSG must carry those rules instead (a subnet
   * has one NSG).
   * @default false
   */
  readonly manageNetworkSecurityGroup?: boolean;
  /**
   * vCPUs of the container (0.5 to 4).
   * @default 1
   */
  readonly cpu?: number;
  /**
   * Memory of the container in GB (0.5 to 16).
   * @default 2
   */
  readonly memoryGb?: number;
  /**
   * Size of the spool share where instances wait until the store accepts them, in GiB (1 to 5120).
   * @default 100
   */
  readonly spoolQuotaGib?: number;
  /**
   * Seconds between retries of the instances waiting.
   * @default 30
   */
  readonly retrySeconds?: number;
}

/**
 * A trust's DIMSE-to-DICOMweb gateway on Azure: Orthanc (the image built from
 * docker/orthanc-gateway/Dockerfile) in an Azure Container Instances
 * container group with a private IP only, in the trust's IMAGING subnet
 * (delegated to Microsoft.ContainerInstance/containerGroups), running as a
 * user-assigned managed identity that pulls the image, gets its DICOM tokens
 * from the instance metadata endpoint and holds `DICOM Data Owner` on the
 * network's DICOM service only.
 *
 * Why Container Instances and not Container Apps: the generated
 * configuration checks each modality's source address
 * (`DicomCheckModalityHost`), and DIMSE is plain TCP. A container group in a
 * delegated subnet receives the connection from the modality's own address;
 * Container Apps' TCP ingress is a proxy (Envoy) and the container sees the
 * proxy's address, so every association would be refused.
 *
 * The container carries exactly OrthancGatewayConfig's files (orthanc.json,
 * forward.lua, entrypoint.sh) in a secret volume at /etc/orthanc; the DICOM
 * TLS certificate, key and modality CA are read from the trust's Key Vault at
 * deploy time into a second secret volume at /etc/orthanc-tls (never in the
 * code or the synthesised JSON; they are in the Terraform state, like every
 * secret Terraform handles). Instances wait on an Azure Files share
 * (/var/lib/orthanc/db) in a private, CMK-encrypted, prevent_destroy spool
 * account: Container Instances mounts Azure Files only with the account key,
 * so that account alone keeps shared keys on (see docs/azure-imaging.md).
 */
export class DimseGateway extends Construct {
  /** The delegation the gateway's subnet must carry. */
  public static readonly SUBNET_DELEGATION = 'Microsoft.ContainerInstance/containerGroups';
  /** The image path under the registry, as the Dockerfile's README pushes it. */
  public static readonly IMAGE_PATH = 'nhs-backbone/orthanc-gateway:1.10.1';
  /** Where the generated configuration is mounted. */
  public static readonly CONFIG_DIRECTORY = '/etc/orthanc';
  /** Where the TLS material is mounted. */
  public static readonly TLS_DIRECTORY = '/etc/orthanc-tls';
  /** Where instances wait (the spool share). */
  public static readonly STORAGE_DIRECTORY = '/var/lib/orthanc/db';
  /** The environment variable carrying the identity's client id (expanded in the token URL at run time). */
  public static readonly CLIENT_ID_VARIABLE = 'AZURE_CLIENT_ID';
  /** The managed-identity token URL of Container Instances (IMDS), for the DICOM service's audience. */
  public static readonly TOKEN_URL = `http://169.254.169.254/metadata/identity/oauth2/token?api-version=2018-02-01&resource=${DICOM_AUDIENCE}&client_id=\${AZURE_CLIENT_ID}`;

  /**
   * The inbound rule of the gateway's subnet: DICOM from the trust's
   * modalities only (each host as a /32) on the gateway port. The spoke puts
   * it on its IMAGING subnet's NSG (which denies everything else).
   */
  public static inboundRules(spec: BackboneSpec, odsCode: string): SpokeInboundRule[] {
    const hosts = [...new Set(spec.modalitiesOf(odsCode).map((m) => `${m.host}/32`))].sort();
    if (hosts.length === 0) return [];
    const port = spec.imaging.gateway?.port ?? 11112;
    return [{ name: 'allow-modalities-dicom', sources: hosts, protocol: 'Tcp', ports: [String(port)] }];
  }

  /** The generated Orthanc configuration. */
  public readonly config: OrthancGatewayConfig;
  /** The container group. */
  public readonly containerGroup: ContainerGroup;
  /** The gateway's identity (granted DICOM write on the store). */
  public readonly identity: IWorkloadIdentity;
  /** Its user-assigned identity resource. */
  public readonly identityResource: UserAssignedIdentity;
  /** The gateway's private address: modalities send to it on `config.port`. */
  public readonly privateIpAddress: string;
  /** The spool account. */
  public readonly spoolAccount: StorageAccount;
  /** The spool share mounted at STORAGE_DIRECTORY. */
  public readonly spoolShare: StorageShare;
  /** The NSG, when `manageNetworkSecurityGroup` is true. */
  public readonly networkSecurityGroup?: NetworkSecurityGroup;

  constructor(scope: Construct, id: string, props: DimseGatewayProps) {
    super(scope, id);
    const { spec, odsCode } = props;
    spec.trust(odsCode);
    if (!props.dicomStore || typeof props.dicomStore.dicomWebUrlByName !== 'string') {
      throw BackboneError.of('dicomStore', 'is not set (required: the DicomStore of the trust\'s imaging network)');
    }
    const network = spec.imagingNetworkOf(odsCode);
    if (props.dicomStore.network?.id !== network.id) {
      throw BackboneError.of('dicomStore', `is the store of imaging network ${props.dicomStore.network?.id}, but trust ${odsCode} is in ${network.id}`);
    }
    if (typeof props.resourceGroupName !== 'string' || props.resourceGroupName.trim() === '') {
      throw BackboneError.of('resourceGroupName', `${JSON.stringify(props.resourceGroupName)} is not set (required)`);
    }
    const subnetId = requireId(props.subnetId, 'subnetId', SUBNET_ID, 'a subnet ID (the spoke\'s IMAGING subnet, delegated to Microsoft.ContainerInstance/containerGroups)');
    const endpointSubnetId = requireId(props.privateEndpointSubnetId, 'privateEndpointSubnetId', SUBNET_ID, 'a subnet ID (the trust\'s DATA subnet)');
    const fileZone = zoneId(props.privateDnsZoneIds, ZONE.FILE, 'privateDnsZoneIds', 'the spool share\'s private endpoint');
    const keyId = requireId(props.customerManagedKeyId, 'customerManagedKeyId', /^https:\/\/[a-z0-9-]+\.vault\.azure\.net\/keys\/[A-Za-z0-9-]+\/?$/,
      'a versionless Key Vault key URL (https://<vault>.vault.azure.net/keys/<name>)');
    const keyResourceId = requireId(props.customerManagedKeyResourceId, 'customerManagedKeyResourceId', /\/providers\/Microsoft\.KeyVault\/vaults\/[^/]+\/keys\/[^/]+$/i,
      'a Key Vault key resource ID (/subscriptions/.../Microsoft.KeyVault/vaults/<vault>/keys/<name>)');
    if (typeof props.registryServer !== 'string' || !/^[a-z0-9]{5,50}\.azurecr\.io$/.test(props.registryServer)) {
      throw BackboneError.of('registryServer', `${JSON.stringify(props.registryServer)} is not an Azure Container Registry login server (<name>.azurecr.io)`);
    }
    const image = props.image ?? `${props.registryServer}/${DimseGateway.IMAGE_PATH}`;
    if (typeof image !== 'string' || !image.startsWith(`${props.registryServer}/`) || /\s/.test(image)) {
      throw BackboneError.of('image', `${JSON.stringify(image)} is not an image in ${props.registryServer} (the gateway pulls with its managed identity from that registry only)`);
    }
    if (props.registryId !== undefined) {
      requireId(props.registryId, 'registryId', /\/providers\/Microsoft\.ContainerRegistry\/registries\/[^/]+$/i, 'a container registry resource ID');
    }
    if (props.logAnalyticsWorkspaceId !== undefined) {
      requireId(props.logAnalyticsWorkspaceId, 'logAnalyticsWorkspaceId', WORKSPACE_ID, 'a Log Analytics workspace ID');
    }
    const cpu = range(props.cpu, 1, 0.5, 4, 'cpu', 'vCPUs');
    const memory = range(props.memoryGb, 2, 0.5, 16, 'memoryGb', 'GB');
    const quota = range(props.spoolQuotaGib, 100, 1, 5120, 'spoolQuotaGib', 'GiB');
    if (!Number.isInteger(quota)) throw BackboneError.of('spoolQuotaGib', `${quota} is not a whole number of GiB`);

    this.config = new OrthancGatewayConfig({
      spec,
      odsCode,
      target: {
        url: props.dicomStore.dicomWebUrlByName,
        tokenUrl: DimseGateway.TOKEN_URL,
        tokenHeaders: { Metadata: 'true' },
      },
      configDirectory: DimseGateway.CONFIG_DIRECTORY,
      tlsDirectory: DimseGateway.TLS_DIRECTORY,
      storageDirectory: DimseGateway.STORAGE_DIRECTORY,
      retrySeconds: props.retrySeconds,
    });
    if (this.config.tls && props.tlsKeyVaultId === undefined) {
      throw BackboneError.of('tlsKeyVaultId', 'is not set: imaging.gateway.tls is on, so the gateway needs its certificate, key and modality CA from the trust\'s Key Vault');
    }
    const tlsVaultId = this.config.tls
      ? requireId(props.tlsKeyVaultId, 'tlsKeyVaultId', /\/providers\/Microsoft\.KeyVault\/vaults\/[^/]+$/i, 'a Key Vault resource ID')
      : undefined;
    const secretNames = {
      'gateway.crt': props.tlsSecretNames?.certificate ?? 'dimse-gateway-crt',
      'gateway.key': props.tlsSecretNames?.privateKey ?? 'dimse-gateway-key',
      'modalities-ca.crt': props.tlsSecretNames?.modalitiesCa ?? 'dimse-modalities-ca-crt',
    };
    for (const [file, name] of Object.entries(secretNames)) {
      if (!/^[0-9a-zA-Z-]{1,127}$/.test(name)) throw BackboneError.of('tlsSecretNames', `${JSON.stringify(name)} (for ${file}) is not a Key Vault secret name (1-127 letters, digits and '-')`);
    }

    const location = spec.region(Cloud.AZURE);
    const tags = { ...spec.tagsFor(odsCode), 'imaging-network': network.id };
    const rg = props.resourceGroupName;
    const name = (purpose: string, kind: NameKind = NameKind.RESOURCE) => spec.naming.trust(odsCode, purpose, kind);

    // The gateway's identity: pulls the image, unwraps the CMK of its spool
    // account and container group, stores to the DICOM service.
    this.identityResource = new UserAssignedIdentity(this, 'Identity', {
      name: name('dimse-gw-id'),
      resourceGroupName: rg,
      location,
      tags: { ...tags, 'backbone-principal': 'dimse-gateway' },
      lifecycle: { preventDestroy: true },
    });
    this.identity = new GatewayIdentity(this.identityResource, name('dimse-gw-id'), odsCode, rg);
    const keyGrant = new RoleAssignment(this, 'KeyGrant', {
      scope: keyResourceId,
      roleDefinitionName: AzureBuiltInRole.KEY_VAULT_CRYPTO_SERVICE_ENCRYPTION_USER.roleName,
      principalId: this.identityResource.principalId,
      principalType: 'ServicePrincipal',
      skipServicePrincipalAadCheck: true,
      description: `Key Vault Crypto Service Encryption User for the DIMSE gateway of ${odsCode} (spool account and container group CMK), granted by nhs-backbone`,
      lifecycle: { preventDestroy: true },
    });
    const pullGrant = props.registryId === undefined ? undefined : new RoleAssignment(this, 'PullGrant', {
      scope: props.registryId,
      roleDefinitionName: AzureBuiltInRole.ACR_PULL.roleName,
      principalId: this.identityResource.principalId,
      principalType: 'ServicePrincipal',
      skipServicePrincipalAadCheck: true,
      description: `AcrPull for the DIMSE gateway of ${odsCode}, granted by nhs-backbone`,
    });
    props.dicomStore.grantDicomWrite(this.identity);

    // The spool: where instances wait until the store accepts them.
    this.spoolAccount = new StorageAccount(this, 'SpoolAccount', {
      name: name('dimsespool', NameKind.AZURE_STORAGE_ACCOUNT),
      resourceGroupName: rg,
      location,
      ...HARDENED_STORAGE_ACCOUNT,
      networkRules: { ...HARDENED_STORAGE_ACCOUNT.networkRules, bypass: [...HARDENED_STORAGE_ACCOUNT.networkRules.bypass] },
      accountReplicationType: replicationFor(location),
      // Container Instances mounts Azure Files with the account key only.
      sharedAccessKeyEnabled: true,
      isHnsEnabled: false,
      identity: { type: 'UserAssigned', identityIds: [this.identityResource.id] },
      customerManagedKey: { keyVaultKeyId: keyId, userAssignedIdentityId: this.identityResource.id },
      shareProperties: {
        retentionPolicy: { days: 14 },
        smb: {
          versions: ['SMB3.0', 'SMB3.1.1'],
          channelEncryptionType: ['AES-128-GCM', 'AES-256-GCM'],
          authenticationTypes: ['NTLMv2'],
          kerberosTicketEncryptionType: ['AES-256'],
        },
      },
      tags: { ...tags, 'data-class': 'imaging-spool' },
      dependsOn: [keyGrant],
      lifecycle: { preventDestroy: true },
    });
    this.spoolShare = new StorageShare(this, 'SpoolShare', {
      name: 'orthanc-spool',
      storageAccountId: this.spoolAccount.id,
      quota,
      enabledProtocol: 'SMB',
      accessTier: 'TransactionOptimized',
      lifecycle: { preventDestroy: true },
    });
    const fileEndpoint = privateEndpoint(this, 'SpoolEndpoint', {
      name: name('dimsespool-file'),
      resourceGroupName: rg,
      location,
      subnetId: endpointSubnetId,
      resourceId: this.spoolAccount.id,
      subresource: 'file',
      zoneIds: [fileZone],
      tags,
    });

    // DICOM TLS material: read from the trust's vault at deploy time.
    const tlsFiles: { [file: string]: string } = {};
    if (tlsVaultId !== undefined) {
      for (const [file, secretName] of Object.entries(secretNames)) {
        const secret = new DataAzurermKeyVaultSecret(this, `Tls-${file.replace(/\W+/g, '-')}`, { name: secretName, keyVaultId: tlsVaultId });
        tlsFiles[file] = Fn.base64encode(secret.value);
      }
    }
    const configFiles: { [file: string]: string } = {};
    for (const [file, content] of Object.entries(this.config.files())) {
      configFiles[file] = Buffer.from(content, 'utf8').toString('base64');
    }

    if (props.manageNetworkSecurityGroup) {
      this.networkSecurityGroup = denyByDefaultNsg(this, 'Nsg', {
        name: name('dimse-gw-nsg'),
        resourceGroupName: rg,
        location,
        tags,
        subnetId,
        allows: DimseGateway.inboundRules(spec, odsCode).map((r) => ({ ...r })),
      });
    }

    const port = this.config.port;
    this.containerGroup = new ContainerGroup(this, 'Resource', {
      name: name('dimse-gw'),
      resourceGroupName: rg,
      location,
      osType: 'Linux',
      sku: 'Standard',
      ipAddressType: 'Private',
      subnetIds: [subnetId],
      restartPolicy: 'Always',
      exposedPort: [{ port, protocol: 'TCP' }],
      identity: { type: 'UserAssigned', identityIds: [this.identityResource.id] },
      imageRegistryCredential: [{ server: props.registryServer, userAssignedIdentityId: this.identityResource.id }],
      keyVaultKeyId: keyId,
      keyVaultUserAssignedIdentityId: this.identityResource.id,
      container: [{
        name: 'orthanc',
        image,
        cpu,
        memory,
        commands: ['/bin/sh', `${DimseGateway.CONFIG_DIRECTORY}/entrypoint.sh`],
        ports: [{ port, protocol: 'TCP' }],
        environmentVariables: { [DimseGateway.CLIENT_ID_VARIABLE]: this.identityResource.clientId },
        livenessProbe: {
          exec: ['curl', '-sf', '-o', '/dev/null', `http://127.0.0.1:${this.config.httpPort}/system`],
          initialDelaySeconds: 30,
          periodSeconds: 30,
          failureThreshold: 3,
        },
        volume: [
          { name: 'config', mountPath: DimseGateway.CONFIG_DIRECTORY, readOnly: true, secret: configFiles },
          ...(tlsVaultId !== undefined ? [{ name: 'tls', mountPath: DimseGateway.TLS_DIRECTORY, readOnly: true, secret: tlsFiles }] : []),
          {
            name: 'spool',
            mountPath: DimseGateway.STORAGE_DIRECTORY,
            readOnly: false,
            shareName: this.spoolShare.name,
            storageAccountName: this.spoolAccount.name,
            storageAccountKey: this.spoolAccount.primaryAccessKey,
          },
        ],
      }],
      tags,
      dependsOn: [keyGrant, fileEndpoint, ...(pullGrant ? [pullGrant] : []), ...(this.networkSecurityGroup ? [this.networkSecurityGroup] : [])],
    });
    this.privateIpAddress = this.containerGroup.ipAddress;

    if (props.logAnalyticsWorkspaceId !== undefined) {
      diagnostics(this, 'Logs', this.containerGroup.id, props.logAnalyticsWorkspaceId, [{ categoryGroup: 'allLogs' }], true);
      diagnostics(this, 'SpoolLogs', `${this.spoolAccount.id}/fileServices/default`, props.logAnalyticsWorkspaceId,
        [{ category: 'StorageRead' }, { category: 'StorageWrite' }, { category: 'StorageDelete' }], false);
    }
  }
}

function range(v: number | undefined, dflt: number, min: number, max: number, prop: string, unit: string): number {
  const x = v ?? dflt;
  if (typeof x !== 'number' || !Number.isFinite(x) || x < min || x > max) {
    throw BackboneError.of(prop, `${JSON.stringify(v)} is out of range (${min} to ${max} ${unit})`);
  }
  return x;
}

/** The gateway's identity as a backbone workload identity (grants take it). */
class GatewayIdentity implements IWorkloadIdentity {
  public readonly appName = 'dimse-gateway';
  public readonly identityName: string;
  public readonly identityId: string;
  public readonly clientId: string;
  public readonly principalId: string;
  private readonly lookups = new Map<TerraformStack, string>();

  constructor(
    private readonly resource: UserAssignedIdentity,
    identityName: string,
    public readonly odsCode: string,
    public readonly resourceGroupName: string,
  ) {
    this.identityName = identityName;
    this.identityId = resource.id;
    this.clientId = resource.clientId;
    this.principalId = resource.principalId;
    markWorkloadIdentity(this);
    markGatewayIdentity(this);
  }

  public principalIdIn(scope: Construct): string {
    const stack = TerraformStack.of(scope);
    if (stack === TerraformStack.of(this.resource)) return this.principalId;
    const known = this.lookups.get(stack);
    if (known) return known;
    const id = `Identity-${this.odsCode}-${this.appName}`;
    const existing = stack.node.tryFindChild(id) as DataAzurermUserAssignedIdentity | undefined;
    const data = existing ?? new DataAzurermUserAssignedIdentity(stack, id, {
      name: this.identityName,
      resourceGroupName: this.resourceGroupName,
    });
    this.lookups.set(stack, data.principalId);
    return data.principalId;
  }
}
