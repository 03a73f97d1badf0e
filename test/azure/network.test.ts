import { readFileSync } from 'fs';
import { join } from 'path';
import { Testing } from 'cdktf';
import { Backbone } from '../../src/azure/backbone';
import { TrustSubnet } from '../../src/core/address-plan';
import { BackboneSpec } from '../../src/core/backbone-spec';
import { Cidr } from '../../src/core/cidr';
import { BackboneError } from '../../src/core/errors';
import { NhsTagKey } from '../../src/core/tags';
import { SMALL, smallSpec } from '../support/specs';
import { TfJson } from '../support/terraform';

const spec = smallSpec();
const app = Testing.app();
const backbone = new Backbone(app, 'backbone', { spec });
const plan = backbone.addressPlan;
const hub = TfJson.of(backbone.hubStack);
const trusts = spec.trusts.map((t) => t.odsCode);
const spokes: Record<string, TfJson> = Object.fromEntries(trusts.map((t) => [t, TfJson.of(backbone.trustStack(t))]));
const firewallSubnet = Cidr.parse(plan.hubSubnet('firewall' as any)).subnet(26, 0).toString();
const firewallIp = Cidr.parse(firewallSubnet).address(4);

const byName = (tf: TfJson, type: string, name: string) => tf.resources(type).map(([, c]) => c).find((c) => c.name === name);

describe('hub VNet', () => {
  test('is addressed from the plan', () => {
    expect(hub.only('azurerm_virtual_network').address_space).toEqual([plan.hubBlock]);
    const subnets = Object.fromEntries(hub.resources('azurerm_subnet').map(([, c]) => [c.name, c.address_prefixes[0]]));
    expect(subnets.AzureFirewallSubnet).toBe(firewallSubnet);
    expect(firewallSubnet.endsWith('/26')).toBe(true);
    expect(Cidr.parse(plan.hubSubnet('firewall' as any)).contains(Cidr.parse(subnets.AzureFirewallSubnet))).toBe(true);
    expect(Cidr.parse(plan.hubSubnet('gateway' as any)).contains(Cidr.parse(subnets.GatewaySubnet))).toBe(true);
    const dns = Cidr.parse(plan.hubSubnet('dns' as any));
    const dnsSubnets = hub.resources('azurerm_subnet').map(([, c]) => c).filter((c) => c.delegation?.[0]?.service_delegation?.name === 'Microsoft.Network/dnsResolvers');
    expect(dnsSubnets).toHaveLength(2);
    for (const s of dnsSubnets) expect(dns.contains(Cidr.parse(s.address_prefixes[0]))).toBe(true);
    expect(Object.values(subnets)).toContain(plan.hubSubnet('endpoints' as any));
  });
});

