import { DataAzurermClientConfig } from '@cdktf/provider-azurerm/lib/data-azurerm-client-config';
import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import { AzurermBackend, LocalBackend, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { AddressLock, AddressPlan, TrustSubnet } from '../core/address-plan';
import { BackboneSpec } from '../core/backbone-spec';
import { entryOf } from '../core/errors';
import { NameKind } from '../core/naming';
import { Cloud, UkRegions } from '../core/regions';
import { BreakGlassAccess, BreakGlassAccount } from './identity/break-glass';
import { CiFederation } from './identity/ci-federation';
import { TrustKeyVault } from './identity/trust-key-vault';
import { WorkloadIdentity } from './identity/workload-identity';
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
}

/**
 * The NHS backbone on Azure (CDK for Terraform): one Terraform stack (and
 * state) for the hub and one per trust. Each trust's stack holds its spoke,
 * its Key Vault, its apps' identities, and its clinical stores (one per
 * `spec.storage.stores` entry), each with an immutable copy in the backup
 * region.
 */
export class Backbone extends Construct {
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

  constructor(scope: Construct, id: string, props: BackboneProps) {
    super(scope, id);
    this.spec = props.spec;
    this.addressPlan = props.spec.addressPlan(props.addressLock);

    const stack = (unit: string): TerraformStack => {
      const name = this.spec.naming.name(NameKind.STACK, [unit]);
      const s = new TerraformStack(this, name);
      new AzurermProvider(s, 'azurerm', {
        features: [{}],
        subscriptionId: props.subscriptionId,
        storageUseAzuread: true,
      });
      if (props.stateBackend) {
        new AzurermBackend(s, { ...props.stateBackend, key: `${name}.tfstate`, useAzureadAuth: true });
      } else {
        new LocalBackend(s, { path: `${name}.tfstate` });
      }
      return s;
    };

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

    // Resource groups the backbone owns: CI deploys into them, break-glass may act on them.
    const hubSubscription = props.subscriptionId ?? new DataAzurermClientConfig(this.hubStack, 'ClientConfig').subscriptionId;
    const groupIds = [hubNames.resourceGroup, ...this.spec.trusts.map((t) => this.spec.naming.trust(t.odsCode, 'network', NameKind.AZURE_RESOURCE_GROUP))]
      .map((rg) => `/subscriptions/${hubSubscription}/resourceGroups/${rg}`);
    if (this.spec.identity.ci) {
      this.ciFederation = new CiFederation(this.hubStack, 'ci', { spec: this.spec, resourceGroupName: hubNames.resourceGroup, deployScopes: groupIds });
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

  /** The stack of a trust. */
  public trustStack(odsCode: string): TerraformStack {
    return this.spoke(odsCode).node.scope as TerraformStack;
  }

  /** A trust's spoke. */
  public spoke(odsCode: string): TrustSpoke {
    return entryOf(this.spokes, odsCode, 'odsCode', `"${odsCode}" is not a trust of backbone ${this.spec.name}`);
  }
}
