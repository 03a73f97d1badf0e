import { Testing } from 'cdktf';
import { Backbone } from '../../src/azure/backbone';
import { AzureCompliance } from '../../src/azure/compliance/acknowledge';
import { DicomStore } from '../../src/azure/imaging/dicom-store';
import { TrustSubnet } from '../../src/core/address-plan';
import { Cidr } from '../../src/core/cidr';
import { expectBackboneError } from '../support/errors';
import { SMALL, smallSpec } from '../support/specs';
import { TfJson } from '../support/terraform';

const SUB = '00000000-0000-0000-0000-000000000000';

// One app of each ingress kind, one with a store, one serving a subset of the trusts (R0A is served
// by none); then two apps added in code after construction, before anything is synthesised: an
// HSCN app with a store (sharing REM's gateway subnet with pacs-viewer) and an internet app without
// a domain name (read from Key Vault at deploy time).
const spec = smallSpec({
  apps: [
    { name: 'ai-triage', trusts: ['REM', 'RBS'], dicomweb: 'read' as any, ingress: 'none' as any, store: { category: 'imaging' } },
    { name: 'pacs-viewer', trusts: ['REM'], dicomweb: 'read' as any, ingress: 'hscn' as any },
    { name: 'remote-reporting', trusts: ['REM', 'RBS'], ingress: 'internet' as any },
  ],
});
const plan0 = spec.addressPlan();
const remReportingAddress = Cidr.parse(plan0.appSubnet('REM', 'remote-reporting')).address(5);
const backbone = new Backbone(Testing.app({ stackTraces: false }), 'backbone', {
  spec,
  subscriptionId: SUB,
  appIngress: {
    'remote-reporting': { domainName: 'reporting.example.nhs.uk', backendAddresses: { REM: [remReportingAddress] } },
    'pacs-viewer': { targetPort: 9443 },
  },
});
const late = backbone.addApp({ name: 'late-viewer', trusts: ['REM', 'RBS'], ingress: 'hscn' as any, store: { category: 'adult' } } as any);
const portal = backbone.addApp({ name: 'late-portal', trusts: ['REM', 'RBS'], ingress: 'internet' as any } as any);
const plan = backbone.addressPlan;
const ODS = ['REM', 'RBS', 'R0A'];
const APPS = ['ai-triage', 'pacs-viewer', 'remote-reporting', 'late-viewer', 'late-portal'];
const SERVES: { [app: string]: string[] } = {
  'ai-triage': ['REM', 'RBS'], 'pacs-viewer': ['REM'], 'remote-reporting': ['REM', 'RBS'], 'late-viewer': ['REM', 'RBS'], 'late-portal': ['REM', 'RBS'],
};
const PORT: { [app: string]: number } = { 'pacs-viewer': 9443, 'remote-reporting': 8443, 'late-viewer': 8443, 'late-portal': 8443 };
const trust = new Map(ODS.map((o) => [o, TfJson.of(backbone.trustStack(o))]));
const hub = TfJson.of(backbone.hubStack);
const certVault = Backbone.defaultCertificateVault(spec);

const configs = (tf: TfJson, type: string) => tf.resources(type).map(([, c]) => c);
const nsgOf = (ods: string, app: string) => configs(trust.get(ods)!, 'azurerm_network_security_group').find((n) => n.name === spec.naming.trust(ods, `app-${app}-nsg`));
const gatewayNamed = (tf: TfJson, name: string) => configs(tf, 'azurerm_application_gateway').find((g) => g.name === name);
const edgeSubnetOf = (app: string) => backbone.app(app).edge!.subnetCidr;
const sourcesOf = (rule: any): string[] => rule.source_address_prefixes ?? [rule.source_address_prefix];

