import { Firewall } from '@cdktf/provider-azurerm/lib/firewall';
import { FirewallPolicy } from '@cdktf/provider-azurerm/lib/firewall-policy';
import {
  FirewallPolicyRuleCollectionGroup,
  FirewallPolicyRuleCollectionGroupNetworkRuleCollection,
  FirewallPolicyRuleCollectionGroupNetworkRuleCollectionRule,
} from '@cdktf/provider-azurerm/lib/firewall-policy-rule-collection-group';
import { PublicIp } from '@cdktf/provider-azurerm/lib/public-ip';
import { Construct } from 'constructs';
import { HSCN_DESTINATIONS, HSCN_PORTS, HubNames, hscnAppGatewayAddress } from './hub-names';
import { NetworkLogStore } from './log-store';
import { AzureFirewallTier } from './types';
import { AddressPlan, TrustSubnet } from '../../core/address-plan';
import { BackboneSpec } from '../../core/backbone-spec';
import { AppIngress } from '../../core/spec';

/** Props of the hub's firewall. */
export interface HubFirewallProps {
  /** The validated backbone spec. */
  readonly spec: BackboneSpec;
  /** The backbone's address plan. */
  readonly addressPlan: AddressPlan;
  /** The hub's resource group. */
  readonly resourceGroupName: string;
  /** ID of AzureFirewallSubnet. */
  readonly subnetId: string;
  /** Where diagnostics go. */
  readonly logStore: NetworkLogStore;
  /**
   * The firewall's tier.
   * @default AzureFirewallTier.PREMIUM
   */
  readonly tier?: AzureFirewallTier;
}

/** Priorities of the rule collection groups (lower runs first within a rule type). */
export enum FirewallRulePriority {
  /** Network rules between trusts and to/from the HSCN. */
  NETWORK = 200,
  /** Application rules: the egress allow list. */
  EGRESS = 300,
  /** The explicit catch-all deny, last. */
  DEFAULT_DENY = 65000,
}

/**
 * The hub's Azure Firewall and its policy. Azure Firewall denies what no rule
 * allows; the policy says so explicitly with a last rule collection group that
 * denies all non-web traffic (network rules) and all web traffic (application
 * rules). Network rules run before application rules whatever their priority,
 * so the network catch-all leaves ports 80/443 to the application rules, where
 * only the spec's egress allow list (HTTPS, by server name) is allowed before
 * the final deny.
 */
export class HubFirewall extends Construct {
  public readonly firewall: Firewall;
  public readonly policy: FirewallPolicy;
  /** The firewall's private address (the 4th of AzureFirewallSubnet). */
  public readonly privateIp: string;
  private readonly networkGroup: FirewallPolicyRuleCollectionGroup;
  private readonly spec: BackboneSpec;
  private readonly plan: AddressPlan;

  constructor(scope: Construct, id: string, props: HubFirewallProps) {
    super(scope, id);
    const { spec, addressPlan: plan } = props;
    const names = new HubNames(spec, plan);
    const tags = spec.tagsFor();
    const location = names.location;
    const tier = props.tier ?? AzureFirewallTier.PREMIUM;
    this.privateIp = names.firewallPrivateIp;
    const pool = plan.addressPool;

    this.policy = new FirewallPolicy(this, 'Policy', {
      name: names.firewallPolicy,
      resourceGroupName: props.resourceGroupName,
      location,
      sku: tier,
      threatIntelligenceMode: 'Deny',
      dns: { proxyEnabled: true },
      // Not SNATed: private ranges and the HSCN (reached over the VPN, where
      // the firewall's public address means nothing).
      privateIpRanges: ['IANAPrivateRanges', ...HSCN_DESTINATIONS.filter((d) => !d.startsWith('10.'))],
      intrusionDetection: tier === AzureFirewallTier.PREMIUM ? { mode: 'Deny' } : undefined,
      tags,
    });

    const networkGroup = new FirewallPolicyRuleCollectionGroup(this, 'NetworkRules', {
      name: 'backbone-network',
      firewallPolicyId: this.policy.id,
      priority: FirewallRulePriority.NETWORK,
      networkRuleCollection: networkRules(spec, plan),
    });
    this.networkGroup = networkGroup;
    this.spec = spec;
    this.plan = plan;

    // Application rules: the egress allow list.
    const egress = spec.network.egressAllowList ?? [];
    let previous = networkGroup;
    if (egress.length > 0) {
      previous = new FirewallPolicyRuleCollectionGroup(this, 'EgressRules', {
        name: 'backbone-egress',
        firewallPolicyId: this.policy.id,
        priority: FirewallRulePriority.EGRESS,
        applicationRuleCollection: [{
          name: 'allow-egress-allow-list',
          priority: 310,
          action: 'Allow',
          rule: [{
            name: 'egress-allow-list',
            description: 'network.egressAllowList: HTTPS to these server names only',
            sourceAddresses: [pool],
            protocols: [{ type: 'Https', port: 443 }],
            destinationFqdns: egress,
          }],
        }],
        dependsOn: [networkGroup],
      });
    }

    // The explicit default deny, last.
    new FirewallPolicyRuleCollectionGroup(this, 'DefaultDeny', {
      name: 'default-deny',
      firewallPolicyId: this.policy.id,
      priority: FirewallRulePriority.DEFAULT_DENY,
      networkRuleCollection: [{
        name: 'deny-all-non-web',
        priority: 64900,
        action: 'Deny',
        rule: [
          {
            name: 'deny-tcp-udp-except-web',
            description: 'Ports 80 and 443 go on to the application rules, which end in deny-all',
            protocols: ['TCP', 'UDP'],
            sourceAddresses: ['*'],
            destinationAddresses: ['*'],
            destinationPorts: ['1-79', '81-442', '444-65535'],
          },
          {
            name: 'deny-icmp',
            protocols: ['ICMP'],
            sourceAddresses: ['*'],
            destinationAddresses: ['*'],
            destinationPorts: ['*'],
          },
        ],
      }],
      applicationRuleCollection: [{
        name: 'deny-all-web',
        priority: 65000,
        action: 'Deny',
        rule: [{
          name: 'deny-all',
          sourceAddresses: ['*'],
          protocols: [{ type: 'Http', port: 80 }, { type: 'Https', port: 443 }],
          destinationFqdns: ['*'],
        }],
      }],
      // Azure updates one rule collection group of a policy at a time.
      dependsOn: [previous],
    });

    const pip = new PublicIp(this, 'PublicIp', {
      name: spec.naming.hub('fw-pip'),
      resourceGroupName: props.resourceGroupName,
      location,
      sku: 'Standard',
      allocationMethod: 'Static',
      zones: ['1', '2', '3'],
      tags,
    });
    this.firewall = new Firewall(this, 'Resource', {
      name: names.firewall,
      resourceGroupName: props.resourceGroupName,
      location,
      skuName: 'AZFW_VNet',
      skuTier: tier,
      firewallPolicyId: this.policy.id,
      zones: ['1', '2', '3'],
      ipConfiguration: [{ name: 'egress', subnetId: props.subnetId, publicIpAddressId: pip.id }],
      tags,
    });
    props.logStore.diagnose(this, 'Diagnostics', this.firewall.id);
  }

