import { DataAzurermClientConfig } from '@cdktf/provider-azurerm/lib/data-azurerm-client-config';
import { DataAzurermKeyVaultSecret } from '@cdktf/provider-azurerm/lib/data-azurerm-key-vault-secret';
import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import { AzurermBackend, Fn, LocalBackend, TerraformStack, Token } from 'cdktf';
import { Construct } from 'constructs';
import { AddressLock, AddressPlan, TrustSubnet } from '../core/address-plan';
import { ingressOf } from '../core/app-contract';
import { BackboneSpec } from '../core/backbone-spec';
import { Cidr } from '../core/cidr';
import { BackboneError, entryOf } from '../core/errors';
import { NameKind } from '../core/naming';
import { Cloud, UkRegions } from '../core/regions';
import { AppIngress, AppSpec, DicomWebAccess } from '../core/spec';
import { AppStore } from './apps/app-store';
import { HscnAppIngress, HscnGatewaySubnet } from './apps/hscn-ingress';
import { checkEdgeSubnet, defaultEdgeSubnet } from './apps/internal';
import { InternetAppEdge } from './apps/internet-edge';
import { SpecialistApp } from './apps/specialist-app';
import { AzureCompliance } from './compliance/acknowledge';
import { BreakGlassAccess, BreakGlassAccount } from './identity/break-glass';
import { CiFederation } from './identity/ci-federation';
import { TrustKeyVault } from './identity/trust-key-vault';
import { WorkloadIdentity } from './identity/workload-identity';
import { DicomStore, IDicomStore } from './imaging/dicom-store';
import { AzureContainerRegistryRef, DimseGateway } from './imaging/dimse-gateway';
import { HscnGateway } from './network/hscn-gateway';
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

/** How the backbone fronts one app with HSCN or internet ingress (Backbone `appIngress`). */
export interface AppIngressOptions {
  /**
   * The Key Vault holding the app's TLS certificate (and, for an internet
   * app serving several trusts, its domain name). It is not made by the
   * backbone: the application gateways read the certificate from it at
   * deploy time through their own identities, given Key Vault Secrets User
   * on that one secret.
   * @default - Backbone.defaultCertificateVault(spec): the hub's secrets vault
   *   (`naming.hub('secrets')` in the hub's security resource group, where the HSCN VPN key is too)
   */
  readonly certificateKeyVault?: AzureKeyVaultRef;
  /**
   * The name of the certificate (a Key Vault certificate, read through its
   * versionless secret id so that renewals are picked up): for an internet
   * app, public, for `domainName` and `*.domainName`; for an HSCN app, for
   * the names HSCN clients use in every trust it serves.
   * @default - Backbone.certificateSecretName(appName): `<app>-tls`; deployment fails until it exists
   */
  readonly certificateSecretName?: string;
  /**
   * An internet app's public DNS name; each trust's copy is at `<ods>.<domainName>`.
   * @default - for an app serving several trusts, the value of the Key Vault secret
   *   `<app>-domain-name` (Backbone.domainSecretName) in `certificateKeyVault`, read at deploy time;
   *   for one trust, none (any host name)
   */
  readonly domainName?: string;
  /**
   * The port the app listens on (HTTPS); the app subnet's NSG admits the
   * app's gateway subnets on this port only.
   * @default 8443
   */
  readonly targetPort?: number;
  /**
   * The app's private addresses per trust (ODS code to addresses in its /27
   * there): the backend pool of its gateway in that trust (HSCN) or of the
   * trust's pool on its edge (internet).
   * @default - empty pools (the gateway answers 502 until the app's addresses are given)
   */
  readonly backendAddresses?: { [odsCode: string]: string[] };
  /**
   * An internet app's edge subnet in the hub VNet, shared by all its
   * application gateways: a /27 or larger block (a /26 is advised) of the
   * hub block, outside the hub's own subnets and the other apps' edge
   * subnets. Required from the fifth internet app on. Internet apps only.
   * @default - a /26 of the hub's EGRESS /24 by the app's place among the internet apps (the first 4 only)
   */
  readonly subnetCidr?: string;
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
  /**
   * Ingress settings of the apps with HSCN or internet ingress, by app name
   * (apps added later take theirs in `addApp`).
   * @default - every app's certificate `<app>-tls` in Backbone.defaultCertificateVault(spec), target port 8443, empty backend pools
   */
  readonly appIngress?: { [appName: string]: AppIngressOptions };
}

