import { DataAzurermClientConfig } from '@cdktf/provider-azurerm/lib/data-azurerm-client-config';
import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import { AzurermBackend, LocalBackend, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { AddressLock, AddressPlan, TrustSubnet } from '../core/address-plan';
import { BackboneSpec } from '../core/backbone-spec';
import { BackboneError, entryOf } from '../core/errors';
import { NameKind } from '../core/naming';
import { Cloud, UkRegions } from '../core/regions';
import { DicomWebAccess } from '../core/spec';
import { AzureCompliance } from './compliance/acknowledge';
import { BreakGlassAccess, BreakGlassAccount } from './identity/break-glass';
import { CiFederation } from './identity/ci-federation';
import { TrustKeyVault } from './identity/trust-key-vault';
import { WorkloadIdentity } from './identity/workload-identity';
import { DicomStore } from './imaging/dicom-store';
import { AzureContainerRegistryRef, DimseGateway } from './imaging/dimse-gateway';
import { HubNames } from './network/hub-names';
import { HubNetwork } from './network/hub-network';
import { TrustSpoke } from './network/trust-spoke';
import { AzureFirewallTier, AzureKeyVaultRef, AzureNetworkWatcherRef } from './network/types';
import { BLOB_PRIVATE_DNS_ZONE } from './storage/account';
import { ClinicalStore } from './storage/clinical-store';

/** Where each Terraform stack keeps its state on Azure. */
export interface AzureStateBackend {
  /** Resource group of the state storage account. */
  readonly resourceGroupName: string;
  /** The state storage account. */
  readonly storageAccountName: string;
  /** The blob container. */
  readonly containerName: string;
}

/** Props of the Azure backbone. */
export interface BackboneProps {
  /** The validated backbone spec. */
  readonly spec: BackboneSpec;
  /**
   * Address allocations made before (the lock file beside the spec).
   * @default - none: slots are handed out in spec order
   */
  readonly addressLock?: AddressLock;
  /**
   * The subscription to deploy to.
   * @default - from the environment (ARM_SUBSCRIPTION_ID)
   */
  readonly subscriptionId?: string;
  /**
   * Remote state in an Azure storage account, one key per stack.
   * @default - local state files named after each stack (for trying it out)
   */
  readonly stateBackend?: AzureStateBackend;
  /**
   * The hub firewall's tier.
   * @default AzureFirewallTier.PREMIUM
   */
  readonly firewallTier?: AzureFirewallTier;
  /**
   * The region's Network Watcher, which owns the VNet flow logs.
   * @default - Azure's own: NetworkWatcher_<region> in NetworkWatcherRG
   */
  readonly networkWatcher?: AzureNetworkWatcherRef;
  /**
   * The Key Vault holding the HSCN VPN pre-shared key.
   * @default - HscnGateway.defaultKeyVault(spec)
   */
  readonly hscnKeyVault?: AzureKeyVaultRef;
  /**
   * Traffic analytics on every VNet flow log.
   * @default true
   */
  readonly trafficAnalytics?: boolean;
  /**
   * The two cloud-only Entra ID emergency accounts (made by hand, see
   * docs/azure-identity.md); they get Owner on the backbone's resource groups.
   * @default - none: only the alert on role-assignment writes is made
   */
  readonly breakGlassAccounts?: BreakGlassAccount[];
  /**
   * The Azure Container Registry the DIMSE gateways pull their image
   * (`nhs-backbone/orthanc-gateway:1.10.1`, built from
   * docker/orthanc-gateway/Dockerfile) from. It is not made by the backbone:
   * create it once and push the image. Each gateway's identity gets AcrPull
   * on it, and the CI pipeline may assign that role there.
   * @default - Backbone.defaultContainerRegistry(spec): `<name>hubacr<env>` in the hub's resource group
   */
  readonly containerRegistry?: AzureContainerRegistryRef;
  /**
   * A Log Analytics dedicated cluster with a customer-managed key (made
   * outside the backbone) to link the hub's workspace to, for NHS-ENC-1.
   * @default - none: the workspace keeps Microsoft-managed keys, acknowledged in the output
   */
  readonly logAnalyticsClusterId?: string;
}

/**
 * The NHS backbone on Azure (CDK for Terraform): one Terraform stack (and
 * state) for the hub, one per trust and one per imaging network. Each trust's
 * stack holds its spoke, its Key Vault, its apps' identities, its clinical
 * stores (one per `spec.storage.stores` entry), each with an immutable copy
 * in the backup region, its apps' DICOM grants and, when it has modalities,
 * its DIMSE gateway. Each imaging network's stack holds its DICOM store.
 *
 * Apply order: the hub, then the imaging networks, then the trusts (a trust's
 * stack depends on its network's: DICOM grants and the gateway's are made
 * there, scoped to the DICOM service by its ID built from names, so no stack
 * reads another's state).
 */
export class Backbone extends Construct {
  /**
   * The registry the DIMSE gateways pull from by default: `<name>hubacr<env>`
   * (naming.hub('acr') as a storage-style name) in the hub's resource group,
   * which the CI pipeline deploys to.
   */
  public static defaultContainerRegistry(spec: BackboneSpec): AzureContainerRegistryRef {
    return {
      name: spec.naming.hub('acr', NameKind.AZURE_STORAGE_ACCOUNT),
      resourceGroupName: spec.naming.hub('network', NameKind.AZURE_RESOURCE_GROUP),
    };
  }

  public readonly spec: BackboneSpec;
  public readonly addressPlan: AddressPlan;
  public readonly hubStack: TerraformStack;
  public readonly hub: HubNetwork;
  /** CI federation (when the spec's identity.ci is set). */
  public readonly ciFederation?: CiFederation;
  /** Break-glass role assignments and the alert on their use (when identity.securityContact is set). */
  public readonly breakGlass?: BreakGlassAccess;
  private readonly spokes = new Map<string, TrustSpoke>();
  private readonly vaults = new Map<string, TrustKeyVault>();
  private readonly identities = new Map<string, WorkloadIdentity>();
  private readonly stores = new Map<string, ClinicalStore>();
  private readonly dicomStores = new Map<string, DicomStore>();
  private readonly imagingStacks = new Map<string, TerraformStack>();
  private readonly gateways = new Map<string, DimseGateway>();

  constructor(scope: Construct, id: string, props: BackboneProps) {
    super(scope, id);
    this.spec = props.spec;
    this.addressPlan = props.spec.addressPlan(props.addressLock);

    const stack = (...unit: string[]): TerraformStack => {
      const name = this.spec.naming.name(NameKind.STACK, unit);
      const s = new TerraformStack(this, name);
      new AzurermProvider(s, 'azurerm', {
        // Removing an ARM template deployment (the imaging workspace's
        // public-access patch) must never delete what it deployed.
        features: [{ templateDeployment: [{ deleteNestedItemsDuringDeletion: false }] }],
        subscriptionId: props.subscriptionId,
        storageUseAzuread: true,
      });
      // What the compliance rules need from outside the resources: residency, internet ingress.
      AzureCompliance.recordStack(s, this.spec);
      if (props.stateBackend) {
        new AzurermBackend(s, { ...props.stateBackend, key: `${name}.tfstate`, useAzureadAuth: true });
      } else {
        new LocalBackend(s, { path: `${name}.tfstate` });
      }
      return s;
    };

    const registry = checkRegistry(props.containerRegistry ?? Backbone.defaultContainerRegistry(this.spec));
    this.hubStack = stack('hub');
    const backupRegion = this.spec.storage.backup?.azureRegion ?? UkRegions.pairedRegion(Cloud.AZURE, this.spec.region(Cloud.AZURE));
    const hubNames = new HubNames(this.spec, this.addressPlan);
    this.hub = new HubNetwork(this.hubStack, 'network', {
      spec: this.spec,
      addressPlan: this.addressPlan,
      firewallTier: props.firewallTier,
      networkWatcher: props.networkWatcher,
      hscnKeyVault: props.hscnKeyVault,
      trafficAnalytics: props.trafficAnalytics,
      logAnalyticsClusterId: props.logAnalyticsClusterId,
    });
    for (const trust of this.spec.trusts) {
      const s = stack(trust.odsCode);
      const spoke = new TrustSpoke(s, 'spoke', {
        spec: this.spec,
        addressPlan: this.addressPlan,
        odsCode: trust.odsCode,
        subscriptionId: props.subscriptionId,
        networkWatcher: props.networkWatcher,
        trafficAnalytics: props.trafficAnalytics,
      });
      for (const app of this.spec.appsServing(trust.odsCode)) spoke.attachApp(app.name);
      this.spokes.set(trust.odsCode, spoke);
      const resourceGroupName = spoke.resourceGroup.name;
      const vault = new TrustKeyVault(s, 'keys', {
        spec: this.spec,
        odsCode: trust.odsCode,
        resourceGroupName,
        privateEndpointSubnetId: spoke.subnet(TrustSubnet.DATA).subnet.id,
        privateDnsZoneId: hubNames.privateDnsZoneId(spoke.subscriptionId, 'privatelink.vaultcore.azure.net'),
        logAnalyticsWorkspaceId: hubNames.logWorkspaceId(spoke.subscriptionId),
      });
      this.vaults.set(trust.odsCode, vault);

      // Clinical stores, each with its immutable copy in the backup region.
      const storageKey = vault.addKey('storage');
      const backupKey = vault.addKey('backup');
      for (const store of this.spec.storage.stores ?? []) {
        this.stores.set(`${trust.odsCode}/${store.name}`, new ClinicalStore(s, `store-${store.name}`, {
          spec: this.spec,
          odsCode: trust.odsCode,
          store,
          resourceGroupName,
          privateEndpointSubnetId: spoke.subnet(TrustSubnet.DATA).subnet.id,
          privateDnsZoneId: hubNames.privateDnsZoneId(spoke.subscriptionId, BLOB_PRIVATE_DNS_ZONE),
          encryptionKey: storageKey,
          logAnalyticsWorkspaceId: hubNames.logWorkspaceId(spoke.subscriptionId),
          logStorageAccountId: hubNames.logStorageAccountId(spoke.subscriptionId),
          backup: { encryptionKey: backupKey, region: backupRegion },
        }));
      }
      for (const app of this.spec.appsServing(trust.odsCode)) {
        this.identities.set(`${trust.odsCode}/${app.name}`, new WorkloadIdentity(s, `identity-${app.name}`, {
          spec: this.spec, appName: app.name, odsCode: trust.odsCode, resourceGroupName,
        }));
      }
    }

    // Imaging: one stack per imaging network with its DICOM store (private
    // endpoints in the hub's endpoints subnet). Each trust's stack applies
    // after its network's and makes its apps' DICOM grants and its DIMSE
    // gateway there, through the store referenced by names.
    for (const net of this.spec.imagingNetworks()) {
      const s = stack('img', net.id);
      s.addDependency(this.hubStack);
      const subscription = props.subscriptionId ?? new DataAzurermClientConfig(s, 'ClientConfig').subscriptionId;
      this.imagingStacks.set(net.id, s);
      this.dicomStores.set(net.id, new DicomStore(s, 'dicom', {
        spec: this.spec,
        network: net,
        privateEndpointSubnetId: hubNames.endpointsSubnetId(subscription),
        privateDnsZoneIds: hubNames.privateDnsZoneIds(subscription),
        logAnalyticsWorkspaceId: hubNames.logWorkspaceId(subscription),
      }));
      for (const ods of net.trusts) {
        const trustStack = this.trustStack(ods);
        trustStack.addDependency(s);
        const spoke = this.spoke(ods);
        const store = DicomStore.fromNetwork(trustStack, 'dicom-store', this.spec, net, spoke.subscriptionId);
        for (const app of this.spec.appsServing(ods)) {
          if (app.dicomweb === DicomWebAccess.READ) store.grantDicomRead(this.identity(ods, app.name));
          if (app.dicomweb === DicomWebAccess.READ_WRITE) store.grantDicomWrite(this.identity(ods, app.name));
        }
        if (!spoke.hasDimseGateway) continue;
        const vault = this.keyVault(ods);
        const key = vault.addKey('imaging');
        const registryId = `/subscriptions/${registry.subscriptionId ?? spoke.subscriptionId}/resourceGroups/${registry.resourceGroupName}/providers/Microsoft.ContainerRegistry/registries/${registry.name}`;
        this.gateways.set(ods, new DimseGateway(trustStack, 'dimse-gateway', {
          spec: this.spec,
          odsCode: ods,
          dicomStore: store,
          resourceGroupName: spoke.resourceGroup.name,
          subnetId: spoke.subnet(TrustSubnet.IMAGING).subnet.id,
          privateEndpointSubnetId: spoke.subnet(TrustSubnet.DATA).subnet.id,
          privateDnsZoneIds: hubNames.privateDnsZoneIds(spoke.subscriptionId),
          customerManagedKeyId: key.versionlessId,
          customerManagedKeyResourceId: key.resourceId,
          registryServer: `${registry.name.toLowerCase()}.azurecr.io`,
          registryId,
          tlsKeyVaultId: vault.vaultId,
          logAnalyticsWorkspaceId: hubNames.logWorkspaceId(spoke.subscriptionId),
        }));
      }
    }

    // Resource groups the backbone owns: CI deploys into them, break-glass may act on them.
    const hubSubscription = props.subscriptionId ?? new DataAzurermClientConfig(this.hubStack, 'ClientConfig').subscriptionId;
    const groupIds = [
      hubNames.resourceGroup,
      ...this.spec.trusts.map((t) => this.spec.naming.trust(t.odsCode, 'network', NameKind.AZURE_RESOURCE_GROUP)),
      ...this.spec.imagingNetworks().map((n) => DicomStore.resourceGroupNameOf(this.spec, n)),
    ].map((rg) => `/subscriptions/${hubSubscription}/resourceGroups/${rg}`);
    if (this.spec.identity.ci) {
      // The gateways' AcrPull is assigned by the pipeline: on the registry
      // itself when it is outside the resource groups it deploys to.
      const registryId = `/subscriptions/${registry.subscriptionId ?? hubSubscription}/resourceGroups/${registry.resourceGroupName}/providers/Microsoft.ContainerRegistry/registries/${registry.name}`;
      const registryOutside = this.gateways.size > 0 && !groupIds.some((g) => registryId.toLowerCase().startsWith(`${g.toLowerCase()}/`));
      this.ciFederation = new CiFederation(this.hubStack, 'ci', {
        spec: this.spec,
        resourceGroupName: hubNames.resourceGroup,
        deployScopes: groupIds,
        roleAssignmentScopes: registryOutside ? [registryId] : undefined,
      });
    }
    if (this.spec.identity.securityContact) {
      this.breakGlass = new BreakGlassAccess(this.hubStack, 'break-glass', {
        spec: this.spec,
        resourceGroupName: hubNames.resourceGroup,
        notifyEmails: [this.spec.identity.securityContact],
        accounts: props.breakGlassAccounts,
        scopes: groupIds,
        subscriptionId: hubSubscription,
      });
    }
  }

  /** A trust's Key Vault with its customer-managed keys. */
  public keyVault(odsCode: string): TrustKeyVault {
    return entryOf(this.vaults, odsCode, 'odsCode', `"${odsCode}" is not a trust of backbone ${this.spec.name}`);
  }

  /** The workload identity of an app in a trust it serves. */
  public identity(odsCode: string, appName: string): WorkloadIdentity {
    return entryOf(this.identities, `${odsCode}/${appName}`, 'appName', `"${appName}" is not an app serving trust ${odsCode} in backbone ${this.spec.name}`);
  }

  /** A clinical store of a trust (one of spec.storage.stores), with its immutable copy. */
  public store(odsCode: string, storeName: string): ClinicalStore {
    this.spoke(odsCode);
    return entryOf(this.stores, `${odsCode}/${storeName}`, 'storeName',
      `"${storeName}" is not a store of backbone ${this.spec.name} (stores: ${(this.spec.storage.stores ?? []).map((x) => x.name).join(', ')})`);
  }

  /** The managed DICOM store of an imaging network (`spec.imagingNetworks()` id, e.g. `icb-qyg`). */
  public dicomStore(networkId: string): DicomStore {
    return entryOf(this.dicomStores, networkId, 'networkId',
      `"${networkId}" is not an imaging network of backbone ${this.spec.name} (${this.spec.imagingNetworks().map((n) => n.id).join(', ')})`);
  }

  /** The stack of an imaging network. */
  public imagingStack(networkId: string): TerraformStack {
    return entryOf(this.imagingStacks, networkId, 'networkId',
      `"${networkId}" is not an imaging network of backbone ${this.spec.name} (${this.spec.imagingNetworks().map((n) => n.id).join(', ')})`);
  }

  /** The DIMSE gateway of a trust with modalities. */
  public dimseGateway(odsCode: string): DimseGateway {
    this.spoke(odsCode);
    return entryOf(this.gateways, odsCode, 'odsCode', `trust ${odsCode} has no DIMSE gateway in backbone ${this.spec.name} (it has no modalities in imaging.modalities)`);
  }

  /** The stack of a trust. */
  public trustStack(odsCode: string): TerraformStack {
    return this.spoke(odsCode).node.scope as TerraformStack;
  }

  /** A trust's spoke. */
  public spoke(odsCode: string): TrustSpoke {
    return entryOf(this.spokes, odsCode, 'odsCode', `"${odsCode}" is not a trust of backbone ${this.spec.name}`);
  }
}

function checkRegistry(r: AzureContainerRegistryRef): AzureContainerRegistryRef {
  if (typeof r?.name !== 'string' || !/^[a-zA-Z0-9]{5,50}$/.test(r.name)) {
    throw BackboneError.of('containerRegistry.name', `${JSON.stringify(r?.name)} is not an Azure Container Registry name (5-50 letters and digits)`);
  }
  if (typeof r.resourceGroupName !== 'string' || !/^[-\w.()]{1,90}$/.test(r.resourceGroupName) || r.resourceGroupName.endsWith('.')) {
    throw BackboneError.of('containerRegistry.resourceGroupName', `${JSON.stringify(r.resourceGroupName)} is not a resource group name (1-90 letters, digits, '-', '_', '.', '(', ')')`);
  }
  if (r.subscriptionId !== undefined && !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(r.subscriptionId)) {
    throw BackboneError.of('containerRegistry.subscriptionId', `${JSON.stringify(r.subscriptionId)} is not a subscription id (a GUID)`);
  }
  return r;
}