  /**
   * Recomputes the network rules that name apps (between the trusts an app
   * serves; from the HSCN to its trusts' application gateway subnets) from
   * the spec's apps as they are now: the Backbone calls it after
   * `spec.addApp` so that apps added in code get the same rules.
   */
  public refreshAppRules(): void {
    this.networkGroup.putNetworkRuleCollection(networkRules(this.spec, this.plan));
  }
}

/**
 * The network rule collections: apps across trusts, isolation of trusts, the
 * HSCN (DICOM to the DIMSE gateways, HTTPS to the HSCN apps' gateways).
 */
function networkRules(spec: BackboneSpec, plan: AddressPlan): FirewallPolicyRuleCollectionGroupNetworkRuleCollection[] {
  const pool = plan.addressPool;
  const network: FirewallPolicyRuleCollectionGroupNetworkRuleCollection[] = [];
  const appRules: FirewallPolicyRuleCollectionGroupNetworkRuleCollectionRule[] = [];
  for (const app of spec.apps) {
    const trusts = app.trusts ?? [];
    if (trusts.length < 2) continue;
    const subnets = trusts.map((t) => plan.appSubnet(t, app.name));
    appRules.push({
      name: `app-${app.name}`,
      description: `${app.name} between the trusts it serves (its app subnets only)`,
      protocols: ['TCP'],
      sourceAddresses: subnets,
      destinationAddresses: subnets,
      destinationPorts: ['443'],
    });
  }
  if (appRules.length > 0) {
    network.push({ name: 'allow-apps-across-trusts', priority: 210, action: 'Allow', rule: appRules });
  }
  network.push({
    name: 'deny-trust-to-trust',
    priority: 220,
    action: 'Deny',
    rule: [{
      name: 'isolate-trusts',
      description: 'Trusts are isolated: nothing else crosses between backbone addresses',
      protocols: ['Any'],
      sourceAddresses: [pool],
      destinationAddresses: [pool],
      destinationPorts: ['*'],
    }],
  });
  if (spec.network.hscn) {
    // DICOM from each trust's modalities (their /32s) to that trust's DIMSE
    // gateway subnet, on the gateway port only.
    const inbound: FirewallPolicyRuleCollectionGroupNetworkRuleCollectionRule[] = [];
    for (const t of spec.trusts) {
      const hosts = [...new Set(spec.modalitiesOf(t.odsCode).map((m) => `${m.host}/32`))].sort();
      if (hosts.length === 0) continue;
      inbound.push({
        name: `hscn-dicom-to-${t.odsCode.toLowerCase()}`,
        description: `The modalities of ${t.odsCode} send DICOM (DIMSE) to its gateway`,
        protocols: ['TCP'],
        sourceAddresses: hosts,
        destinationAddresses: [plan.trustSubnet(t.odsCode, TrustSubnet.IMAGING)],
        destinationPorts: [String(spec.imaging.gateway?.port ?? 11112)],
      });
    }
    for (const app of spec.apps.filter((a) => a.ingress === AppIngress.HSCN && (a.trusts ?? []).length > 0)) {
      inbound.push({
        name: `hscn-to-app-${app.name}`,
        description: `${app.name} is reached from the HSCN at its application gateway in each trust it serves (HTTPS)`,
        protocols: ['TCP'],
        sourceAddresses: HSCN_DESTINATIONS,
        destinationAddresses: (app.trusts ?? []).map((t) => `${hscnAppGatewayAddress(plan, t, app.name)}/32`),
        destinationPorts: ['443'],
      });
    }
    network.push({
      name: 'allow-spokes-to-hscn',
      priority: 230,
      action: 'Allow',
      rule: [{
        name: 'spokes-to-hscn',
        description: 'Trust workloads reach HSCN services: HTTPS and DICOM',
        protocols: ['TCP'],
        sourceAddresses: [pool],
        destinationAddresses: HSCN_DESTINATIONS,
        destinationPorts: HSCN_PORTS,
      }],
    });
    if (inbound.length > 0) network.push({ name: 'allow-hscn-to-spokes', priority: 240, action: 'Allow', rule: inbound });
  }
  return network;
}
