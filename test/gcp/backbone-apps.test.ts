import { TerraformStack, Testing } from 'cdktf';
import { Cidr } from '../../src/core/cidr';
import { BackboneError } from '../../src/core/errors';
import { NameKind } from '../../src/core/naming';
import { Backbone } from '../../src/gcp/backbone';
import { hubNetworkName } from '../../src/gcp/network/ids';
import { withoutStackTraces } from '../support/quiet-traces';
import { smallSpec } from '../support/specs';
import { TfJson } from '../support/terraform';

// One app of each ingress kind; one with a store in every trust; apps serving a subset of the
// trusts; then an HSCN app with a store added in code after construction (RBS only, so RBS
// has two HSCN apps sharing its proxy-only subnet), before anything is synthesised.
const spec = smallSpec({
  apps: [
    { name: 'ai-triage', trusts: ['*'], dicomweb: 'read' as any, ingress: 'none' as any, store: { category: 'imaging' } },
    { name: 'pacs-viewer', trusts: ['REM', 'RBS'], dicomweb: 'read-write' as any, ingress: 'hscn' as any },
    { name: 'remote-reporting', trusts: ['REM', 'RBS'], dicomweb: 'read' as any, ingress: 'internet' as any },
  ],
} as any);
const ODS = ['REM', 'RBS', 'R0A'];
const { backbone, late, tf } = withoutStackTraces(() => {
  const b = new Backbone(Testing.app({ stackTraces: false }), 'backbone', { spec });
  const l = b.addApp({ name: 'late-viewer', trusts: ['RBS'], ingress: 'hscn' as any, store: { category: 'adult' } } as any, { targetPort: 8443 });
  const stacks = b.node.children.filter((c): c is TerraformStack => c instanceof TerraformStack);
  return { backbone: b, late: l, tf: new Map(stacks.map((s) => [s.node.id, TfJson.of(s)])) };
});
const plan = backbone.addressPlan;
const trustTf = (ods: string) => tf.get(backbone.trustStack(ods).node.id)!;
const backupTf = (ods: string) => tf.get(TerraformStack.of(backbone.trustBackup(ods)).node.id)!;
const edgeTf = tf.get(backbone.edgeStack('remote-reporting').node.id)!;
const served: { [app: string]: string[] } = { 'ai-triage': ODS, 'pacs-viewer': ['REM', 'RBS'], 'remote-reporting': ['REM', 'RBS'], 'late-viewer': ['RBS'] };
const port: { [app: string]: string } = { 'pacs-viewer': '443', 'remote-reporting': '443', 'late-viewer': '8443' };
const ingressRules = (ods: string) => trustTf(ods).resources('google_compute_network_firewall_policy_rule').map(([, r]) => r)
  .filter((r) => r.direction === 'INGRESS');
const email = (ods: string, app: string) => backbone.identity(ods, app).email;
const overlapsAnotherTrust = (ods: string, range: string) => ODS.filter((o) => o !== ods)
  .some((o) => Cidr.parse(plan.trustBlock(o)).overlaps(Cidr.parse(range)));

function errorOf(fn: () => unknown): BackboneError {
  try { fn(); } catch (e) { if (BackboneError.isBackboneError(e)) return e; throw e; }
  throw new Error('expected a BackboneError');
}

