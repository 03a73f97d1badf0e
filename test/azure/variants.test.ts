import { Testing } from 'cdktf';
import { Backbone } from '../../src/azure/backbone';
import { AzureFirewallTier } from '../../src/azure/network/types';
import { HscnConnectionType } from '../../src/core/spec';
import { SMALL, smallSpec } from '../support/specs';
import { TfJson } from '../support/terraform';

function synth(network: any, props: { firewallTier?: AzureFirewallTier } = {}) {
  const spec = smallSpec({ trusts: SMALL.trusts.slice(0, 2), network });
  const b = new Backbone(Testing.app(), 'backbone', { spec, ...props });
  return { spec, hub: TfJson.of(b.hubStack), spoke: TfJson.of(b.trustStack('REM')) };
}

const privateLink = synth({ ...SMALL.network, hscn: { connection: HscnConnectionType.PRIVATE, peerAsn: 65010 } });
const none = synth({ egressAllowList: [] }, { firewallTier: AzureFirewallTier.STANDARD });

describe('HSCN over a private circuit', () => {
  test('an ExpressRoute gateway, no VPN pieces, no key read', () => {
    const gw = privateLink.hub.only('azurerm_virtual_network_gateway');
    expect(gw.type).toBe('ExpressRoute');
    expect(gw.sku).toMatch(/^ErGw/);
    expect(privateLink.hub.resources('azurerm_local_network_gateway')).toHaveLength(0);
    expect(privateLink.hub.resources('azurerm_virtual_network_gateway_connection')).toHaveLength(0);
    expect(privateLink.hub.dataSources('azurerm_key_vault_secret')).toHaveLength(0);
  });

  test('spokes still use the hub gateway and nhs.uk is still forwarded', () => {
    const toHub = privateLink.spoke.resources('azurerm_virtual_network_peering').map(([, c]) => c).find((p) => p.use_remote_gateways);
    expect(toHub).toBeDefined();
    expect(privateLink.hub.only('azurerm_private_dns_resolver_forwarding_rule').domain_name).toBe('nhs.uk.');
  });
});

describe('no HSCN, no egress allow list, Standard firewall', () => {
  test('no gateway, no gateway transit, no return route, no nhs.uk forwarding', () => {
    expect(none.hub.resources('azurerm_virtual_network_gateway')).toHaveLength(0);
    // The firewall's egress address; besides it only the internet app's edge (remote-reporting) has one.
    expect(none.hub.resources('azurerm_public_ip').map(([, c]) => c.tags.app ?? 'firewall').sort()).toEqual(['firewall', 'remote-reporting']);
    for (const [, p] of none.spoke.resources('azurerm_virtual_network_peering')) {
      expect(p.use_remote_gateways).toBe(false);
      expect(p.allow_gateway_transit).toBe(false);
    }
    expect(none.spoke.resources('azurerm_route')).toHaveLength(0);
    expect(none.hub.resources('azurerm_private_dns_resolver_forwarding_rule')).toHaveLength(0);
    // Spokes still link the ruleset, so a rule added later reaches them.
    expect(none.spoke.resources('azurerm_private_dns_resolver_virtual_network_link')).toHaveLength(1);
  });

  test('no application allow at all: everything leaving is denied', () => {
    const groups = none.hub.resources('azurerm_firewall_policy_rule_collection_group').map(([, c]) => c);
    const allows = groups.flatMap((g) => g.application_rule_collection ?? []).filter((c: any) => c.action === 'Allow');
    expect(allows).toHaveLength(0);
    const nets = groups.flatMap((g) => g.network_rule_collection ?? []);
    expect(nets.filter((c: any) => c.action === 'Allow').map((c: any) => c.name)).toEqual(['allow-apps-across-trusts']);
  });

  test('Standard tier: no IDPS block, policy and firewall tiers match', () => {
    const policy = none.hub.only('azurerm_firewall_policy');
    expect(policy.sku).toBe('Standard');
    expect(policy.intrusion_detection).toBeUndefined();
    expect(none.hub.only('azurerm_firewall').sku_tier).toBe('Standard');
  });
});
