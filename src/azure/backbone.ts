import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import { AzurermBackend, LocalBackend, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { AddressLock, AddressPlan } from '../core/address-plan';
import { BackboneSpec } from '../core/backbone-spec';
import { BackboneError } from '../core/errors';
import { NameKind } from '../core/naming';
import { HubNetwork } from './network/hub-network';
import { TrustSpoke } from './network/trust-spoke';
import { AzureFirewallTier, AzureKeyVaultRef, AzureNetworkWatcherRef } from './network/types';

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
}

/**
 * The NHS backbone on Azure (CDK for Terraform): one Terraform stack (and
 * state) for the hub and one per trust.
 */
export class Backbone extends Construct {
  public readonly spec: BackboneSpec;
  public readonly addressPlan: AddressPlan;
  public readonly hubStack: TerraformStack;
  public readonly hub: HubNetwork;
  private readonly spokes = new Map<string, TrustSpoke>();

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
    }
  }

  /** The stack of a trust. */
  public trustStack(odsCode: string): TerraformStack {
    return this.spoke(odsCode).node.scope as TerraformStack;
  }

  /** A trust's spoke. */
  public spoke(odsCode: string): TrustSpoke {
    const s = this.spokes.get(odsCode);
    if (!s) throw BackboneError.of('odsCode', `"${odsCode}" is not a trust of backbone ${this.spec.name}`);
    return s;
  }
}
