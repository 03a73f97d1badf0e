import { TerraformStack, Testing } from 'cdktf';
import { InternetAppEdge } from '../../src/azure/apps';
import { Backbone } from '../../src/azure/backbone';
import { AzureCompliance } from '../../src/azure/compliance/acknowledge';
import { AddressLock, HubSubnet } from '../../src/core/address-plan';
import { BackboneSpec } from '../../src/core/backbone-spec';
import { Cidr } from '../../src/core/cidr';
import { expectBackboneError } from '../support/errors';
import { withoutStackTraces } from '../support/quiet-traces';
import { nationalProps, nationalSpec, SMALL, smallSpec } from '../support/specs';
import { TfJson } from '../support/terraform';

const SUB = '00000000-0000-0000-0000-000000000000';
const DOMAIN = 'reporting.example.nhs.uk';
const APP = 'remote-reporting';
const WS = `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/logs`;

const configs = (tf: TfJson, type: string) => tf.resources(type).map(([, c]) => c);
// In the order of `gateways` (names ...-edge-agw, ...-edge2-agw, ...: '-' sorts before digits).
const gatewaysOf = (tf: TfJson) => configs(tf, 'azurerm_application_gateway').filter((g) => g.tags?.app === APP).sort((a, b) => (a.name < b.name ? -1 : 1));
const poolsOf = (g: any): string[] => g.backend_address_pool.map((p: any) => p.name.replace(/^pool-/, '').toUpperCase());

/** The national app's edge on its own, always at the same construct path (stack `hub`, id `edge`). */
type Alone = { edge: InternetAppEdge; tf: TfJson; stack: TerraformStack };
function edgeAlone(spec: BackboneSpec, opts: { lock?: AddressLock; subnetCidr?: string } = {}): Alone {
  return withoutStackTraces(() => {
    const stack = new TerraformStack(Testing.app({ stackTraces: false }), 'hub');
    const edge = new InternetAppEdge(stack, 'edge', {
      spec,
      addressPlan: spec.addressPlan(opts.lock),
      appName: APP,
      resourceGroupName: 'rg-hub',
      virtualNetworkName: 'vnet-hub',
      keyVaultId: '/subscriptions/x/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv-hub',
      certificateSecretId: 'https://kv-hub.vault.azure.net/secrets/remote-reporting-tls',
      logAnalyticsWorkspaceId: WS,
      domainName: DOMAIN,
      subnetCidr: opts.subnetCidr,
    });
    return { edge, tf: TfJson.of(stack), stack };
  });
}

// A national internet app serving 150 trusts, wired by the Backbone: two gateways.
const spec150 = nationalSpec(150, 10);
const ods150 = spec150.trusts.map((t) => t.odsCode);
const national = withoutStackTraces(() => {
  const backbone = new Backbone(Testing.app({ stackTraces: false }), 'backbone', { spec: spec150, subscriptionId: SUB, appIngress: { [APP]: { domainName: DOMAIN } } });
  const sample = [ods150[0], ods150[99], ods150[100], ods150[149]];
  return { backbone, hub: TfJson.of(backbone.hubStack), trusts: new Map(sample.map((o) => [o, TfJson.of(backbone.trustStack(o))])) };
});
const edge150 = national.backbone.app(APP).edge!;
const gateways150 = gatewaysOf(national.hub);

// The same app at 100 trusts (one gateway, as before sharding) and at 150, on their own at the same path.
const alone100 = edgeAlone(nationalSpec(100, 10));
const alone150 = edgeAlone(spec150);

