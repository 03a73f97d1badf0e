import { TerraformStack, Testing } from 'cdktf';
import { HubSubnet, TrustSubnet } from '../../src/core/address-plan';
import { BackboneSpec } from '../../src/core/backbone-spec';
import { Cidr } from '../../src/core/cidr';
import { BackboneError } from '../../src/core/errors';
import { HscnConnectionType } from '../../src/core/spec';
import { Backbone } from '../../src/gcp/backbone';
import { SMALL, smallSpec } from '../support/specs';
import { TfJson } from '../support/terraform';

// One synthesis of the small spec, shared by every test.
const spec = smallSpec();
const app = Testing.app();
const backbone = new Backbone(app, 'backbone', { spec });
const plan = backbone.addressPlan;
const HUB_PROJECT = 'test-backbone-hub-prod';
const hub = TfJson.of(backbone.hubStack);
const trusts = spec.trusts.map((t) => t.odsCode);
const spokeStack = (ods: string) => backbone.spoke(ods).node.scope as TerraformStack;
const spokes = new Map(trusts.map((ods) => [ods, TfJson.of(spokeStack(ods))]));
const all: Array<[string, TfJson]> = [['hub', hub], ...spokes.entries()];

const one = (tf: TfJson, type: string, pred: (c: any) => boolean) => {
  const found = tf.resources(type).map(([, c]) => c).filter(pred);
  if (found.length !== 1) throw new Error(`expected one ${type} matching, found ${found.length}`);
  return found[0];
};
const rules = (tf: TfJson) => tf.resources('google_compute_network_firewall_policy_rule').map(([, c]) => c);
const tokenOf = (tf: TfJson, type: string, name?: string) => {
  const r = tf.resources(type).filter(([, c]) => name === undefined || c.name === name);
  if (r.length !== 1) throw new Error(`expected one ${type} ${name ?? ''}, found ${r.length}`);
  return r[0][0];
};

describe('addresses come from the address plan', () => {
  test('hub subnets', () => {
    const cidrs = hub.resources('google_compute_subnetwork').map(([, c]) => c.ip_cidr_range).sort();
    expect(cidrs).toEqual([HubSubnet.ENDPOINTS, HubSubnet.EGRESS, HubSubnet.MANAGEMENT, HubSubnet.SHARED].map((s) => plan.hubSubnet(s)).sort());
  });

  test.each(trusts)('trust %s: workload, data, imaging and one /27 per app it serves', (ods) => {
    const tf = spokes.get(ods)!;
    const cidrs = tf.resources('google_compute_subnetwork').map(([, c]) => c.ip_cidr_range).sort();
    const expected = [
      ...[TrustSubnet.WORKLOAD, TrustSubnet.DATA, TrustSubnet.IMAGING].map((s) => plan.trustSubnet(ods, s)),
      ...spec.appsServing(ods).map((a) => plan.appSubnet(ods, a.name)),
    ].sort();
    expect(cidrs).toEqual(expected);
    const block = Cidr.parse(plan.trustBlock(ods));
    for (const c of cidrs) expect(block.contains(Cidr.parse(c))).toBe(true);
  });

  test('the PSC endpoint address is in the hub block and outside every subnet', () => {
    const addr = one(hub, 'google_compute_global_address', (c) => c.purpose === 'PRIVATE_SERVICE_CONNECT').address;
    const ip = Cidr.parse(`${addr}/32`);
    expect(Cidr.parse(plan.hubBlock).contains(ip)).toBe(true);
    for (const [, tf] of all) {
      for (const [, s] of tf.resources('google_compute_subnetwork')) expect(Cidr.parse(s.ip_cidr_range).contains(ip)).toBe(false);
    }
  });
});