describe('an app reaches only the trusts it serves', () => {
  test('an unserved trust has no subnet, NSG rule, identity, store, ingress or grant of the app', () => {
    for (const app of APPS) {
      for (const ods of ODS.filter((o) => !SERVES[app].includes(o))) {
        const text = JSON.stringify(trust.get(ods)!.json);
        expect({ app, ods, named: text.includes(app) }).toEqual({ app, ods, named: false });
        expect({ app, ods, cidr: text.includes(plan.appSubnet(ods, app)) }).toEqual({ app, ods, cidr: false });
        expect(() => backbone.identity(ods, app)).toThrow(/^appName: /);
        expect(() => backbone.app(app).ingressIn(ods)).toThrow(/^odsCode: "\w+" is not a trust added to app/);
      }
    }
    // R0A has no app at all: no application gateway, no gateway subnet, no app store.
    const r0a = trust.get('R0A')!;
    expect(r0a.resources('azurerm_application_gateway')).toEqual([]);
    expect(configs(r0a, 'azurerm_storage_account').filter((a) => a.tags?.app)).toEqual([]);
    expect(() => backbone.hscnGatewaySubnet('R0A')).toThrow(/^odsCode: trust R0A has no HSCN application gateway subnet/);
  });

  test('the app subnet admits only the same app, its own ingress gateway subnets on its target port, and probes; the denies still close it', () => {
    for (const app of APPS) {
      for (const ods of SERVES[app]) {
        const nsg = nsgOf(ods, app);
        const own = plan.appSubnet(ods, app);
        const others = SERVES[app].filter((o) => o !== ods).map((o) => plan.appSubnet(o, app));
        const ingress = backbone.app(app).ingress;
        const gatewaySubnet = ingress === 'hscn' ? [plan.trustSubnet(ods, TrustSubnet.TRANSIT)] : ingress === 'internet' ? [edgeSubnetOf(app)] : [];
        const allows = nsg.security_rule.filter((r: any) => r.access === 'Allow');
        for (const r of allows) {
          const sources = sourcesOf(r);
          if (sources.every((x) => x === own || x === 'AzureLoadBalancer')) continue;
          if (r.name === 'allow-app-across-trusts') {
            // The other trusts' blocks (the pool without this trust's and the hub's), on 443 only:
            // they cover every copy of the app elsewhere and none of this trust or the hub;
            // the hub firewall lets only the app's own subnets through between trusts.
            expect(r.destination_port_range).toBe('443');
            const covers = (cidr: string) => sources.some((x) => Cidr.parse(x).contains(Cidr.parse(cidr)));
            for (const o of others) expect(covers(o)).toBe(true);
            for (const x of sources) {
              expect(Cidr.parse(x).overlaps(Cidr.parse(plan.trustBlock(ods)))).toBe(false);
              expect(Cidr.parse(x).overlaps(Cidr.parse(plan.hubBlock))).toBe(false);
            }
            continue;
          }
          // Anything else is the app's own ingress, on its target port, over TCP.
          expect({ app, ods, sources }).toEqual({ app, ods, sources: [expect.any(String)] });
          expect(gatewaySubnet).toContain(sources[0]);
          expect(r).toMatchObject({ protocol: 'Tcp', destination_port_range: String(PORT[app]) });
        }
        const ingressRules = allows.filter((r: any) => gatewaySubnet.includes(sourcesOf(r)[0]));
        expect(ingressRules).toHaveLength(gatewaySubnet.length);
        // Nothing from the HSCN range or the internet reaches the app subnet directly.
        expect(allows.flatMap(sourcesOf).filter((x: string) => x === '10.0.0.0/8' || x === 'Internet' || x === '*')).toEqual([]);
        const denies = nsg.security_rule.filter((r: any) => r.access === 'Deny');
        expect(denies.map((r: any) => [r.priority, r.source_address_prefix])).toEqual([[4000, 'Internet'], [4096, '*']]);
      }
    }
  });

  test('trust-to-trust stays denied at the firewall; apps cross only between their own subnets; the HSCN reaches only the HSCN apps\' gateways', () => {
    const group = configs(hub, 'azurerm_firewall_policy_rule_collection_group').find((g) => g.name === 'backbone-network');
    const byName = Object.fromEntries(group.network_rule_collection.map((c: any) => [c.name, c]));
    expect(byName['deny-trust-to-trust'].rule[0]).toMatchObject({ source_addresses: [plan.addressPool], destination_addresses: [plan.addressPool] });
    expect(byName['allow-apps-across-trusts'].priority).toBeLessThan(byName['deny-trust-to-trust'].priority);
    for (const r of byName['allow-apps-across-trusts'].rule) {
      const app = r.name.replace(/^app-/, '');
      const subnets = SERVES[app].map((o) => plan.appSubnet(o, app));
      expect({ app, src: r.source_addresses, dst: r.destination_addresses, ports: r.destination_ports }).toEqual({ app, src: subnets, dst: subnets, ports: ['443'] });
    }
    // addApp refreshed the hub's rules: the late app crosses between its trusts too.
    expect(byName['allow-apps-across-trusts'].rule.map((r: any) => r.name)).toContain('app-late-viewer');
    const hscn = byName['allow-hscn-to-spokes'].rule.filter((r: any) => r.name.startsWith('hscn-to-app-'));
    expect(hscn.map((r: any) => r.name).sort()).toEqual(['hscn-to-app-late-viewer', 'hscn-to-app-pacs-viewer']);
    for (const r of hscn) {
      const app = r.name.replace(/^hscn-to-app-/, '');
      expect(r.destination_addresses).toEqual(SERVES[app].map((o) => `${backbone.app(app).ingressIn(o).privateIpAddress}/32`));
      expect(r.destination_ports).toEqual(['443']);
    }
  });

  test('the app identity\'s grants are scoped to its own trust\'s DICOM service and its own store there', () => {
    for (const app of APPS) {
      for (const ods of SERVES[app]) {
        const tf = trust.get(ods)!;
        const id = tf.resources('azurerm_user_assigned_identity').find(([, c]) => c.name === backbone.identity(ods, app).identityName)![0];
        const grants = configs(tf, 'azurerm_role_assignment').filter((g) => g.principal_id === `\${azurerm_user_assigned_identity.${id}.principal_id}`);
        const network = spec.imagingNetworkOf(ods);
        const dicomId = DicomStore.dicomServiceIdOf(spec, network, SUB);
        // The app's own store in this trust: its records container (of the primary account, tagged app=<app>).
        const accounts = tf.resources('azurerm_storage_account').filter(([, c]) => c.tags?.app === app).map(([n]) => `\${azurerm_storage_account.${n}.id}`);
        const containers = tf.resources('azurerm_storage_container').filter(([, c]) => accounts.includes(c.storage_account_id)).map(([n]) => `\${azurerm_storage_container.${n}.id}`);
        for (const g of grants) {
          if (g.scope === dicomId) {
            expect(g.role_definition_name).toBe('DICOM Data Reader');
          } else {
            expect(g.role_definition_name).toBe('Storage Blob Data Contributor');
            expect(containers).toContain(g.scope);
          }
        }
        const specApp = spec.apps.find((a) => a.name === app)!;
        expect(grants.filter((g) => g.scope === dicomId)).toHaveLength(specApp.dicomweb === 'read' ? 1 : 0);
        expect(grants.filter((g) => g.scope !== dicomId)).toHaveLength(specApp.store ? 1 : 0);
      }
    }
  });
});