describe('firewall', () => {
  const policy = hub.only('azurerm_firewall_policy');
  const groups = hub.resources('azurerm_firewall_policy_rule_collection_group').map(([, c]) => c);

  test('policy: threat intelligence Deny, DNS proxy on, Premium with IDPS deny', () => {
    expect(policy.threat_intelligence_mode).toBe('Deny');
    expect(policy.dns.proxy_enabled).toBe(true);
    expect(policy.sku).toBe('Premium');
    expect(policy.intrusion_detection.mode).toBe('Deny');
    const fw = hub.only('azurerm_firewall');
    expect(fw.sku_tier).toBe('Premium');
    expect(fw.firewall_policy_id).toMatch(/azurerm_firewall_policy\..*\.id/);
  });

  test('default deny is the last rule collection group, for network and application rules', () => {
    const last = groups.reduce((a, b) => (a.priority > b.priority ? a : b));
    expect(last.priority).toBe(65000);
    expect(last.application_rule_collection[0]).toMatchObject({ action: 'Deny', priority: 65000 });
    expect(last.application_rule_collection[0].rule[0].destination_fqdns).toEqual(['*']);
    const net = last.network_rule_collection[0];
    expect(net.action).toBe('Deny');
    // Ports 80/443 go on to the application rules (network rules run first).
    expect(net.rule[0].destination_ports).toEqual(['1-79', '81-442', '444-65535']);
    for (const g of groups.filter((x) => x !== last)) {
      for (const c of [...(g.application_rule_collection ?? []), ...(g.network_rule_collection ?? [])]) expect(c.priority).toBeLessThan(64900);
    }
  });

  test('the only application allow is HTTPS to the egress allow list', () => {
    const allows = groups.flatMap((g) => g.application_rule_collection ?? []).filter((c) => c.action === 'Allow');
    expect(allows).toHaveLength(1);
    expect(allows[0].rule).toHaveLength(1);
    expect(allows[0].rule[0].destination_fqdns).toEqual(SMALL.network!.egressAllowList);
    expect(allows[0].rule[0].protocols).toEqual([{ type: 'Https', port: 443 }]);
    expect(allows[0].rule[0].source_addresses).toEqual([plan.addressPool]);
  });

  test('trust-to-trust traffic is denied except between the app subnets of an app serving both', () => {
    const net = groups.flatMap((g) => (g.network_rule_collection ?? []).map((c: any) => ({ ...c, group: g.priority })));
    const deny = net.find((c) => c.name === 'deny-trust-to-trust');
    expect(deny.action).toBe('Deny');
    expect(deny.rule[0]).toMatchObject({ source_addresses: [plan.addressPool], destination_addresses: [plan.addressPool] });
    const apps = net.find((c) => c.name === 'allow-apps-across-trusts');
    expect(apps.priority).toBeLessThan(deny.priority);
    // ai-triage serves all three trusts; remote-reporting only REM (no cross-trust rule).
    expect(apps.rule.map((r: any) => r.name)).toEqual(['app-ai-triage']);
    const expected = trusts.map((t) => plan.appSubnet(t, 'ai-triage'));
    expect(apps.rule[0].source_addresses).toEqual(expected);
    expect(apps.rule[0].destination_addresses).toEqual(expected);
    expect(apps.rule[0].destination_ports).toEqual(['443']);
    const hscn = net.find((c) => c.name === 'allow-spokes-to-hscn');
    expect(hscn.priority).toBeGreaterThan(deny.priority);
    // Nothing comes in from the HSCN: no modalities (so no DICOM) and no app with hscn ingress.
    expect(net.find((c) => c.name === 'allow-hscn-to-spokes')).toBeUndefined();
    const imagingSubnets = trusts.map((t) => plan.trustSubnet(t, TrustSubnet.IMAGING));
    const rules = net.flatMap((c) => c.rule);
    expect(rules.filter((r: any) => (r.destination_addresses ?? []).some((d: string) => imagingSubnets.includes(d)))).toEqual([]);
  });

  test('diagnostics go to the central workspace and storage account', () => {
    const diag = hub.resources('azurerm_monitor_diagnostic_setting').map(([, c]) => c).find((c) => /azurerm_firewall\./.test(c.target_resource_id));
    expect(diag.log_analytics_workspace_id).toMatch(/azurerm_log_analytics_workspace\./);
    expect(diag.storage_account_id).toMatch(/azurerm_storage_account\./);
    expect(diag.enabled_log).toEqual([{ category_group: 'allLogs' }]);
  });
});