describe('firewall: deny by default on every network', () => {
  test.each(all.map(([n]) => n))('%s: explicit, logged deny of all ingress, associated with the network, evaluated first', (n) => {
    const tf = all.find(([k]) => k === n)![1];
    const deny = one(tf, 'google_compute_network_firewall_policy_rule', (r) => r.direction === 'INGRESS' && r.action === 'deny');
    expect(deny.match.src_ip_ranges).toEqual(['0.0.0.0/0']);
    expect(deny.match.layer4_configs).toEqual([{ ip_protocol: 'all' }]);
    expect(deny.enable_logging).toBe(true);
    expect(deny.priority).toBe(65000);
    const net = tokenOf(tf, 'google_compute_network');
    const assoc = tf.only('google_compute_network_firewall_policy_association');
    expect(assoc.attachment_target).toBe(`\${google_compute_network.${net}.id}`);
    expect(tf.only('google_compute_network').network_firewall_policy_enforcement_order).toBe('BEFORE_CLASSIC_FIREWALL');
    // nothing allows ingress from anywhere
    for (const r of rules(tf).filter((x) => x.direction === 'INGRESS' && x.action === 'allow')) {
      expect(r.match.src_ip_ranges).not.toContain('0.0.0.0/0');
      expect(r.match.dest_ip_ranges?.length).toBeGreaterThan(0);
    }
  });

  test('IAP reaches only the hub management subnet; no spoke allows IAP', () => {
    const iap = one(hub, 'google_compute_network_firewall_policy_rule', (r) => (r.match.src_ip_ranges ?? []).includes('35.235.240.0/20'));
    expect(iap.match.dest_ip_ranges).toEqual([plan.hubSubnet(HubSubnet.MANAGEMENT)]);
    for (const tf of spokes.values()) {
      expect(rules(tf).some((r) => (r.match.src_ip_ranges ?? []).includes('35.235.240.0/20'))).toBe(false);
    }
  });

  test('health checks reach only apps with ingress (remote-reporting at REM), not ai-triage', () => {
    const rem = rules(spokes.get('REM')!).filter((r) => (r.match.src_ip_ranges ?? []).includes('35.191.0.0/16'));
    expect(rem.map((r) => r.match.dest_ip_ranges)).toEqual([[plan.appSubnet('REM', 'remote-reporting')]]);
    expect(rules(spokes.get('RBS')!).some((r) => (r.match.src_ip_ranges ?? []).includes('35.191.0.0/16'))).toBe(false);
  });

  test('priorities are unique within each policy', () => {
    for (const [, tf] of all) {
      const p = rules(tf).map((r) => r.priority);
      expect(new Set(p).size).toBe(p.length);
    }
  });
});

describe('egress: only the allow list, everything else denied', () => {
  test.each(all.map(([n]) => n))('%s: exact allow-list names as FQDN objects above a logged deny of 0.0.0.0/0', (n) => {
    const tf = all.find(([k]) => k === n)![1];
    const allow = one(tf, 'google_compute_network_firewall_policy_rule', (r) => r.match.dest_fqdns !== undefined);
    expect(allow.direction).toBe('EGRESS');
    expect(allow.action).toBe('allow');
    expect(allow.match.dest_fqdns).toEqual(['digital.nhs.uk']);
    expect(allow.match.layer4_configs).toEqual([{ ip_protocol: 'tcp', ports: ['443'] }]);
    const deny = one(tf, 'google_compute_network_firewall_policy_rule', (r) => r.direction === 'EGRESS' && r.action === 'deny');
    expect(deny.match.dest_ip_ranges).toEqual(['0.0.0.0/0']);
    expect(deny.enable_logging).toBe(true);
    expect(deny.priority).toBeGreaterThan(allow.priority);
    // no egress allow rule opens the internet by range
    for (const r of rules(tf).filter((x) => x.direction === 'EGRESS' && x.action === 'allow')) {
      expect(r.match.dest_ip_ranges ?? []).not.toContain('0.0.0.0/0');
    }
  });

  test('a wildcard entry (*.nhs.uk) cannot be an FQDN object: it stays denied and a warning says so', () => {
    for (const [, tf] of all) expect(JSON.stringify(tf.json)).not.toContain('*.nhs.uk');
    const warnings = backbone.hub.node.metadata.filter((m) => m.type === '@cdktf/warn').map((m) => String(m.data));
    expect(warnings.some((w) => w.includes('*.nhs.uk') && w.includes('network.egressAllowList'))).toBe(true);
  });

  test('Cloud NAT translates the hub egress subnet only, logging errors and translations', () => {
    const nat = hub.only('google_compute_router_nat');
    expect(nat.source_subnetwork_ip_ranges_to_nat).toBe('LIST_OF_SUBNETWORKS');
    const egress = tokenOf(hub, 'google_compute_subnetwork', 'test-backbone-hub-egress-prod');
    expect(nat.subnetwork).toEqual([{ name: `\${google_compute_subnetwork.${egress}.id}`, source_ip_ranges_to_nat: ['ALL_IP_RANGES'] }]);
    expect(nat.log_config).toEqual({ enable: true, filter: 'ALL' });
    for (const tf of spokes.values()) {
      expect(tf.resources('google_compute_router_nat')).toHaveLength(0);
      // spokes have no internet route, only the Private Google Access VIPs
      expect(tf.resources('google_compute_route').map(([, r]) => r.dest_range)).toEqual(['199.36.153.8/30']);
    }
  });
});