/**
 * The NHS backbone on Azure (CDK for Terraform): one Terraform stack (and
 * state) for the hub, one per trust and one per imaging network. Each trust's
 * stack holds its spoke, its Key Vault, its apps' identities, its clinical
 * stores (one per `spec.storage.stores` entry), each with an immutable copy
 * in the backup region, its apps' DICOM grants and, when it has modalities,
 * its DIMSE gateway. Each imaging network's stack holds its DICOM store.
 *
 * Apps (`apps:` in the spec, or `addApp`): per trust served, the app's
 * subnet (TrustSpoke.attachApp), workload identity, DICOMweb grants, its own
 * store (AppStore, with its immutable copy like every clinical store) and,
 * for HSCN ingress, an internal application gateway (HscnAppIngress) in the
 * subnet the trust's HSCN apps share (HscnGatewaySubnet); per internet app
 * one public edge in the hub stack (InternetAppEdge, WAF_v2; CIS2 sign-in on
 * the app). The app subnet's NSG admits its own gateway subnets on the
 * app's target port and nothing else new; the hub firewall lets the HSCN
 * reach the HSCN apps' gateways only.
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

  /**
   * The Key Vault apps' certificates are read from by default
   * (`appIngress.<app>.certificateKeyVault`): the hub's secrets vault,
   * `naming.hub('secrets')` in the hub's security resource group, made
   * outside the backbone (it holds the HSCN VPN key too).
   */
  public static defaultCertificateVault(spec: BackboneSpec): AzureKeyVaultRef {
    return HscnGateway.defaultKeyVault(spec);
  }

  /** The certificate an app's gateways use when `appIngress.<app>.certificateSecretName` is not given: `<app>-tls`. */
  public static certificateSecretName(appName: string): string {
    return `${appName}-tls`;
  }

  /**
   * The Key Vault secret an internet app's domain name is read from (at
   * deploy time) when it serves several trusts and `appIngress.<app>.domainName`
   * is not given: `<app>-domain-name`.
   */
  public static domainSecretName(appName: string): string {
    return `${appName}-domain-name`;
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
  private readonly trustDicomStores = new Map<string, IDicomStore>();
  private readonly hscnSubnets = new Map<string, HscnGatewaySubnet>();
  private readonly ingressOptions = new Map<string, AppIngressOptions>();
  private readonly edgeSubnets = new Map<string, string>();
  private readonly specialistApps = new Map<string, SpecialistApp>();
  private readonly allStacks: TerraformStack[] = [];
  private readonly hubNames: HubNames;
  private readonly hubSubscription: string;
  private readonly backupRegion: string;

  constructor(scope: Construct, id: string, props: BackboneProps) {
    super(scope, id);
    this.spec = props.spec;
    this.addressPlan = props.spec.addressPlan(props.addressLock);
    for (const [name, options] of Object.entries(props.appIngress ?? {})) {
      if (!this.spec.apps.some((a) => a.name === name)) {
        throw BackboneError.of(`appIngress.${name}`, `"${name}" is not an app of backbone ${this.spec.name} (one of: ${this.spec.apps.map((a) => a.name).join(', ') || 'none'}; give an app added in code its options in addApp)`);
      }
      this.ingressOptions.set(name, checkIngressOptions(`appIngress.${name}`, options));
    }

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
      this.allStacks.push(s);
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
    this.backupRegion = backupRegion;
    const hubNames = new HubNames(this.spec, this.addressPlan);
    this.hubNames = hubNames;
    this.hub = new HubNetwork(this.hubStack, 'network', {
      spec: this.spec,
      addressPlan: this.addressPlan,
      firewallTier: props.firewallTier,
      networkWatcher: props.networkWatcher,
      hscnKeyVault: props.hscnKeyVault,
      trafficAnalytics: props.trafficAnalytics,
      logAnalyticsClusterId: props.logAnalyticsClusterId,
    });
    const hubSubscription = props.subscriptionId ?? new DataAzurermClientConfig(this.hubStack, 'ClientConfig').subscriptionId;
    this.hubSubscription = hubSubscription;
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
        this.trustDicomStores.set(ods, store);
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

    // Apps: the same path as addApp.
    for (const app of this.spec.apps) this.buildApp(app);

    // Resource groups the backbone owns: CI deploys into them, break-glass may act on them.
    const groupIds = [
      hubNames.resourceGroup,
      ...this.spec.trusts.map((t) => this.spec.naming.trust(t.odsCode, 'network', NameKind.AZURE_RESOURCE_GROUP)),
      ...this.spec.imagingNetworks().map((n) => DicomStore.resourceGroupNameOf(this.spec, n)),
    ].map((rg) => `/subscriptions/${hubSubscription}/resourceGroups/${rg}`);
    if (this.spec.identity.ci) {
      // The gateways' AcrPull, and the application gateways' Key Vault Secrets User on their
      // certificates, are assigned by the pipeline: on the registry and the certificate vaults
      // themselves when they are outside the resource groups it deploys to.
      const outside = (resourceId: string) => !groupIds.some((g) => resourceId.toLowerCase().startsWith(`${g.toLowerCase()}/`));
      const registryId = `/subscriptions/${registry.subscriptionId ?? hubSubscription}/resourceGroups/${registry.resourceGroupName}/providers/Microsoft.ContainerRegistry/registries/${registry.name}`;
      const vaultIds = [...new Set(this.spec.apps.filter((a) => ingressOf(a) !== AppIngress.NONE)
        .map((a) => keyVaultIdOf(hubSubscription, this.certificateVaultOf(a.name))))].sort();
      const scopes = [
        ...(this.gateways.size > 0 && outside(registryId) ? [registryId] : []),
        ...vaultIds.filter(outside),
      ];
      this.ciFederation = new CiFederation(this.hubStack, 'ci', {
        spec: this.spec,
        resourceGroupName: hubNames.resourceGroup,
        deployScopes: groupIds,
        roleAssignmentScopes: scopes.length > 0 ? scopes : undefined,
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

  /**
   * Plugs a specialist app into the backbone after construction (before
   * synthesis), exactly as if it were under `apps:` in the spec: validated by
   * the spec (BackboneError naming `app.<field>`), given its address slot,
   * then its subnet, identity, DICOMweb grants, store and HSCN ingress in each
   * trust it serves, its internet edge in the hub, and the hub firewall's
   * rules for it. `ingress` is what `appIngress.<app>` would say. An app with
   * internet ingress needs the spec's `identity.cis2` (BackboneError naming
   * `identity.cis2`); its pipeline's role-assignment right on a certificate
   * vault outside the backbone's resource groups is only made for apps in the spec.
   */
  public addApp(app: AppSpec, ingress?: AppIngressOptions): SpecialistApp {
    if (app?.ingress === AppIngress.INTERNET && !this.spec.identity.cis2) {
      throw BackboneError.of('identity.cis2', `is not set: app "${app.name}" has internet ingress, whose users sign in with NHS CIS2 (give identity.cis2 in the spec)`);
    }
    const options = ingress ? checkIngressOptions(`appIngress.${app?.name}`, ingress) : undefined;
    const added = this.spec.addApp(app);
    const existing = this.specialistApps.get(added.name);
    if (existing) return existing;
    this.addressPlan.allocateApp(added.name);
    if (options) this.ingressOptions.set(added.name, options);
    const made = this.buildApp(added);
    // The rules and records computed from the spec's apps at construction.
    if (ingressOf(added) === AppIngress.INTERNET) for (const s of this.allStacks) AzureCompliance.recordStack(s, this.spec);
    this.hub.firewall.refreshAppRules();
    return made;
  }

  /** A specialist app of the backbone (from the spec's `apps` or `addApp`). */
  public app(appName: string): SpecialistApp {
    return entryOf(this.specialistApps, appName, 'appName', `"${appName}" is not an app of backbone ${this.spec.name} (one of: ${[...this.specialistApps.keys()].join(', ') || 'none'})`);
  }

  /** The subnet a trust's HSCN apps' application gateways share (trusts served by an app with HSCN ingress). */
  public hscnGatewaySubnet(odsCode: string): HscnGatewaySubnet {
    this.spoke(odsCode);
    return entryOf(this.hscnSubnets, odsCode, 'odsCode', `trust ${odsCode} has no HSCN application gateway subnet: no app with HSCN ingress serves it`);
  }

  private certificateVaultOf(appName: string): AzureKeyVaultRef {
    return this.ingressOptions.get(appName)?.certificateKeyVault ?? Backbone.defaultCertificateVault(this.spec);
  }

  private buildApp(app: AppSpec): SpecialistApp {
    const name = app.name;
    const kind = ingressOf(app);
    const options = this.ingressOptions.get(name) ?? {};
    const trusts = app.trusts ?? [];
    checkBackendAddresses(`appIngress.${name}.backendAddresses`, this.addressPlan, app, options.backendAddresses);
    const vault = this.certificateVaultOf(name);
    const secretName = options.certificateSecretName ?? Backbone.certificateSecretName(name);
    const certificateSecretId = `https://${vault.name}.vault.azure.net/secrets/${secretName}`;
    let edge: InternetAppEdge | undefined;
    if (kind === AppIngress.INTERNET) {
      if (!this.spec.identity.cis2) {
        throw BackboneError.of('identity.cis2', `is not set: app "${name}" has internet ingress, whose users sign in with NHS CIS2 (give identity.cis2 in the spec)`);
      }
      const keyVaultId = keyVaultIdOf(this.hubSubscription, vault);
      const domainName = options.domainName ?? (trusts.length > 1
        ? Fn.nonsensitive(new DataAzurermKeyVaultSecret(this.hubStack, `app-${name}-domain-name`, {
          name: Backbone.domainSecretName(name),
          keyVaultId,
        }).value) as string
        : undefined);
      const subnetCidr = this.edgeSubnetOf(name, options.subnetCidr);
      edge = new InternetAppEdge(this.hubStack, `app-${name}-edge`, {
        spec: this.spec,
        addressPlan: this.addressPlan,
        appName: name,
        resourceGroupName: this.hub.resourceGroup.name,
        virtualNetworkName: this.hub.vnet.name,
        keyVaultId,
        certificateSecretId,
        logAnalyticsWorkspaceId: this.hub.logStore.workspace.id,
        logStorageAccountId: this.hub.logStore.storageAccount.id,
        domainName,
        backendAddresses: options.backendAddresses,
        targetPort: options.targetPort,
        subnetCidr,
      });
      this.edgeSubnets.set(name, subnetCidr);
    } else if (options.subnetCidr !== undefined) {
      throw BackboneError.of(`appIngress.${name}.subnetCidr`, `is given, but app "${name}" has ingress "${kind}": an edge subnet is for apps with ingress "internet"`);
    }
    const specialist = new SpecialistApp({ spec: this.spec, appName: name, edge });
    for (const ods of trusts) {
      const s = this.trustStack(ods);
      const spoke = this.spoke(ods);
      const keys = this.keyVault(ods);
      spoke.attachApp(name);
      const identity = new WorkloadIdentity(s, `identity-${name}`, {
        spec: this.spec, appName: name, odsCode: ods, resourceGroupName: spoke.resourceGroup.name,
      });
      this.identities.set(`${ods}/${name}`, identity);
      const dicom = this.trustDicomStores.get(ods);
      if (dicom && app.dicomweb === DicomWebAccess.READ) dicom.grantDicomRead(identity);
      if (dicom && app.dicomweb === DicomWebAccess.READ_WRITE) dicom.grantDicomWrite(identity);
      const store = app.store ? new AppStore(s, `app-store-${name}`, {
        spec: this.spec,
        appName: name,
        odsCode: ods,
        identity,
        resourceGroupName: spoke.resourceGroup.name,
        privateEndpointSubnetId: spoke.subnet(TrustSubnet.DATA).subnet.id,
        privateDnsZoneId: this.hubNames.privateDnsZoneId(spoke.subscriptionId, BLOB_PRIVATE_DNS_ZONE),
        encryptionKey: keys.keyFor('storage'),
        logAnalyticsWorkspaceId: this.hubNames.logWorkspaceId(spoke.subscriptionId),
        logStorageAccountId: this.hubNames.logStorageAccountId(spoke.subscriptionId),
        backup: { encryptionKey: keys.keyFor('backup'), region: this.backupRegion },
      }) : undefined;
      let hscnIngress: HscnAppIngress | undefined;
      if (kind === AppIngress.HSCN) {
        hscnIngress = new HscnAppIngress(s, `app-${name}-hscn`, {
          spec: this.spec,
          addressPlan: this.addressPlan,
          appName: name,
          odsCode: ods,
          resourceGroupName: spoke.resourceGroup.name,
          virtualNetworkName: spoke.vnet.name,
          routeTableId: spoke.routeTable.id,
          keyVaultId: keyVaultIdOf(spoke.subscriptionId, vault),
          certificateSecretId,
          logAnalyticsWorkspaceId: this.hubNames.logWorkspaceId(spoke.subscriptionId),
          logStorageAccountId: this.hubNames.logStorageAccountId(spoke.subscriptionId),
          gatewaySubnet: this.hscnSubnetOf(ods),
          backendAddresses: options.backendAddresses?.[ods],
          targetPort: options.targetPort,
        });
        spoke.allowAppIngress(name, hscnIngress.subnetCidr, hscnIngress.targetPort);
      }
      if (edge) spoke.allowAppIngress(name, edge.subnetCidr, edge.targetPort);
      specialist.addTrust({ odsCode: ods, identity, store, hscnIngress });
    }
    this.specialistApps.set(name, specialist);
    return specialist;
  }

  /**
   * An internet app's edge subnet: the one given (checked to be in the hub
   * block, outside its subnets) or its default /26 of the EGRESS /24, not
   * overlapping another app's edge subnet. Errors name `appIngress.<app>.subnetCidr`.
   */
  private edgeSubnetOf(appName: string, given: string | undefined): string {
    const prop = `appIngress.${appName}.subnetCidr`;
    const cidr = given ?? defaultEdgeSubnet(prop, this.spec, this.addressPlan, appName);
    const c = checkEdgeSubnet(prop, cidr, this.addressPlan);
    for (const [other, otherCidr] of this.edgeSubnets) {
      if (c.overlaps(Cidr.parse(otherCidr))) {
        throw BackboneError.of(prop, `${cidr} overlaps the edge subnet ${otherCidr} of app ${other}: give a free /26 of the hub block ${this.addressPlan.hubBlock} outside the hub's subnets and the other apps' edge subnets`);
      }
    }
    return cidr;
  }

  /** The trust's shared HSCN gateway subnet, made with its first HSCN app. */
  private hscnSubnetOf(odsCode: string): HscnGatewaySubnet {
    let subnet = this.hscnSubnets.get(odsCode);
    if (!subnet) {
      const spoke = this.spoke(odsCode);
      subnet = new HscnGatewaySubnet(this.trustStack(odsCode), 'hscn-gateway-subnet', {
        spec: this.spec,
        addressPlan: this.addressPlan,
        odsCode,
        resourceGroupName: spoke.resourceGroup.name,
        virtualNetworkName: spoke.vnet.name,
        routeTableId: spoke.routeTable.id,
      });
      this.hscnSubnets.set(odsCode, subnet);
    }
    return subnet;
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

function keyVaultIdOf(subscriptionId: string, vault: AzureKeyVaultRef): string {
  return `/subscriptions/${subscriptionId}/resourceGroups/${vault.resourceGroupName}/providers/Microsoft.KeyVault/vaults/${vault.name}`;
}

/** Checks one app's ingress options, naming `<prefix>.<field>`; returns a copy. */
function checkIngressOptions(prefix: string, o: AppIngressOptions): AppIngressOptions {
  if (o === null || typeof o !== 'object') {
    throw BackboneError.of(prefix, 'is not an object of ingress options (certificateKeyVault, certificateSecretName, domainName, targetPort, backendAddresses, subnetCidr)');
  }
  const kv = o.certificateKeyVault;
  if (kv !== undefined) {
    if (typeof kv?.name !== 'string' || !/^[a-zA-Z][a-zA-Z0-9-]{1,22}[a-zA-Z0-9]$/.test(kv.name) || kv.name.includes('--')) {
      throw BackboneError.of(`${prefix}.certificateKeyVault.name`, `${JSON.stringify(kv?.name)} is not a Key Vault name (3-24 letters, digits and single hyphens, starting with a letter)`);
    }
    if (typeof kv.resourceGroupName !== 'string' || !/^[-\w.()]{1,90}$/.test(kv.resourceGroupName) || kv.resourceGroupName.endsWith('.')) {
      throw BackboneError.of(`${prefix}.certificateKeyVault.resourceGroupName`, `${JSON.stringify(kv.resourceGroupName)} is not a resource group name (1-90 letters, digits, '-', '_', '.', '(', ')')`);
    }
  }
  if (o.certificateSecretName !== undefined && (typeof o.certificateSecretName !== 'string' || !/^[A-Za-z0-9-]{1,127}$/.test(o.certificateSecretName))) {
    throw BackboneError.of(`${prefix}.certificateSecretName`, `${JSON.stringify(o.certificateSecretName)} is not a Key Vault certificate name (1-127 letters, digits and hyphens)`);
  }
  if (o.domainName !== undefined && !(typeof o.domainName === 'string' && (Token.isUnresolved(o.domainName) || /^([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}$/.test(o.domainName)))) {
    throw BackboneError.of(`${prefix}.domainName`, `${JSON.stringify(o.domainName)} is not a DNS name (lower case, e.g. reporting.example.nhs.uk)`);
  }
  if (o.targetPort !== undefined && (!Number.isInteger(o.targetPort) || o.targetPort < 1 || o.targetPort > 65535)) {
    throw BackboneError.of(`${prefix}.targetPort`, `${JSON.stringify(o.targetPort)} is not a TCP port (1-65535)`);
  }
  if (o.subnetCidr !== undefined && !(typeof o.subnetCidr === 'string' && Cidr.tryParse(o.subnetCidr)?.toString() === o.subnetCidr)) {
    throw BackboneError.of(`${prefix}.subnetCidr`, `${JSON.stringify(o.subnetCidr)} is not a CIDR block (its network address and prefix, e.g. 10.180.6.0/26)`);
  }
  if (o.backendAddresses !== undefined && (o.backendAddresses === null || typeof o.backendAddresses !== 'object')) {
    throw BackboneError.of(`${prefix}.backendAddresses`, 'is not a map of ODS code to addresses');
  }
  return {
    ...o,
    certificateKeyVault: kv ? { ...kv } : undefined,
    backendAddresses: o.backendAddresses
      ? Object.fromEntries(Object.entries(o.backendAddresses).map(([k, v]) => [k, Array.isArray(v) ? [...v] : v]))
      : undefined,
  };
}

/** Checks that each backend address is in the app's /27 of a trust it serves. */
function checkBackendAddresses(prefix: string, plan: AddressPlan, app: AppSpec, given: { [odsCode: string]: string[] } | undefined): void {
  const trusts = app.trusts ?? [];
  for (const [ods, addresses] of Object.entries(given ?? {})) {
    if (!trusts.includes(ods)) throw BackboneError.of(`${prefix}.${ods}`, `"${ods}" is not a trust app ${app.name} serves (${trusts.join(', ') || 'none'})`);
    if (!Array.isArray(addresses)) throw BackboneError.of(`${prefix}.${ods}`, 'is not a list of addresses');
    const block = Cidr.parse(plan.appSubnet(ods, app.name));
    addresses.forEach((a, i) => {
      const one = typeof a === 'string' ? Cidr.tryParse(`${a}/32`) : undefined;
      if (!one || !block.contains(one)) throw BackboneError.of(`${prefix}.${ods}[${i}]`, `${JSON.stringify(a)} is not an address in app ${app.name}'s subnet ${block} in trust ${ods}`);
    });
  }
}