describe('spokes', () => {
  test.each(trusts)('%s: VNet and subnets from the address plan', (ods) => {
    const tf = spokes[ods];
    expect(tf.only('azurerm_virtual_network').address_space).toEqual([plan.trustBlock(ods)]);
    const prefixes = tf.resources('azurerm_subnet').map(([, c]) => c.address_prefixes[0]).sort();
    const expected = [TrustSubnet.WORKLOAD, TrustSubnet.DATA, TrustSubnet.IMAGING].map((r) => plan.trustSubnet(ods, r))
      .concat(spec.appsServing(ods).map((a) => plan.appSubnet(ods, a.name))).sort();
    expect(prefixes).toEqual(expected);
  });

  test.each(trusts)('%s: peered with the hub both ways and with no other spoke', (ods) => {
    const tf = spokes[ods];
    const peerings = tf.resources('azurerm_virtual_network_peering').map(([, c]) => c);
    expect(peerings).toHaveLength(2);
    const toHub = peerings.find((p) => p.virtual_network_name.includes('azurerm_virtual_network'));
    const fromHub = peerings.find((p) => p !== toHub);
    expect(toHub.remote_virtual_network_id).toMatch(new RegExp(`/resourceGroups/${spec.naming.hub('network', 'azure-resource-group' as any)}/providers/Microsoft.Network/virtualNetworks/${spec.naming.hub('vnet')}$`));
    expect(toHub.use_remote_gateways).toBe(true);
    expect(fromHub.virtual_network_name).toBe(spec.naming.hub('vnet'));
    expect(fromHub.allow_gateway_transit).toBe(true);
    expect(fromHub.remote_virtual_network_id).toMatch(/azurerm_virtual_network\./);
    // No reference to any other trust's VNet anywhere in the stack.
    const text = JSON.stringify(tf.json);
    for (const other of trusts.filter((t) => t !== ods)) expect(text).not.toContain(spec.naming.trust(other, 'vnet'));
    expect(hub.resources('azurerm_virtual_network_peering')).toHaveLength(0);
  });

  test.each(trusts)('%s: every subnet routes 0.0.0.0/0 and the backbone to the firewall, BGP propagation off', (ods) => {
    const tf = spokes[ods];
    const rt = tf.only('azurerm_route_table');
    expect(rt.bgp_route_propagation_enabled).toBe(false);
    const routes = Object.fromEntries(rt.route.map((r: any) => [r.address_prefix, r]));
    expect(routes['0.0.0.0/0']).toMatchObject({ next_hop_type: 'VirtualAppliance', next_hop_in_ip_address: firewallIp });
    expect(routes[plan.addressPool]).toMatchObject({ next_hop_type: 'VirtualAppliance', next_hop_in_ip_address: firewallIp });
    for (const other of trusts.filter((t) => t !== ods)) {
      expect(Cidr.parse(plan.addressPool).contains(Cidr.parse(plan.trustBlock(other)))).toBe(true);
    }
    expect(tf.resources('azurerm_subnet_route_table_association')).toHaveLength(tf.resources('azurerm_subnet').length);
    // Return path from the HSCN through the firewall.
    const back = tf.only('azurerm_route');
    expect(back).toMatchObject({ address_prefix: plan.trustBlock(ods), next_hop_in_ip_address: firewallIp, route_table_name: spec.naming.hub('gateway-rt') });
  });

  test.each(trusts)('%s: every subnet has an NSG denying Internet inbound explicitly, then everything', (ods) => {
    const tf = spokes[ods];
    const nsgs = tf.resources('azurerm_network_security_group').map(([, c]) => c);
    expect(nsgs).toHaveLength(tf.resources('azurerm_subnet').length);
    expect(tf.resources('azurerm_subnet_network_security_group_association')).toHaveLength(nsgs.length);
    for (const nsg of nsgs) {
      const rules = nsg.security_rule;
      const internet = rules.find((r: any) => r.source_address_prefix === 'Internet');
      expect(internet).toMatchObject({ access: 'Deny', direction: 'Inbound', destination_port_range: '*' });
      const all = rules.find((r: any) => r.name === 'deny-all-inbound');
      expect(all).toMatchObject({ access: 'Deny', source_address_prefix: '*' });
      for (const r of rules.filter((x: any) => x.access === 'Allow')) {
        expect(r.priority).toBeLessThan(internet.priority);
        expect(r.source_address_prefix).not.toBe('VirtualNetwork');
        expect(r.source_address_prefix).not.toBe('*');
      }
    }
  });

  test.each(trusts)('%s: no modalities, so the imaging subnet is not delegated and allows no DICOM (nothing listens)', (ods) => {
    const tf = spokes[ods];
    const imaging = byName(tf, 'azurerm_subnet', spec.naming.trust(ods, 'imaging'));
    expect(imaging.delegation).toBeUndefined();
    const nsg = byName(tf, 'azurerm_network_security_group', spec.naming.trust(ods, 'imaging-nsg'));
    const allows = nsg.security_rule.filter((r: any) => r.access === 'Allow');
    expect(allows.map((r: any) => [r.name, r.source_address_prefixes, r.destination_port_range])).toEqual([['allow-trust-https', [plan.trustBlock(ods)], '443']]);
    // No subnet of the spoke is delegated without a DIMSE gateway.
    for (const [, c] of tf.resources('azurerm_subnet')) expect(c.delegation).toBeUndefined();
  });

  test.each(trusts)('%s: DNS links: forwarding ruleset and every Private Link zone', (ods) => {
    const tf = spokes[ods];
    const link = tf.only('azurerm_private_dns_resolver_virtual_network_link');
    expect(link.dns_forwarding_ruleset_id).toMatch(new RegExp(`/dnsForwardingRulesets/${spec.naming.hub('dns-ruleset')}$`));
    expect(link.virtual_network_id).toMatch(/azurerm_virtual_network\./);
    const zones = tf.resources('azurerm_private_dns_zone_virtual_network_link').map(([, c]) => c.private_dns_zone_name).sort();
    expect(zones).toEqual(hub.resources('azurerm_private_dns_zone').map(([, c]) => c.name).sort());
  });
});