describe('DNS', () => {
  const hubNetworkUrl = `projects/${HUB_PROJECT}/global/networks/test-backbone-hub-vpc-prod`;

  test('the hub forwards nhs.uk to 155.231.231.1 and .2 over the private path', () => {
    const zone = one(hub, 'google_dns_managed_zone', (z) => z.dns_name === 'nhs.uk.');
    expect(zone.visibility).toBe('private');
    expect(zone.forwarding_config.target_name_servers).toEqual([
      { ipv4_address: '155.231.231.1', forwarding_path: 'private' },
      { ipv4_address: '155.231.231.2', forwarding_path: 'private' },
    ]);
    const net = tokenOf(hub, 'google_compute_network');
    expect(zone.private_visibility_config.networks).toEqual([{ network_url: `\${google_compute_network.${net}.id}` }]);
    expect(hub.only('google_compute_network')).toMatchObject({ name: 'test-backbone-hub-vpc-prod', project: HUB_PROJECT });
  });

  test.each(trusts)('trust %s sees nhs.uk through a peering zone to the hub VPC (deterministic id)', (ods) => {
    const tf = spokes.get(ods)!;
    const zone = one(tf, 'google_dns_managed_zone', (z) => z.dns_name === 'nhs.uk.');
    expect(zone.peering_config.target_network.network_url).toBe(hubNetworkUrl);
    const net = tokenOf(tf, 'google_compute_network');
    expect(zone.private_visibility_config.networks).toEqual([{ network_url: `\${google_compute_network.${net}.id}` }]);
  });

  test('DNS query logging on every network; googleapis.com private in every network', () => {
    for (const [, tf] of all) {
      const policy = tf.only('google_dns_policy');
      expect(policy.enable_logging).toBe(true);
      expect(policy.networks).toHaveLength(1);
      expect(one(tf, 'google_dns_managed_zone', (z) => z.dns_name === 'googleapis.com.').visibility).toBe('private');
    }
  });

  test('the hub reaches Google APIs through a Private Service Connect endpoint', () => {
    const fr = hub.only('google_compute_global_forwarding_rule');
    expect(fr.target).toBe('all-apis');
    expect(fr.load_balancing_scheme).toBe('');
    expect(fr.name).toMatch(/^[a-z][a-z0-9]{0,19}$/);
    const addr = one(hub, 'google_compute_global_address', (c) => c.purpose === 'PRIVATE_SERVICE_CONNECT');
    const rec = one(hub, 'google_dns_record_set', (r) => r.name === '*.googleapis.com.');
    expect(rec.rrdatas).toEqual([addr.address]);
  });
});