describe('an internet app serving more than 100 trusts', () => {
  test('gets ceil(n/100) WAF_v2 gateways: every trust exactly once, at most 100 pools, listeners and rules on each', () => {
    expect(edge150.gateways).toHaveLength(2);
    expect(gateways150).toHaveLength(2);
    expect(gateways150.map((g) => g.name)).toEqual([spec150.naming.hub(`${APP}-edge-agw`), spec150.naming.hub(`${APP}-edge2-agw`)]);
    const all = gateways150.flatMap(poolsOf);
    expect([...all].sort()).toEqual([...ods150].sort());
    for (const g of gateways150) {
      expect(g.backend_address_pool.length).toBeLessThanOrEqual(InternetAppEdge.MAX_TRUSTS_PER_GATEWAY);
      expect(g.http_listener.length).toBe(g.backend_address_pool.length);
      expect(g.request_routing_rule.length).toBe(g.backend_address_pool.length);
      // Each listener answers its trust's host name and routes to that trust's pool only.
      for (const r of g.request_routing_rule) {
        const ods = r.backend_address_pool_name.replace(/^pool-/, '');
        expect(r.http_listener_name).toBe(`https-${ods}`);
        expect(g.http_listener.find((l: any) => l.name === r.http_listener_name).host_name).toBe(`${ods}.${DOMAIN}`);
      }
    }
    expect(gateways150.map((g) => g.backend_address_pool.length)).toEqual([100, 50]);
    // The façade: a trust's gateway, its host name and the public IP its DNS record must point to.
    for (const ods of ods150) {
      const i = edge150.gatewayIndexOf(ods);
      expect(poolsOf(gateways150[i])).toContain(ods);
      expect(edge150.trustsOfGateway(i)).toContain(ods);
      expect(gateways150[i].frontend_ip_configuration[0].public_ip_address_id).toBe(`\${azurerm_public_ip.${national.backbone.hubStack.getLogicalId(edge150.publicIpOf(ods))}.id}`);
    }
    expect(national.backbone.app(APP).ingressIn(ods150[120]).hostName).toBe(`${ods150[120].toLowerCase()}.${DOMAIN}`);
    expect(() => edge150.gatewayIndexOf('XXX')).toThrow(/^odsCode: "XXX" is not a trust app remote-reporting serves/);
    expect(() => edge150.trustsOfGateway(2)).toThrow(/^index: 2 is not the place of a gateway/);
  });

  test('every gateway keeps the edge\'s properties: WAF Prevention (one shared policy), TLS policy, its own public IP and identity, logs to the workspace, tags', () => {
    const waf = configs(national.hub, 'azurerm_web_application_firewall_policy').filter((w) => w.tags?.app === APP);
    expect(waf).toHaveLength(1);
    expect(waf[0].policy_settings).toEqual(expect.objectContaining({ enabled: true, mode: 'Prevention', request_body_check: true }));
    const wafId = `\${azurerm_web_application_firewall_policy.${national.hub.resources('azurerm_web_application_firewall_policy').find(([, c]) => c.tags?.app === APP)![0]}.id}`;
    const workspace = configs(national.hub, 'azurerm_monitor_diagnostic_setting');
    for (const g of gateways150) {
      expect(g.sku).toEqual({ name: 'WAF_v2', tier: 'WAF_v2' });
      expect(g.firewall_policy_id).toBe(wafId);
      expect(g.force_firewall_policy_association).toBe(true);
      expect(g.ssl_policy).toEqual({ policy_type: 'Predefined', policy_name: 'AppGwSslPolicy20220101S' });
      expect(g.frontend_port).toEqual([{ name: 'https', port: 443 }]);
      expect(g.tags).toEqual(expect.objectContaining({ app: APP }));
      expect(g.gateway_ip_configuration[0].subnet_id).toBe(gateways150[0].gateway_ip_configuration[0].subnet_id);
      const id = national.hub.resources('azurerm_application_gateway').find(([, c]) => c.name === g.name)![0];
      const diag = workspace.filter((d) => d.target_resource_id === `\${azurerm_application_gateway.${id}.id}`);
      expect(diag).toHaveLength(1);
      expect(diag[0].log_analytics_workspace_id).toMatch(/azurerm_log_analytics_workspace/);
      expect(diag[0].enabled_log).toEqual([{ category_group: 'allLogs' }]);
    }
    const pips = new Set(gateways150.map((g) => g.frontend_ip_configuration[0].public_ip_address_id));
    expect(pips.size).toBe(2);
    const identities = new Set(gateways150.map((g) => g.identity.identity_ids[0]));
    expect(identities.size).toBe(2);
    // Each gateway's identity may read the certificate secret, and only that.
    const grants = configs(national.hub, 'azurerm_role_assignment').filter((r) => /\/secrets\/remote-reporting-tls$/.test(r.scope));
    expect(grants.map((r) => r.role_definition_name)).toEqual(['Key Vault Secrets User', 'Key Vault Secrets User']);
    // One edge subnet, one NSG, still acknowledged as the declared NHS-NET-1 ingress.
    expect(configs(national.hub, 'azurerm_network_security_group').filter((n) => n.tags?.app === APP)).toHaveLength(1);
    expect(AzureCompliance.acknowledgementsOf(edge150.node.findChild('SubnetNsg')).map((a) => a.ruleId)).toEqual(['NHS-NET-1']);
  });

  test('the gateways share the edge /26 and fit in it: gateways x autoscale maximum <= its 59 usable addresses', () => {
    const c = Cidr.parse(edge150.subnetCidr);
    expect(c.prefix).toBe(26);
    for (const g of gateways150) expect(g.autoscale_configuration).toEqual({ min_capacity: 1, max_capacity: edge150.maxCapacityPerGateway });
    expect(edge150.maxCapacityPerGateway).toBe(InternetAppEdge.MAX_INSTANCES_PER_GATEWAY);
    expect(gateways150.length * edge150.maxCapacityPerGateway).toBeLessThanOrEqual(c.size - 5);
    // A /27 (27 usable) for 209 trusts: three gateways of at most 9 instances.
    const slash27 = Cidr.parse(national.backbone.addressPlan.hubSubnet(HubSubnet.EGRESS)).subnet(27, 0).toString();
    const small = edgeAlone(nationalSpec(209, 42), { subnetCidr: slash27 });
    expect(small.edge.gateways).toHaveLength(3);
    expect(small.edge.maxCapacityPerGateway).toBe(9);
    const sizes = gatewaysOf(small.tf).map((g) => [g.backend_address_pool.length, g.autoscale_configuration.max_capacity]);
    expect(sizes).toEqual([[100, 9], [100, 9], [9, 9]]);
  });

  test('every served trust, on either gateway, admits the one edge subnet on the target port', () => {
    for (const [ods, tf] of national.trusts) {
      const nsg = configs(tf, 'azurerm_network_security_group').find((n) => n.name === spec150.naming.trust(ods, `app-${APP}-nsg`));
      const fromEdge = nsg.security_rule.filter((r: any) => r.access === 'Allow' && (r.source_address_prefixes ?? [r.source_address_prefix]).includes(edge150.subnetCidr));
      expect({ ods, ports: fromEdge.map((r: any) => r.destination_port_range) }).toEqual({ ods, ports: ['8443'] });
    }
  });

  test('the first gateway keeps the single-gateway edge\'s names and Terraform addresses; the others are added beside it', () => {
    const ids = (tf: TfJson, type: string) => tf.resources(type).map(([id, c]) => `${id}=${c.name}`);
    const types = ['azurerm_application_gateway', 'azurerm_public_ip', 'azurerm_user_assigned_identity', 'azurerm_web_application_firewall_policy', 'azurerm_subnet', 'azurerm_network_security_group', 'azurerm_monitor_diagnostic_setting'];
    for (const type of types) {
      const one = ids(alone100.tf, type);
      const two = ids(alone150.tf, type);
      // Everything of the single-gateway edge is still there, under the same address and name.
      expect({ type, kept: one.filter((x) => !two.includes(x)) }).toEqual({ type, kept: [] });
    }
    expect(alone150.stack.getLogicalId(alone150.edge.gateway)).toBe(alone100.stack.getLogicalId(alone100.edge.gateway));
    expect(alone150.edge.gateway).toBe(alone150.edge.gateways[0]);
    expect(alone150.edge.publicIp).toBe(alone150.edge.publicIps[0]);
  });
});