describe('DNS', () => {
  test('nhs.uk is forwarded to cns0/cns1.nhs.uk on port 53, linked to the hub', () => {
    const rule = hub.only('azurerm_private_dns_resolver_forwarding_rule');
    expect(rule.domain_name).toBe('nhs.uk.');
    expect(rule.target_dns_servers).toEqual([{ ip_address: '155.231.231.1', port: 53 }, { ip_address: '155.231.231.2', port: 53 }]);
    expect(hub.only('azurerm_private_dns_resolver_virtual_network_link').virtual_network_id).toMatch(/azurerm_virtual_network\./);
    expect(hub.resources('azurerm_private_dns_resolver_inbound_endpoint')).toHaveLength(1);
    expect(hub.resources('azurerm_private_dns_resolver_outbound_endpoint')).toHaveLength(1);
  });

  test('Private Link zones of the services the backbone uses, linked to the hub', () => {
    const zones = hub.resources('azurerm_private_dns_zone').map(([, c]) => c.name);
    expect(zones).toEqual(expect.arrayContaining([
      'privatelink.blob.core.windows.net', 'privatelink.vaultcore.azure.net', 'privatelink.dicom.azurehealthcareapis.com', 'privatelink.workspace.azurehealthcareapis.com',
      'privatelink.dfs.core.windows.net', 'privatelink.file.core.windows.net',
    ]));
    const links = hub.resources('azurerm_private_dns_zone_virtual_network_link').map(([, c]) => c);
    expect(links).toHaveLength(zones.length);
    for (const l of links) expect(l.virtual_network_id).toMatch(/azurerm_virtual_network\./);
  });
});

describe('flow logs', () => {
  test('every VNet has a VNet flow log into the hub store, with traffic analytics', () => {
    const hubLog = hub.only('azurerm_network_watcher_flow_log');
    expect(hubLog.target_resource_id).toMatch(/azurerm_virtual_network\./);
    expect(hubLog.storage_account_id).toMatch(/azurerm_storage_account\./);
    expect(hubLog.retention_policy).toEqual({ enabled: true, days: 365 });
    for (const ods of trusts) {
      const log = spokes[ods].only('azurerm_network_watcher_flow_log');
      expect(log.enabled).toBe(true);
      expect(log.target_resource_id).toMatch(/azurerm_virtual_network\./);
      expect(log.storage_account_id).toMatch(new RegExp(`/Microsoft.Storage/storageAccounts/${hub.only('azurerm_storage_account').name}$`));
      expect(log.traffic_analytics.enabled).toBe(true);
      expect(log.network_security_group_id).toBeUndefined();
    }
  });

  test('the central storage account is private, Entra-only, TLS 1.2, versioned and protected', () => {
    const sa = hub.only('azurerm_storage_account');
    expect(sa).toMatchObject({
      min_tls_version: 'TLS1_2',
      public_network_access_enabled: false,
      shared_access_key_enabled: false,
      infrastructure_encryption_enabled: true,
      allow_nested_items_to_be_public: false,
    });
    expect(sa.blob_properties.versioning_enabled).toBe(true);
    expect(sa.lifecycle.prevent_destroy).toBe(true);
  });
});