test('flow logs and Private Google Access on every subnet', () => {
  let n = 0;
  for (const [, tf] of all) {
    for (const [, s] of tf.resources('google_compute_subnetwork')) {
      n++;
      expect(s.private_ip_google_access).toBe(true);
      expect(s.log_config).toEqual({ aggregation_interval: 'INTERVAL_5_SEC', flow_sampling: 1, metadata: 'INCLUDE_ALL_METADATA' });
    }
  }
  expect(n).toBe(4 + 3 * 3 + 4); // hub 4; 3 trusts x (workload, data, imaging); ai-triage x 3 + remote-reporting at REM
});

describe('Network Connectivity Center: STAR, trusts isolated', () => {
  test('a STAR hub with the hub VPC as the only center spoke', () => {
    expect(hub.only('google_network_connectivity_hub')).toMatchObject({
      name: 'test-backbone-hub-ncc-prod', preset_topology: 'STAR', policy_mode: 'PRESET',
    });
    const center = tokenOf(hub, 'google_network_connectivity_group', 'center');
    const spoke = hub.only('google_network_connectivity_spoke');
    expect(spoke.group).toBe(`\${google_network_connectivity_group.${center}.id}`);
  });

  test('the edge group auto-accepts exactly the trusts\' projects', () => {
    const edge = one(hub, 'google_network_connectivity_group', (g) => g.name === 'edge');
    expect(edge.auto_accept.auto_accept_projects).toEqual(trusts.map((t) => `test-backbone-${t.toLowerCase()}-prod`).sort());
  });

  test.each(trusts)('trust %s: exactly one VPC spoke, in the edge group of the hub (ids, not cross-stack references)', (ods) => {
    const tf = spokes.get(ods)!;
    const s = tf.only('google_network_connectivity_spoke');
    const hubId = `projects/${HUB_PROJECT}/locations/global/hubs/test-backbone-hub-ncc-prod`;
    expect(s.hub).toBe(hubId);
    expect(s.group).toBe(`${hubId}/groups/edge`);
    expect(s.project).toBe(`test-backbone-${ods.toLowerCase()}-prod`);
    const net = tokenOf(tf, 'google_compute_network');
    expect(s.linked_vpc_network.uri).toBe(`\${google_compute_network.${net}.self_link}`);
  });

  test('no VPC peering anywhere, no cross-stack plumbing', () => {
    for (const [, tf] of all) {
      expect(tf.resources('google_compute_network_peering')).toHaveLength(0);
      const text = JSON.stringify(tf.json);
      expect(text).not.toContain('terraform_remote_state');
      expect(tf.json.output ?? {}).toEqual({});
    }
  });
});

describe('HSCN', () => {
  test('HA VPN: two tunnels, BGP with the spec ASNs, the shared secret only by Secret Manager reference', () => {
    const tunnels = hub.resources('google_compute_vpn_tunnel').map(([, t]) => t);
    expect(tunnels).toHaveLength(2);
    const [[dsName, ds]] = hub.dataSources('google_secret_manager_secret_version');
    expect(ds.secret).toBe('hscn-vpn-psk');
    for (const t of tunnels) expect(t.shared_secret).toBe(`\${data.google_secret_manager_secret_version.${dsName}.secret_data}`);
    expect(tunnels.map((t) => t.vpn_gateway_interface).sort()).toEqual([0, 1]);
    expect(tunnels.map((t) => t.peer_external_gateway_interface).sort()).toEqual([0, 1]);
    expect(hub.only('google_compute_external_vpn_gateway').interface).toEqual([
      { id: 0, ip_address: '203.0.113.10' }, { id: 1, ip_address: '203.0.113.11' },
    ]);
    const router = one(hub, 'google_compute_router', (r) => r.bgp !== undefined);
    expect(router.bgp.asn).toBe(64512);
    expect(router.bgp.advertised_ip_ranges.map((r: any) => r.range)).toContain('35.199.192.0/19');
    const peers = hub.resources('google_compute_router_peer').map(([, p]) => p);
    expect(peers.map((p) => p.peer_asn)).toEqual([65010, 65010]);
    expect(hub.resources('google_compute_router_interface')).toHaveLength(2);
  });

  test('private: two PARTNER VLAN attachments on the router; no hscn: nothing', () => {
    const hscn = { connection: HscnConnectionType.PRIVATE, peerAsn: 65010 };
    const priv = BackboneSpec.fromProps({ ...SMALL, network: { ...SMALL.network, hscn } });
    const none = BackboneSpec.fromProps({ ...SMALL, network: { egressAllowList: ['digital.nhs.uk'] } });
    const a = Testing.app();
    const p = TfJson.of(new Backbone(a, 'p', { spec: priv }).hubStack);
    const n = TfJson.of(new Backbone(a, 'n', { spec: none }).hubStack);
    const atts = p.resources('google_compute_interconnect_attachment').map(([, x]) => x);
    expect(atts.map((x) => [x.type, x.edge_availability_domain])).toEqual([['PARTNER', 'AVAILABILITY_DOMAIN_1'], ['PARTNER', 'AVAILABILITY_DOMAIN_2']]);
    expect(p.resources('google_compute_vpn_tunnel')).toHaveLength(0);
    for (const t of ['google_compute_vpn_tunnel', 'google_compute_ha_vpn_gateway', 'google_compute_interconnect_attachment', 'google_compute_router_peer']) {
      expect(n.resources(t)).toHaveLength(0);
    }
    expect(n.dataSources('google_secret_manager_secret_version')).toHaveLength(0);
  });
});