describe('an internet app serving at most 100 trusts is unchanged', () => {
  test('one gateway with every trust in spec order, autoscale 1-10, the names of before', () => {
    const spec = nationalSpec(100, 10);
    const [g] = gatewaysOf(alone100.tf);
    expect(alone100.edge.gateways).toEqual([alone100.edge.gateway]);
    expect(gatewaysOf(alone100.tf)).toHaveLength(1);
    expect(g.name).toBe(spec.naming.hub(`${APP}-edge-agw`));
    expect(configs(alone100.tf, 'azurerm_public_ip').map((p) => p.name)).toEqual([spec.naming.hub(`${APP}-edge-pip`)]);
    expect(configs(alone100.tf, 'azurerm_user_assigned_identity').map((p) => p.name)).toEqual([spec.naming.hub(`${APP}-edge-id`)]);
    expect(poolsOf(g)).toEqual(spec.trusts.map((t) => t.odsCode));
    expect(g.request_routing_rule.map((r: any) => r.priority)).toEqual(spec.trusts.map((_, i) => 100 + i * 10));
    expect(g.autoscale_configuration).toEqual({ min_capacity: 1, max_capacity: 10 });
    expect(alone100.edge.trustsOfGateway(0)).toEqual(spec.trusts.map((t) => t.odsCode));
  });

  test('the small backbone\'s two-trust edge: one gateway, its default /26 of the EGRESS /24', () => {
    const spec = smallSpec();
    const tf = edgeAlone(spec);
    expect(tf.edge.gateways).toHaveLength(1);
    expect(tf.edge.subnetCidr).toBe(Cidr.parse(spec.addressPlan().hubSubnet(HubSubnet.EGRESS)).subnet(26, 0).toString());
    expect(gatewaysOf(tf.tf).map((g) => g.name)).toEqual([spec.naming.hub(`${APP}-edge-agw`)]);
  });
});