describe('an app reaches only the trusts it serves', () => {
  test('an unserved trust has nothing of the app: no subnet, rule, identity, store, ingress, grant or backup copy', () => {
    for (const [app, trusts] of Object.entries(served)) {
      for (const ods of ODS.filter((o) => !trusts.includes(o))) {
        // Testing.synth strips the "//" metadata (which lists internet apps in every stack).
        expect(JSON.stringify(trustTf(ods).json)).not.toContain(app);
        expect(JSON.stringify(backupTf(ods).json)).not.toContain(app);
        expect(() => backbone.identity(ods, app)).toThrow(/^appName: /);
        expect(errorOf(() => backbone.app(app).ingressIn(ods)).message).toMatch(new RegExp(`^odsCode: "${ods}" is not a trust app ${app} serves`));
      }
      for (const ods of trusts) {
        expect(trustTf(ods).resources('google_compute_subnetwork').map(([, s]) => s.ip_cidr_range)).toContain(plan.appSubnet(ods, app));
        expect(trustTf(ods).resources('google_service_account').map(([, a]) => a.account_id)).toContain(backbone.identity(ods, app).accountId);
      }
    }
  });

  test('the rules that let traffic into an app name only its own ingress ranges and port', () => {
    for (const ods of ODS) {
      for (const [app, trusts] of Object.entries(served)) {
        if (!trusts.includes(ods) || app === 'ai-triage') continue;
        const cidr = plan.appSubnet(ods, app);
        const toApp = ingressRules(ods).filter((r) => r.action === 'allow'
          && ((r.match.dest_ip_ranges ?? []).includes(cidr) || (r.target_service_accounts ?? []).includes(email(ods, app))));
        const bySource = new Map(toApp.map((r) => [r.rule_name, r]));
        const hc = bySource.get(`allow-${app}-health-checks`)!;
        expect(hc.match).toEqual({ src_ip_ranges: ['35.191.0.0/16', '130.211.0.0/22'], dest_ip_ranges: [cidr], layer4_configs: [{ ip_protocol: 'tcp', ports: [port[app]] }] });
        if (app === 'remote-reporting') {
          // Internet: only Google's front ends (the edge's proxies and health checks) on the app's port.
          expect([...bySource.keys()]).toEqual([`allow-${app}-health-checks`]);
          continue;
        }
        expect([...bySource.keys()].sort()).toEqual([`allow-${app}-from-hscn`, `allow-${app}-from-proxies`, `allow-${app}-health-checks`]);
        expect(bySource.get(`allow-${app}-from-proxies`)!.match).toEqual({
          src_ip_ranges: [backbone.proxySubnet(ods).cidr], layer4_configs: [{ ip_protocol: 'tcp', ports: [port[app]] }],
        });
        expect(bySource.get(`allow-${app}-from-proxies`)!.target_service_accounts).toEqual([email(ods, app)]);
        const hscn = bySource.get(`allow-${app}-from-hscn`)!;
        expect(hscn.target_service_accounts).toEqual([email(ods, app)]);
        expect(hscn.match.layer4_configs).toEqual([{ ip_protocol: 'tcp', ports: ['443'] }]);
        // 10.0.0.0/8 without the backbone's pool: HSCN clients, never another trust or the hub.
        for (const r of hscn.match.src_ip_ranges) {
          expect(Cidr.parse('10.0.0.0/8').contains(Cidr.parse(r))).toBe(true);
          expect(Cidr.parse(plan.addressPool).overlaps(Cidr.parse(r))).toBe(false);
        }
        expect(hscn.match.src_ip_ranges.reduce((n: number, r: string) => n + Cidr.parse(r).size, 0))
          .toBe(Cidr.parse('10.0.0.0/8').size - Cidr.parse(plan.addressPool).size);
      }
    }
  });

  test('spoke to spoke stays denied: no ingress allow names another trust; deny-all and the egress limits still apply', () => {
    for (const ods of ODS) {
      for (const r of ingressRules(ods).filter((x) => x.action === 'allow')) {
        for (const range of r.match.src_ip_ranges) expect([r.rule_name, overlapsAnotherTrust(ods, range)]).toEqual([r.rule_name, false]);
      }
      expect(ingressRules(ods).find((r) => r.rule_name === 'deny-all-ingress')).toEqual(expect.objectContaining({
        action: 'deny', priority: 65000, match: expect.objectContaining({ src_ip_ranges: ['0.0.0.0/0'] }),
      }));
      const egress = trustTf(ods).resources('google_compute_network_firewall_policy_rule').map(([, r]) => r)
        .find((r) => r.rule_name === 'allow-internal-egress');
      expect(egress.match.dest_ip_ranges).toEqual([plan.trustBlock(ods), plan.hubBlock]);
      // Priorities are unique within the trust's policy (HSCN apps, the DIMSE gateway and the baseline).
      const priorities = trustTf(ods).resources('google_compute_network_firewall_policy_rule').map(([, r]) => r.priority);
      expect(new Set(priorities).size).toBe(priorities.length);
    }
  });

  test('HSCN ingress: an internal load balancer per served trust, one proxy-only subnet per trust shared by its HSCN apps', () => {
    const internal = (ods: string) => trustTf(ods).resources('google_compute_forwarding_rule').map(([, r]) => r)
      .filter((r) => r.load_balancing_scheme === 'INTERNAL_MANAGED');
    expect(internal('REM').map((r) => r.labels.app)).toEqual(['pacs-viewer']);
    expect(internal('RBS').map((r) => r.labels.app).sort()).toEqual(['late-viewer', 'pacs-viewer']);
    expect(internal('R0A')).toEqual([]);
    for (const ods of ODS) {
      const proxies = trustTf(ods).resources('google_compute_subnetwork').filter(([, s]) => s.purpose === 'REGIONAL_MANAGED_PROXY');
      expect(proxies.map(([, s]) => s.ip_cidr_range)).toEqual(ods === 'R0A' ? [] : [plan.trustSubnet(ods, 'transit' as any)]);
    }
    expect(() => backbone.proxySubnet('R0A')).toThrow(/^odsCode: trust R0A has no proxy-only subnet/);
    // No forwarding rule in any trust is external.
    for (const ods of ODS) {
      for (const [, r] of trustTf(ods).resources('google_compute_forwarding_rule')) expect(r.load_balancing_scheme).not.toMatch(/^EXTERNAL/);
    }
  });

  test('the listeners\' certificates are looked up by their conventional names; the HSCN app takes its ingress port', () => {
    const regional = trustTf('RBS').dataSources('google_compute_region_ssl_certificate').map(([, d]) => [d.name, d.project]);
    expect(regional.sort()).toEqual([
      [Backbone.certificateNameFor(spec, 'late-viewer', 'RBS'), backbone.spoke('RBS').projectId],
      [Backbone.certificateNameFor(spec, 'pacs-viewer', 'RBS'), backbone.spoke('RBS').projectId],
    ].sort());
    expect(Backbone.certificateNameFor(spec, 'pacs-viewer', 'RBS')).toBe(spec.naming.trust('RBS', 'pacs-viewer-cert', NameKind.GCP_RESOURCE));
    const proxies = trustTf('RBS').resources('google_compute_region_target_https_proxy').map(([, p]) => p.ssl_certificates[0]);
    expect(proxies.every((c) => /^\$\{data\.google_compute_region_ssl_certificate\..*\.self_link\}$/.test(c))).toBe(true);
    const negs = trustTf('RBS').resources('google_compute_network_endpoint_group').map(([, n]) => [n.name, n.default_port]);
    expect(negs.filter(([n]) => n.includes('late-viewer')).map(([, p]) => p)).toEqual([8443, 8443]);
  });

  test('internet: one edge stack after the hub, with CIS2; a backend per served trust, whose NEG holds only that trust\'s app range', () => {
    const edgeStack = backbone.edgeStack('remote-reporting');
    expect(edgeStack.dependencies).toContain(backbone.hubStack);
    for (const o of ODS) expect(backbone.trustStack(o).dependencies).not.toContain(edgeStack);
    expect(() => backbone.edgeStack('pacs-viewer')).toThrow(/^appName: "pacs-viewer" is not an app with internet ingress/);
    const edge = backbone.app('remote-reporting').edge!;
    expect(edge.trusts).toEqual(['REM', 'RBS']);
    const negs = edgeTf.resources('google_compute_network_endpoint_group').map(([, n]) => n);
    expect(negs.map((n) => n.network_endpoint_type)).toEqual(['NON_GCP_PRIVATE_IP_PORT', 'NON_GCP_PRIVATE_IP_PORT']);
    for (const ods of ['REM', 'RBS']) {
      const neg = negs.find((n) => n.name.includes(`-${ods.toLowerCase()}-`))!;
      expect(neg.description).toContain(`in trust ${ods}: private addresses in its /27 (${plan.appSubnet(ods, 'remote-reporting')})`);
      expect(neg.network.endsWith(`/networks/${hubNetworkName(spec)}`)).toBe(true);
    }
    const backends = edgeTf.resources('google_compute_backend_service').map(([, b]) => b);
    expect(backends.map((b) => [b.load_balancing_scheme, b.iap.enabled])).toEqual([['EXTERNAL_MANAGED', true], ['EXTERNAL_MANAGED', true]]);
    expect(edgeTf.resources('google_iap_settings')).toHaveLength(2);
    edgeTf.only('google_identity_platform_oauth_idp_config');
    expect(JSON.stringify(edgeTf.json)).not.toMatch(/r0a/i);
    // An endpoint is accepted only inside the served trust's /27.
    expect(() => edge.addEndpoint('R0A', '10.0.0.1')).toThrow(/^odsCode: "R0A" is not a trust app remote-reporting serves/);
    expect(() => edge.addEndpoint('REM', plan.appSubnet('RBS', 'remote-reporting').replace(/\/27$/, ''))).toThrow(/^ipAddress: .* is not in app remote-reporting's subnet in trust REM/);
    // The only external resources are the edge's, labelled as its declared ingress.
    expect(edgeTf.only('google_compute_global_forwarding_rule').labels['app-ingress']).toBe('remote-reporting');
  });

  test('internet defaults: the certificate and the domain (from the app\'s Cloud DNS zone) are read at plan time', () => {
    const [, cert] = edgeTf.dataSources('google_compute_ssl_certificate')[0];
    expect(cert.name).toBe(Backbone.certificateNameFor(spec, 'remote-reporting'));
    const [, zone] = edgeTf.dataSources('google_dns_managed_zone')[0];
    expect(zone.name).toBe(Backbone.domainZoneNameFor(spec, 'remote-reporting'));
    const hosts = edgeTf.only('google_compute_url_map').host_rule.map((h: any) => h.hosts[0]);
    expect(hosts).toEqual(['rem', 'rbs'].map((o) => `${o}.\${trimsuffix(data.google_dns_managed_zone.${edgeTf.dataSources('google_dns_managed_zone')[0][0]}.dns_name, ".")}`));
  });

  test('an app\'s grants are its own trust\'s: its store and its network\'s DICOM store, to its identity in that trust only', () => {
    for (const ods of ODS) {
      const buckets = trustTf(ods).resources('google_storage_bucket').map(([, b]) => b);
      const [key, bucket] = trustTf(ods).resources('google_storage_bucket').find(([, b]) => b.labels?.app === 'ai-triage')!;
      expect(buckets.filter((b) => b.labels?.app)).toHaveLength(ods === 'RBS' ? 2 : 1);
      expect(bucket.encryption.default_kms_key_name).toContain(backbone.keyRing(ods).key().keyId.split('/').pop());
      expect(bucket.lifecycle.prevent_destroy).toBe(true);
      const members = trustTf(ods).resources('google_storage_bucket_iam_member').map(([, m]) => m)
        .filter((m) => m.bucket === `\${google_storage_bucket.${key}.name}`);
      // The app's identity in this trust reads and adds; the backup project's transfer agent reads. No one else.
      const who = (m: string) => (m.includes('storage_transfer_project_service_account') ? 'backup transfer agent' : m);
      expect(members.map((m) => `${m.role} ${who(m.member)}`).sort()).toEqual([
        'roles/storage.legacyBucketReader backup transfer agent',
        `roles/storage.objectCreator serviceAccount:${email(ods, 'ai-triage')}`,
        'roles/storage.objectViewer backup transfer agent',
        `roles/storage.objectViewer serviceAccount:${email(ods, 'ai-triage')}`,
      ]);
      // No identity of another trust is granted anything in this trust's stack.
      const others = ODS.filter((o) => o !== ods).flatMap((o) => Object.entries(served).filter(([, t]) => t.includes(o)).map(([a]) => email(o, a)));
      for (const [, m] of trustTf(ods).resources('google_storage_bucket_iam_member')) expect(others.some((e) => m.member.includes(e))).toBe(false);
    }
    // DICOMweb: each app identity in an imaging network's stack is of a trust of that network and an app serving it.
    for (const net of spec.imagingNetworks()) {
      const members = tf.get(TerraformStack.of(backbone.dicomStore(net.id)).node.id)!.resources('google_healthcare_dicom_store_iam_member').map(([, m]) => m);
      const allowed = Object.entries(served).filter(([app]) => (spec.apps.find((a) => a.name === app)!.dicomweb ?? 'none') !== 'none')
        .flatMap(([app, trusts]) => trusts.filter((o) => net.trusts.includes(o)).map((o) => `serviceAccount:${email(o, app)}`));
      expect(members.length).toBeGreaterThan(0);
      for (const m of members) expect(allowed).toContain(m.member);
      for (const [app, trusts] of Object.entries(served)) {
        const dicomweb = spec.apps.find((a) => a.name === app)!.dicomweb ?? 'none';
        for (const ods of ODS) {
          const mine = members.filter((m) => m.member === `serviceAccount:${trusts.includes(ods) ? email(ods, app) : `${app}@`}`);
          const expected = dicomweb !== 'none' && trusts.includes(ods) && net.trusts.includes(ods);
          expect([app, ods, mine.map((m) => m.role)]).toEqual([app, ods, expected ? [dicomweb === 'read' ? 'roles/healthcare.dicomViewer' : 'roles/healthcare.dicomEditor'] : []]);
        }
      }
    }
  });

  test('an app\'s store is copied with the trust\'s other stores, in the backup project', () => {
    for (const ods of ODS) {
      const copies = backupTf(ods).resources('google_storage_bucket').map(([, b]) => b.labels.store);
      expect(copies).toContain('app-ai-triage');
      expect(copies.includes('app-late-viewer')).toBe(ods === 'RBS');
      expect(backbone.trustBackup(ods).copy('app-ai-triage').retentionSeconds).toBe(backbone.app('ai-triage').storeIn(ods).retentionSeconds);
      const jobs = backupTf(ods).resources('google_storage_transfer_job').map(([, j]) => j.transfer_spec.gcs_data_source.bucket_name);
      expect(jobs).toContain(backbone.app('ai-triage').storeIn(ods).bucketName);
    }
    // The store lets the backup project's transfer agent read it.
    const readers = trustTf('RBS').resources('google_storage_bucket_iam_member').map(([, m]) => m)
      .filter((m) => m.role === 'roles/storage.objectViewer' && m.member.includes('storage_transfer_project_service_account'));
    expect(readers.map((m) => m.bucket).filter((b) => b.includes('app-store-'))).toHaveLength(2);
  });

  test('addApp after construction: subnet, identity, store and its copy, HSCN ingress; backbone.app finds it', () => {
    expect(backbone.app('late-viewer')).toBe(late);
    expect(late.trusts).toEqual(['RBS']);
    expect(late.attachmentIn('RBS').cidr).toBe(plan.appSubnet('RBS', 'late-viewer'));
    expect(late.identityIn('RBS')).toBe(backbone.identity('RBS', 'late-viewer'));
    expect(late.storeIn('RBS').bucketName).toContain('late-viewer');
    expect(late.ingressIn('RBS').ingress).toBe('hscn');
    expect(backbone.addApp({ name: 'late-viewer', trusts: ['RBS'], ingress: 'hscn' as any, store: { category: 'adult' } } as any)).toBe(late);
  });
});

describe('bad apps and options', () => {
  const other = withoutStackTraces(() => new Backbone(Testing.app({ stackTraces: false }), 'other', { spec: smallSpec() }));

  test('a bad app, or a bad ingress option, is one BackboneError naming the field', () => {
    expect(errorOf(() => other.addApp({ name: 'Bad Name', trusts: ['REM'] } as any)).message).toMatch(/^app\.name: /);
    expect(errorOf(() => other.addApp({ name: 'ok-app', trusts: ['NOPE'] } as any)).message).toMatch(/^app\.trusts/);
    expect(errorOf(() => new Backbone(Testing.app(), 'third', { spec: smallSpec(), appIngress: { nope: {} } })).message)
      .toMatch(/^appIngress\.nope: "nope" is not an app/);
    const bad = errorOf(() => new Backbone(Testing.app(), 'fourth', { spec: smallSpec(), appIngress: { 'remote-reporting': { targetPort: 70000 } } }));
    expect(bad.problems).toEqual([{ path: 'appIngress.remote-reporting.targetPort', message: expect.stringContaining('not a TCP port') }]);
    expect(errorOf(() => other.addApp({ name: 'hscn-app', trusts: ['REM'], ingress: 'hscn' as any } as any, { sourceRanges: ['0.0.0.0/0'] })).message)
      .toMatch(/^appIngress\.hscn-app\.sourceRanges\[0\]: .*HSCN/);
    expect(errorOf(() => other.addApp({ name: 'web-app', trusts: ['REM'], ingress: 'internet' as any } as any, { domainName: 'Not A Name' })).message)
      .toMatch(/^appIngress\.web-app\.domainName: /);
    expect(errorOf(() => other.app('nope')).message).toMatch(/^appName: "nope" is not an app/);
  });

  test('an internet app added with addApp joins the edge and every stack\'s declared internet ingress', () => {
    const web = other.addApp({ name: 'web-app', trusts: ['REM'], ingress: 'internet' as any } as any, { certificateName: 'web-app-cert' });
    expect(web.edge!.trusts).toEqual(['REM']);
    expect(other.edgeStack('web-app')).toBe(other.edgeStack('remote-reporting'));
    for (const stack of [other.hubStack, other.trustStack('R0A'), other.edgeStack('web-app')]) {
      expect((stack.toTerraform() as any)['//']['nhs-backbone'].internetIngressApps).toEqual(['remote-reporting', 'web-app']);
    }
    const certs = TfJson.of(other.edgeStack('web-app')).dataSources('google_compute_ssl_certificate').map(([, c]) => c.name);
    expect(certs).toEqual([Backbone.certificateNameFor(other.spec, 'remote-reporting'), 'web-app-cert']);
  });

  test('an internet app without CIS2 in the spec is refused, naming identity.cis2', () => {
    const noCis2 = withoutStackTraces(() => new Backbone(Testing.app({ stackTraces: false }), 'nocis2', {
      spec: smallSpec({ apps: [], identity: { securityContact: 'security@test-backbone.nhs.uk' } } as any),
    }));
    expect(errorOf(() => noCis2.addApp({ name: 'web-app', trusts: ['REM'], ingress: 'internet' as any } as any)).message).toMatch(/identity\.cis2/);
  });
});