test('no resource gets an external IP', () => {
  for (const [, tf] of all) {
    const text = JSON.stringify(tf.json);
    expect(text).not.toContain('access_config');
    expect(text).not.toContain('"EXTERNAL');
    for (const [, a] of tf.resources('google_compute_global_address')) expect(a.address_type).toBe('INTERNAL');
    expect(tf.resources('google_compute_address')).toHaveLength(0);
  }
});

describe('apps', () => {
  test('attachApp returns the app subnet from the plan and a network tag', () => {
    const rem = backbone.spoke('REM');
    const a = rem.attachApp('remote-reporting');
    expect(a.cidr).toBe(plan.appSubnet('REM', 'remote-reporting'));
    expect(a.networkTag).toBe('test-backbone-rem-app-remote-reporting-prod');
    expect(rem.attachApp('remote-reporting')).toBe(a);
    expect(rem.appAttachments.map((x) => x.appName)).toEqual(['ai-triage', 'remote-reporting']);
  });

  test('an app that does not serve the trust, or is unknown, is refused naming appName', () => {
    const rbs = backbone.spoke('RBS');
    const err = (f: () => unknown) => {
      try { f(); } catch (e) { return e; }
      throw new Error('no error');
    };
    const e1 = err(() => rbs.attachApp('remote-reporting')) as BackboneError;
    expect(BackboneError.isBackboneError(e1)).toBe(true);
    expect(e1.problems[0].path).toBe('appName');
    expect(e1.message).toMatch(/does not serve trust RBS/);
    expect(() => rbs.attachApp('nope')).toThrow(/appName: "nope" is not an app/);
  });
});

describe('bad values are refused with the path', () => {
  test('an egress allow-list entry that is not a domain', () => {
    try {
      BackboneSpec.fromProps({ ...SMALL, network: { ...SMALL.network, egressAllowList: ['https://digital.nhs.uk/'] } });
      throw new Error('no error');
    } catch (e) {
      expect(BackboneError.isBackboneError(e)).toBe(true);
      expect((e as BackboneError).problems.map((p) => p.path)).toContain('network.egressAllowList[0]');
    }
  });

  test('a project id that Google would refuse, and a project for an unknown trust', () => {
    expect(() => new Backbone(Testing.app(), 'x', { spec, hubProjectId: 'Hub_Project' })).toThrow(/^hubProjectId: "Hub_Project" is not a Google Cloud project id/);
    expect(() => new Backbone(Testing.app(), 'y', { spec, trustProjectIds: { XYZ: 'xyz-project' } })).toThrow(/^trustProjectIds\.XYZ: "XYZ" is not a trust/);
  });
});