describe('HSCN VPN', () => {
  const gw = hub.only('azurerm_virtual_network_gateway');
  test('route-based VPN gateway with BGP on the spec ASN and one Standard static public IP', () => {
    expect(gw).toMatchObject({ type: 'Vpn', vpn_type: 'RouteBased', enable_bgp: true });
    expect(gw.sku).toMatch(/^VpnGw/);
    expect(gw.bgp_settings.asn).toBe(spec.network.hscn!.asn);
    const pip = byName(hub, 'azurerm_public_ip', spec.naming.hub('vpngw-pip'));
    expect(pip).toMatchObject({ sku: 'Standard', allocation_method: 'Static' });
  });

  test('a local network gateway and connection per provider endpoint, with the provider ASN', () => {
    const locals = hub.resources('azurerm_local_network_gateway').map(([, c]) => c);
    expect(locals.map((l) => l.gateway_address).sort()).toEqual([...SMALL.network!.hscn!.peerAddresses!].sort());
    for (const l of locals) expect(l.bgp_settings.asn).toBe(SMALL.network!.hscn!.peerAsn);
    expect(hub.resources('azurerm_virtual_network_gateway_connection')).toHaveLength(locals.length);
  });

  test('the shared key only comes from Key Vault by reference', () => {
    const secret = hub.dataSources('azurerm_key_vault_secret');
    expect(secret).toHaveLength(1);
    expect(secret[0][1].name).toBe(spec.network.hscn!.sharedSecretName);
    for (const [, c] of hub.resources('azurerm_virtual_network_gateway_connection')) {
      expect(c.shared_key).toBe(`\${data.azurerm_key_vault_secret.${secret[0][0]}.value}`);
    }
    // No literal shared key anywhere in any stack.
    const all = [hub, ...Object.values(spokes)].map((t) => JSON.stringify(t.json)).join('\n');
    const keys = [...all.matchAll(/"shared_key":\s*"([^"]*)"/g)].map((m) => m[1]);
    expect(keys.length).toBeGreaterThan(0);
    for (const k of keys) expect(k).toMatch(/^\$\{data\.azurerm_key_vault_secret\.[^}]+\.value\}$/);
  });
});

describe('tags', () => {
  const hasTags = new Map<string, boolean>();
  const taggable = (type: string): boolean => {
    if (!hasTags.has(type)) {
      const dts = join(require.resolve('@cdktf/provider-azurerm/package.json'), '..', 'lib', type.replace(/^azurerm_/, '').replace(/_/g, '-'), 'index.d.ts');
      const src = readFileSync(dts, 'utf8');
      const config = src.slice(src.indexOf('Config extends cdktf.TerraformMetaArguments'));
      hasTags.set(type, /\n\s+readonly tags\?:/.test(config.slice(0, config.indexOf('\n}'))));
    }
    return hasTags.get(type)!;
  };

  test('every azurerm resource with a tags argument carries the ODS code', () => {
    let checked = 0;
    for (const [tf, ods] of [[hub, spec.odsCode], ...trusts.map((t) => [spokes[t], t])] as Array<[TfJson, string]>) {
      for (const [type, name, cfg] of tf.all()) {
        if (!taggable(type)) continue;
        checked++;
        expect({ type, name, ods: cfg.tags?.[NhsTagKey.ODS_CODE] }).toEqual({ type, name, ods });
      }
    }
    expect(checked).toBeGreaterThan(50);
  });
});

describe('contract', () => {
  test('TrustSpoke exposes subnets by role and attaches apps on their planned /27', () => {
    const spoke = backbone.spoke('REM');
    expect(spoke.odsCode).toBe('REM');
    expect(spoke.subnet(TrustSubnet.DATA).cidr).toBe(plan.trustSubnet('REM', TrustSubnet.DATA));
    const s = spoke.attachApp('remote-reporting');
    expect(s.cidr).toBe(plan.appSubnet('REM', 'remote-reporting'));
    expect(spoke.attachApp('remote-reporting')).toBe(s);
    expect(() => spoke.subnet(TrustSubnet.TRANSIT)).toThrow(/role/);
  });

  test('attaching an app that does not serve the trust is refused', () => {
    const err = catchError(() => backbone.spoke('RBS').attachApp('remote-reporting'));
    expect(BackboneError.isBackboneError(err)).toBe(true);
    expect(err.message).toMatch(/^appName: app "remote-reporting" does not serve trust RBS/);
  });

  test('a bad peer address is refused naming its path', () => {
    const err = catchError(() => BackboneSpec.fromProps({
      ...SMALL,
      network: { ...SMALL.network, hscn: { ...SMALL.network!.hscn!, peerAddresses: ['203.0.113.300'] } },
    }));
    expect(BackboneError.isBackboneError(err)).toBe(true);
    expect(err.message).toMatch(/network\.hscn\.peerAddresses\[0\]: "?203\.0\.113\.300"? is not an IPv4 address/);
  });
});

function catchError(f: () => unknown): any {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error('expected an error');
}