describe('ingress', () => {
  test('an HSCN app: an internal Standard_v2 gateway per trust served, in the trust\'s shared gateway subnet, with distinct frontends', () => {
    const rem = trust.get('REM')!;
    const subnets = configs(rem, 'azurerm_subnet').filter((s) => s.name === spec.naming.trust('REM', 'hscn-agw'));
    expect(subnets.map((s) => s.address_prefixes)).toEqual([[plan.trustSubnet('REM', TrustSubnet.TRANSIT)]]);
    const pacs = gatewayNamed(rem, spec.naming.trust('REM', 'pacs-viewer-hscn-agw'));
    const lateGw = gatewayNamed(rem, spec.naming.trust('REM', 'late-viewer-hscn-agw'));
    for (const g of [pacs, lateGw]) {
      expect(g.sku.name).toBe('Standard_v2');
      expect(g.frontend_ip_configuration[0].public_ip_address_id).toBeUndefined();
      expect(g.gateway_ip_configuration[0].subnet_id).toBe(pacs.gateway_ip_configuration[0].subnet_id);
    }
    const ips = [pacs, lateGw].map((g) => g.frontend_ip_configuration[0].private_ip_address);
    expect(new Set(ips).size).toBe(2);
    for (const ip of ips) expect(Cidr.parse(plan.trustSubnet('REM', TrustSubnet.TRANSIT)).contains(Cidr.parse(`${ip}/32`))).toBe(true);
    expect(backbone.app('pacs-viewer').ingressIn('REM')).toEqual({ odsCode: 'REM', ingress: 'hscn', privateIpAddress: ips[0] });
    expect(pacs.backend_http_settings[0]).toMatchObject({ protocol: 'Https', port: 9443 });
    // The gateway subnet's NSG: 443 from the HSCN range only (plus the v2 control plane and probes).
    const nsg = configs(rem, 'azurerm_network_security_group').find((n) => n.name === spec.naming.trust('REM', 'hscn-agw-nsg'));
    const on443 = nsg.security_rule.filter((r: any) => r.access === 'Allow' && ['443', '*'].includes(r.destination_port_range));
    expect(on443.flatMap((r: any) => r.source_address_prefixes ?? [r.source_address_prefix]).sort()).toEqual(['10.0.0.0/8', 'AzureLoadBalancer']);
    expect(() => backbone.app('pacs-viewer').ingressIn('RBS')).toThrow(/^odsCode: "RBS" is not a trust added to app pacs-viewer/);
  });

  test('without certificate options, the gateways read `<app>-tls` from the hub\'s secrets vault at deploy time, through Key Vault Secrets User on that secret only', () => {
    const rem = trust.get('REM')!;
    const pacs = gatewayNamed(rem, spec.naming.trust('REM', 'pacs-viewer-hscn-agw'));
    expect(Backbone.certificateSecretName('pacs-viewer')).toBe('pacs-viewer-tls');
    expect(pacs.ssl_certificate[0].key_vault_secret_id).toBe(`https://${certVault.name}.vault.azure.net/secrets/pacs-viewer-tls`);
    const vaultId = `/subscriptions/${SUB}/resourceGroups/${certVault.resourceGroupName}/providers/Microsoft.KeyVault/vaults/${certVault.name}`;
    const grant = configs(rem, 'azurerm_role_assignment').find((g) => g.scope === `${vaultId}/secrets/pacs-viewer-tls`);
    expect(grant.role_definition_name).toBe('Key Vault Secrets User');
    // The pipeline may assign the backbone's grantable roles on that vault (it is outside the backbone's resource groups).
    const ci = configs(hub, 'azurerm_role_assignment').filter((g) => g.scope === vaultId);
    expect(ci.map((g) => g.role_definition_name)).toEqual(['Role Based Access Control Administrator']);
    expect(ci[0].condition).toBeDefined();
  });

  test('an internet app: one WAF_v2 edge in the hub whose pools hold only the served trusts\' app addresses, admitted by those trusts only', () => {
    const edge = gatewayNamed(hub, spec.naming.hub('remote-reporting-edge-agw'));
    expect(edge.sku.name).toBe('WAF_v2');
    expect(edge.backend_address_pool.map((p: any) => p.name).sort()).toEqual(['pool-rbs', 'pool-rem']);
    const pools = Object.fromEntries(edge.backend_address_pool.map((p: any) => [p.name, p.ip_addresses ?? []]));
    expect(pools['pool-rem']).toEqual([remReportingAddress]);
    for (const [name, ips] of Object.entries<string[]>(pools)) {
      const ods = name.replace('pool-', '').toUpperCase();
      for (const ip of ips) expect(Cidr.parse(plan.appSubnet(ods, 'remote-reporting')).contains(Cidr.parse(`${ip}/32`))).toBe(true);
    }
    expect(edge.http_listener.map((l: any) => l.host_name).sort()).toEqual(['rbs.reporting.example.nhs.uk', 'rem.reporting.example.nhs.uk']);
    expect(backbone.app('remote-reporting').ingressIn('RBS')).toEqual({ odsCode: 'RBS', ingress: 'internet', hostName: 'rbs.reporting.example.nhs.uk' });
    // The edge subnet is admitted by the served trusts' app subnets only.
    const edgeSubnet = edgeSubnetOf('remote-reporting');
    expect(Cidr.parse(plan.hubBlock).contains(Cidr.parse(edgeSubnet))).toBe(true);
    for (const ods of ODS) {
      const admitted = configs(trust.get(ods)!, 'azurerm_network_security_group').flatMap((n) => n.security_rule).filter((r: any) => sourcesOf(r).includes(edgeSubnet));
      expect(admitted.map((r: any) => r.destination_port_range)).toEqual(SERVES['remote-reporting'].includes(ods) ? ['8443'] : []);
    }
    // Declared internet ingress, acknowledged on the edge NSG (NHS-NET-1).
    expect(AzureCompliance.acknowledgementsOf(backbone.app('remote-reporting').edge!.node.findChild('SubnetNsg')).map((a) => a.ruleId)).toEqual(['NHS-NET-1']);
  });

  test('an internet app serving several trusts without a domain name reads it from Key Vault at deploy time; addApp records it as declared ingress in every stack', () => {
    const secret = hub.dataSources('azurerm_key_vault_secret').map(([, c]) => c).find((c) => c.name === 'late-portal-domain-name');
    expect(secret.key_vault_id).toMatch(new RegExp(`/vaults/${certVault.name}$`));
    const edge = gatewayNamed(hub, spec.naming.hub('late-portal-edge-agw'));
    expect(edge.http_listener.map((l: any) => l.host_name).sort()).toEqual([
      expect.stringMatching(/^rbs\.\$\{nonsensitive\(data\.azurerm_key_vault_secret\..*\.value\)\}$/),
      expect.stringMatching(/^rem\.\$\{nonsensitive\(data\.azurerm_key_vault_secret\..*\.value\)\}$/),
    ]);
    expect(portal.edge!.subnetCidr).not.toBe(edgeSubnetOf('remote-reporting'));
    for (const stack of [backbone.hubStack, ...ODS.map((o) => backbone.trustStack(o))]) {
      expect(stack.toTerraform()['//']['nhs-backbone'].internetIngressApps).toEqual(['remote-reporting', 'late-portal']);
    }
  });
});