describe('a trust keeps its gateway', () => {
  const lock = spec150.addressPlan().lock;
  const shardsOf = (e: InternetAppEdge) => new Map(e.trusts.map((o) => [o, e.gatewayIndexOf(o)]));
  const before = shardsOf(alone150.edge);

  test('adding trusts to the backbone (and so to the national app) moves no trust to another gateway', () => {
    const grown = edgeAlone(nationalSpec(160, 10), { lock });
    const after = shardsOf(grown.edge);
    for (const [ods, i] of before) expect({ ods, i: after.get(ods) }).toEqual({ ods, i });
    expect(grown.edge.trustsOfGateway(1).slice(-10)).toEqual(nationalSpec(160, 10).trusts.slice(150).map((t) => t.odsCode));
  });

  test('reordering the spec\'s trusts moves none: gateways are filled in address-lock slot order', () => {
    const props = nationalProps(150, 10);
    const reversed = BackboneSpec.fromProps({ ...props, trusts: [...props.trusts].reverse() });
    const after = shardsOf(edgeAlone(reversed, { lock }).edge);
    for (const [ods, i] of before) expect({ ods, i: after.get(ods) }).toEqual({ ods, i });
  });
});

describe('edge subnets: the fifth internet app and appIngress.<app>.subnetCidr', () => {
  const web = (n: number) => ({ name: `web-${n}`, trusts: ['REM'], ingress: 'internet' as any });
  const fiveApps = smallSpec({ apps: [...SMALL.apps!, web(2), web(3), web(4), web(5)] });
  const build = (spec: BackboneSpec, appIngress: any) => withoutStackTraces(() => new Backbone(Testing.app({ stackTraces: false }), 'backbone', { spec, subscriptionId: SUB, appIngress }));

  test('the fifth internet app without a subnet is one BackboneError naming appIngress.<app>.subnetCidr and saying what to give', () => {
    expectBackboneError(() => build(fiveApps, {}),
      /^appIngress\.web-5\.subnetCidr: is required: the hub's EGRESS \/24 holds the edge subnets of the first 4 internet apps only \(web-5 is #5\); give a free \/26 of the hub block 10\.180\.0\.0\/19.*e\.g\. in 10\.180\.6\.0\/23/);
  });

  test('given a free /26 of the hub block, the fifth app gets its edge there, admitted by its trust', () => {
    const backbone = build(fiveApps, { 'web-5': { subnetCidr: '10.180.6.0/26' } });
    const edges = ['remote-reporting', 'web-2', 'web-3', 'web-4', 'web-5'].map((a) => backbone.app(a).edge!.subnetCidr);
    expect(edges[4]).toBe('10.180.6.0/26');
    expect(new Set(edges).size).toBe(5);
    const rem = withoutStackTraces(() => TfJson.of(backbone.trustStack('REM')));
    const nsg = configs(rem, 'azurerm_network_security_group').find((n) => n.name === fiveApps.naming.trust('REM', 'app-web-5-nsg'));
    expect(nsg.security_rule.filter((r: any) => (r.source_address_prefixes ?? [r.source_address_prefix]).includes('10.180.6.0/26')).map((r: any) => r.destination_port_range)).toEqual(['8443']);
    const hub = withoutStackTraces(() => TfJson.of(backbone.hubStack));
    expect(configs(hub, 'azurerm_subnet').filter((s) => s.name === fiveApps.naming.hub('web-5-edge')).map((s) => s.address_prefixes)).toEqual([['10.180.6.0/26']]);
  });

  test('a subnet overlapping another edge, a hub subnet or outside the hub block, a bad block, or one for a non-internet app is refused, naming the field', () => {
    const egress0 = Cidr.parse(fiveApps.addressPlan().hubSubnet(HubSubnet.EGRESS)).subnet(26, 0).toString();
    expectBackboneError(() => build(fiveApps, { 'web-5': { subnetCidr: egress0 } }), /^appIngress\.web-5\.subnetCidr: 10\.180\.4\.0\/26 overlaps the edge subnet 10\.180\.4\.0\/26 of app remote-reporting/);
    expectBackboneError(() => build(fiveApps, { 'web-5': { subnetCidr: '10.180.0.0/26' } }), /^appIngress\.web-5\.subnetCidr: 10\.180\.0\.0\/26 overlaps the hub's firewall subnet/);
    expectBackboneError(() => build(fiveApps, { 'web-5': { subnetCidr: '10.181.0.0/26' } }), /^appIngress\.web-5\.subnetCidr: "10\.181\.0\.0\/26" is not a \/27 or larger block .*inside the hub block/);
    expectBackboneError(() => build(fiveApps, { 'web-5': { subnetCidr: '10.180.6.1/26' } }), /^appIngress\.web-5\.subnetCidr: "10\.180\.6\.1\/26" is not a CIDR block/);
    const hscn = smallSpec({ apps: [...SMALL.apps!, { name: 'pacs-viewer', trusts: ['REM'], ingress: 'hscn' as any }] });
    expectBackboneError(() => build(hscn, { 'pacs-viewer': { subnetCidr: '10.180.6.0/26' } }), /^appIngress\.pacs-viewer\.subnetCidr: is given, but app "pacs-viewer" has ingress "hscn"/);
  });
});