describe('stores and addApp', () => {
  test('an app with a store gets it, with its immutable copy, only in its trusts, and only its identity there may use it', () => {
    for (const ods of ODS) {
      const accounts = configs(trust.get(ods)!, 'azurerm_storage_account').filter((a) => a.tags?.store === 'app-ai-triage');
      const expected = SERVES['ai-triage'].includes(ods) ? [false, true] : [];
      expect(accounts.map((a) => a.tags['backup-of'] !== undefined).sort()).toEqual(expected);
      for (const a of accounts) expect(a.tags['records-category']).toBe('imaging');
    }
    expect(backbone.app('ai-triage').storeIn('REM').node.path).toContain(`/${backbone.trustStack('REM').node.id}/`);
    expect(() => backbone.app('pacs-viewer').storeIn('REM')).toThrow(/^appName: app "pacs-viewer" has no store/);
  });

  test('addApp after construction: subnet, identity, store, ingress in each trust it serves', () => {
    expect(late.trusts).toEqual(['REM', 'RBS']);
    expect(backbone.app('late-viewer')).toBe(late);
    expect(backbone.addApp({ name: 'late-viewer', trusts: ['REM', 'RBS'], ingress: 'hscn' as any, store: { category: 'adult' } } as any)).toBe(late);
    for (const ods of ['REM', 'RBS']) {
      const tf = trust.get(ods)!;
      expect(configs(tf, 'azurerm_subnet').map((s) => s.address_prefixes[0])).toContain(plan.appSubnet(ods, 'late-viewer'));
      expect(backbone.identity(ods, 'late-viewer').odsCode).toBe(ods);
      expect(configs(tf, 'azurerm_storage_account').filter((a) => a.tags?.store === 'app-late-viewer').map((a) => a.tags['records-category'])).toEqual(['adult', 'adult']);
      expect(gatewayNamed(tf, spec.naming.trust(ods, 'late-viewer-hscn-agw'))).toBeDefined();
      expect(late.ingressIn(ods).privateIpAddress).toBeDefined();
    }
    expect(backbone.hscnGatewaySubnet('RBS').cidr).toBe(plan.trustSubnet('RBS', TrustSubnet.TRANSIT));
  });

  test('a bad app, or a bad ingress option, is one BackboneError naming the field', () => {
    const noCis2 = smallSpec({ apps: [SMALL.apps![0]], identity: { ...SMALL.identity, cis2: undefined } });
    const other = new Backbone(Testing.app({ stackTraces: false }), 'other', { spec: noCis2, subscriptionId: SUB });
    expectBackboneError(() => other.addApp({ name: 'Bad Name', trusts: ['REM'] } as any), /^app\.name: /);
    expectBackboneError(() => other.addApp({ name: 'ok-app', trusts: ['NOPE'] } as any), /^app\.trusts/);
    expectBackboneError(() => other.addApp({ name: 'web-app', trusts: ['REM'], ingress: 'internet' } as any), /^identity\.cis2: is not set/);
    expectBackboneError(() => other.addApp({ name: 'hscn-app', trusts: ['REM'], ingress: 'hscn' } as any, { targetPort: 70000 }), /^appIngress\.hscn-app\.targetPort: 70000 is not a TCP port/);
    expectBackboneError(() => other.addApp({ name: 'hscn-app', trusts: ['REM'], ingress: 'hscn' } as any, { certificateSecretName: 'a/b' }), /^appIngress\.hscn-app\.certificateSecretName/);
    expectBackboneError(() => new Backbone(Testing.app(), 'third', { spec: smallSpec(), appIngress: { nope: {} } }), /^appIngress\.nope: "nope" is not an app/);
    expectBackboneError(() => new Backbone(Testing.app(), 'fourth', { spec: smallSpec(), appIngress: { 'remote-reporting': { backendAddresses: { RBS: ['10.0.0.1'] } } } }),
      /^appIngress\.remote-reporting\.backendAddresses\.RBS: "RBS" is not a trust app remote-reporting serves/);
    expectBackboneError(() => backbone.app('nope'), /^appName: "nope" is not an app/);
    // The spoke admits nothing else into an app subnet: only a gateway subnet of the trust or the hub, on a real port.
    expectBackboneError(() => backbone.spoke('REM').allowAppIngress('pacs-viewer', '0.0.0.0/0', 443), /^sourceCidr: "0\.0\.0\.0\/0" is not a subnet inside trust REM's block/);
    expectBackboneError(() => backbone.spoke('REM').allowAppIngress('pacs-viewer', '10.0.0.0/8', 443), /^sourceCidr: /);
    expectBackboneError(() => backbone.spoke('R0A').allowAppIngress('pacs-viewer', plan.trustSubnet('R0A', TrustSubnet.TRANSIT), 443), /^appName: app "pacs-viewer" is not attached to trust R0A/);
    expectBackboneError(() => backbone.spoke('REM').allowAppIngress('pacs-viewer', plan.trustSubnet('REM', TrustSubnet.TRANSIT), 0), /^port: 0 is not a TCP port/);
    expect(other.spec.apps.map((a) => a.name)).toEqual(['ai-triage']);
  });
});
