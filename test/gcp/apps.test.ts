import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { GoogleProvider } from '@cdktf/provider-google/lib/provider';
import { TerraformStack, Testing } from 'cdktf';
import { BackboneError } from '../../src/core/errors';
import { RecordsCategory } from '../../src/core/retention';
import { AppStore } from '../../src/gcp/apps/app-store';
import { HscnAppIngress, HscnAppIngressProps, ProxyOnlySubnet } from '../../src/gcp/apps/hscn-ingress';
import { InternetAppEdge, InternetAppEdgeProps } from '../../src/gcp/apps/internet-edge';
import { SpecialistApp } from '../../src/gcp/apps/specialist-app';
import { AppTlsProfile } from '../../src/gcp/apps/tls-profile';
import { checkSynthOutput } from '../../src/gcp/compliance/check-output';
import { Cis2Edge } from '../../src/gcp/identity/cis2-edge';
import { TrustKeyRing } from '../../src/gcp/identity/kms';
import { WorkloadIdentity } from '../../src/gcp/identity/workload-identity';
import { TrustSpoke } from '../../src/gcp/network/trust-spoke';
import { ClinicalStore } from '../../src/gcp/storage/clinical-store';
import { smallSpec } from '../support/specs';
import { TfJson } from '../support/terraform';

// One hub stack (the internet edge) and one trust stack (HSCN ingress and an
// app store), each built standalone, synthesised once.
const spec = smallSpec({
  apps: [
    { name: 'ai-triage', trusts: ['*'], dicomweb: 'read' as any, ingress: 'none' as any },
    { name: 'pacs-viewer', trusts: ['REM', 'RBS'], ingress: 'hscn' as any, store: { category: 'adult' } },
    { name: 'remote-reporting', trusts: ['REM', 'RBS'], ingress: 'internet' as any },
  ],
} as any);
const plan = spec.addressPlan();
const HUB = 'test-hub-project';
const REM = 'test-rem-project';
const HSCN_CERT = `projects/${REM}/regions/europe-west2/sslCertificates/pacs-viewer`;
const EDGE_CERT = `projects/${HUB}/global/sslCertificates/remote-reporting`;
const app = Testing.app({ stackTraces: false });

const trustStack = new TerraformStack(app, 'rem');
new GoogleProvider(trustStack, 'google', { project: REM, region: 'europe-west2' });
const spoke = new TrustSpoke(trustStack, 'spoke', { spec, addressPlan: plan, odsCode: 'REM', projectId: REM, hubProjectId: HUB });
const keyRing = new TrustKeyRing(trustStack, 'keys', { spec, odsCode: 'REM', projectId: REM });
const viewerId = new WorkloadIdentity(trustStack, 'viewer', { spec, appName: 'pacs-viewer', projectId: REM, odsCode: 'REM' });
const triageId = new WorkloadIdentity(trustStack, 'triage', { spec, appName: 'ai-triage', projectId: REM, odsCode: 'REM' });
const proxySubnet = new ProxyOnlySubnet(trustStack, 'proxy', { spec, addressPlan: plan, spoke });
const hscnProps: HscnAppIngressProps = { spec, appName: 'pacs-viewer', spoke, proxySubnet, identity: viewerId, certificateIds: [HSCN_CERT] };
const ingress = new HscnAppIngress(trustStack, 'viewer-ingress', hscnProps);
const appStore = new AppStore(trustStack, 'viewer-store', { spec, appName: 'pacs-viewer', odsCode: 'REM', projectId: REM, keyRing, identity: viewerId });

const hubStack = new TerraformStack(app, 'hub');
new GoogleProvider(hubStack, 'google', { project: HUB, region: 'europe-west2' });
const cis2 = new Cis2Edge(hubStack, 'cis2', { spec, projectId: HUB, signInPageUri: 'https://signin.example.nhs.uk/', projectNumber: '123456789012' });
const edgeProps: InternetAppEdgeProps = {
  spec, appName: 'remote-reporting', addressPlan: plan, projectId: HUB, cis2, certificateIds: [EDGE_CERT], domainName: 'reporting.example.nhs.uk',
};
const edge = new InternetAppEdge(hubStack, 'edge', edgeProps);
const remIp = plan.appSubnet('REM', 'remote-reporting').replace(/\.(\d+)\/27$/, (_, n) => `.${Number(n) + 4}`);
edge.addEndpoint('REM', remIp);

const trust = TfJson.of(trustStack);
const hub = TfJson.of(hubStack);
const ref = (type: string, name: string, attr: string) => `\${${type}.${name}.${attr}}`;
const nameOf = (t: TfJson, type: string, pred: (c: any) => boolean) => {
  const found = t.resources(type).filter(([, c]) => pred(c));
  if (found.length !== 1) throw new Error(`expected one ${type}, found ${found.length}`);
  return found[0];
};
const errorOf = (f: () => unknown): BackboneError => {
  try { f(); } catch (e) { return e as BackboneError; }
  throw new Error('expected a BackboneError');
};

describe('HSCN ingress (internal ALB in the trust)', () => {
  test('the forwarding rule is INTERNAL_MANAGED on 443 in the app subnet, and the trust makes no external address', () => {
    const fr = trust.only('google_compute_forwarding_rule');
    expect(fr).toMatchObject({ load_balancing_scheme: 'INTERNAL_MANAGED', port_range: '443', ip_protocol: 'TCP', allow_global_access: false });
    const [subnetName] = nameOf(trust, 'google_compute_subnetwork', (s) => s.ip_cidr_range === plan.appSubnet('REM', 'pacs-viewer'));
    expect(fr.subnetwork).toBe(ref('google_compute_subnetwork', subnetName, 'id'));
    expect(fr.ip_address).toBeUndefined();
    expect(trust.resources('google_compute_address')).toHaveLength(0);
    expect(trust.resources('google_compute_global_address')).toHaveLength(0);
    expect(trust.resources('google_compute_global_forwarding_rule')).toHaveLength(0);
  });

  test('the backend service is INTERNAL_MANAGED over HTTPS with logging on', () => {
    expect(trust.only('google_compute_region_backend_service')).toMatchObject({
      load_balancing_scheme: 'INTERNAL_MANAGED', protocol: 'HTTPS', log_config: { enable: true, sample_rate: 1 },
    });
  });

  test('a proxy-only subnet in the trust TRANSIT range', () => {
    const [, s] = nameOf(trust, 'google_compute_subnetwork', (c) => c.purpose === 'REGIONAL_MANAGED_PROXY');
    expect(s).toMatchObject({ role: 'ACTIVE', ip_cidr_range: proxySubnet.cidr, region: 'europe-west2' });
  });

  test('the listener is HTTPS only with an SSL policy of TLS 1.2 (RESTRICTED)', () => {
    const [policyName, policy] = trust.resources('google_compute_region_ssl_policy')[0];
    expect(policy).toMatchObject({ min_tls_version: 'TLS_1_2', profile: 'RESTRICTED' });
    const proxy = trust.only('google_compute_region_target_https_proxy');
    expect(proxy.ssl_policy).toBe(ref('google_compute_region_ssl_policy', policyName, 'id'));
    expect(proxy.ssl_certificates).toEqual([HSCN_CERT]);
    expect(trust.resources('google_compute_region_target_http_proxy')).toHaveLength(0);
  });

  test('443 from 10.0.0.0/8 only, to the app service account only, logged', () => {
    const [, rule] = nameOf(trust, 'google_compute_network_firewall_policy_rule', (r) => r.rule_name === 'allow-pacs-viewer-from-hscn');
    expect(rule).toMatchObject({
      direction: 'INGRESS',
      action: 'allow',
      enable_logging: true,
      target_service_accounts: [viewerId.email],
      match: { src_ip_ranges: ['10.0.0.0/8'], layer4_configs: [{ ip_protocol: 'tcp', ports: ['443'] }] },
    });
    const fromProxies = nameOf(trust, 'google_compute_network_firewall_policy_rule', (r) => r.rule_name === 'allow-pacs-viewer-from-proxies')[1];
    expect(fromProxies.match.src_ip_ranges).toEqual([proxySubnet.cidr]);
    expect(fromProxies.target_service_accounts).toEqual([viewerId.email]);
  });

  test('bad props name the prop', () => {
    expect(errorOf(() => new HscnAppIngress(new TerraformStack(app, 'b1'), 'x', { ...hscnProps, sourceRanges: ['0.0.0.0/0'] })).message).toMatch(/^sourceRanges\[0\]: .*HSCN/);
    expect(errorOf(() => new HscnAppIngress(new TerraformStack(app, 'b2'), 'x', { ...hscnProps, certificateIds: [] })).message).toMatch(/^certificateIds: is required/);
    expect(errorOf(() => new HscnAppIngress(new TerraformStack(app, 'b3'), 'x', { ...hscnProps, identity: triageId })).message).toMatch(/^identity: /);
    expect(errorOf(() => new HscnAppIngress(new TerraformStack(app, 'b4'), 'x', { ...hscnProps, appName: 'remote-reporting' })).message).toMatch(/^appName: .*ingress internet/);
    expect(errorOf(() => new HscnAppIngress(new TerraformStack(app, 'b5'), 'x', { ...hscnProps, tlsProfile: 'COMPATIBLE' as AppTlsProfile })).message).toMatch(/^tlsProfile: /);
  });
});

describe('internet edge (global external ALB in the hub)', () => {
  const [armorName, armor] = hub.resources('google_compute_security_policy')[0];
  const backends = hub.resources('google_compute_backend_service');

  test('Cloud Armor denies the preconfigured WAF rules and rate-limits per address', () => {
    const exprs = armor.rule.filter((r: any) => r.match.expr).map((r: any) => [r.action, r.match.expr.expression]);
    for (const waf of ['sqli-v33-stable', 'xss-v33-stable']) {
      expect(exprs).toContainEqual(['deny(403)', `evaluatePreconfiguredWaf('${waf}', {'sensitivity': 1})`]);
    }
    const throttle = armor.rule.find((r: any) => r.action === 'throttle');
    expect(throttle.rate_limit_options).toMatchObject({ enforce_on_key: 'IP', exceed_action: 'deny(429)', rate_limit_threshold: { count: 500, interval_sec: 60 } });
    expect(armor.type).toBe('CLOUD_ARMOR');
  });

  test('every trust backend has Cloud Armor, IAP on and logging, on a hybrid NEG', () => {
    expect(backends).toHaveLength(2);
    for (const [, b] of backends) {
      expect(b).toMatchObject({ load_balancing_scheme: 'EXTERNAL_MANAGED', protocol: 'HTTPS', iap: { enabled: true }, log_config: { enable: true } });
      expect(b.security_policy).toBe(ref('google_compute_security_policy', armorName, 'id'));
    }
    for (const [, n] of hub.resources('google_compute_network_endpoint_group')) {
      expect(n.network_endpoint_type).toBe('NON_GCP_PRIVATE_IP_PORT');
    }
  });

  test('IAP signs in with the CIS2 provider of Identity Platform on every trust backend', () => {
    const [idpName, idp] = hub.resources('google_identity_platform_oauth_idp_config')[0];
    expect(idp.name).toBe(cis2.providerId);
    const iap = hub.resources('google_iap_settings');
    expect(iap).toHaveLength(2);
    const names = iap.map(([, s]) => s.name).sort();
    expect(names).toEqual(backends.map(([, b]) => `projects/${HUB}/iap_web/compute/services/${b.name}`).sort());
    const direct = iap.find(([, s]) => Array.isArray(s.access_settings.gcip_settings.tenant_ids))![1];
    expect(direct.access_settings.gcip_settings).toEqual({ tenant_ids: ['_123456789012'], login_page_uri: 'https://signin.example.nhs.uk/' });
    expect(direct.depends_on).toContain(`google_identity_platform_oauth_idp_config.${idpName}`);
  });

  test('HTTPS only with TLS 1.2, and the address and forwarding rule labelled app-ingress', () => {
    const fr = hub.only('google_compute_global_forwarding_rule');
    expect(fr).toMatchObject({ load_balancing_scheme: 'EXTERNAL_MANAGED', port_range: '443' });
    expect(fr.labels['app-ingress']).toBe('remote-reporting');
    expect(hub.only('google_compute_global_address').labels['app-ingress']).toBe('remote-reporting');
    expect(hub.only('google_compute_ssl_policy')).toMatchObject({ min_tls_version: 'TLS_1_2', profile: 'RESTRICTED' });
    expect(hub.resources('google_compute_target_http_proxy')).toHaveLength(0);
  });

  test('each trust is reached on its own host; unknown hosts reach no trust', () => {
    const um = hub.only('google_compute_url_map');
    expect(um.default_service).toBeUndefined();
    expect(um.host_rule.map((h: any) => h.hosts[0]).sort()).toEqual(['rbs.reporting.example.nhs.uk', 'rem.reporting.example.nhs.uk']);
  });

  test('endpoints only inside the app /27 of the trust', () => {
    expect(hub.only('google_compute_network_endpoint').ip_address).toBe(remIp);
    expect(errorOf(() => edge.addEndpoint('RBS', remIp)).message).toMatch(/^ipAddress: .*not in app remote-reporting's subnet in trust RBS/);
    expect(errorOf(() => edge.addEndpoint('R0A', remIp)).message).toMatch(/^odsCode: /);
  });

  test('bad props name the prop', () => {
    // Built after the hub stack was synthesised; each throws before making anything.
    expect(errorOf(() => new InternetAppEdge(hubStack, 'e1', { ...edgeProps, domainName: undefined })).message).toMatch(/^domainName: is required/);
    expect(errorOf(() => new InternetAppEdge(hubStack, 'e2', { ...edgeProps, rateLimitIntervalSec: 7 })).message).toMatch(/^rateLimitIntervalSec: /);
    expect(errorOf(() => new InternetAppEdge(hubStack, 'e3', { ...edgeProps, appName: 'pacs-viewer' })).message).toMatch(/^appName: .*ingress hscn/);
    expect(errorOf(() => new InternetAppEdge(new TerraformStack(app, 'e4'), 'x', { ...edgeProps })).message).toMatch(/^cis2: .*another stack/);
  });
});

describe('app store', () => {
  const bucketName = ClinicalStore.bucketNameFor(spec, 'REM', AppStore.storeNameFor('pacs-viewer'));
  const [bName, bucket] = nameOf(trust, 'google_storage_bucket', (b) => b.name === bucketName);

  test('retention at the category floor, locked, CMEK, kept', () => {
    const adult = RecordsCategory.fromId('adult')!;
    expect(bucket.retention_policy).toEqual({ retention_period: adult.minimumLockDays * 86400, is_locked: true });
    expect(bucket.labels).toMatchObject({ 'records-category': 'adult', 'app': 'pacs-viewer' });
    expect(bucket.lifecycle.prevent_destroy).toBe(true);
    expect(bucket.public_access_prevention).toBe('enforced');
  });

  test('only the app identity in this trust gets write', () => {
    const grants = trust.resources('google_storage_bucket_iam_member').filter(([, g]) => g.bucket === ref('google_storage_bucket', bName, 'name'));
    expect(grants.map(([, g]) => g.member)).toEqual([viewerId.member, viewerId.member]);
    expect(grants.map(([, g]) => g.role).sort()).toEqual(['roles/storage.objectCreator', 'roles/storage.objectViewer']);
    expect(appStore.store.bucketName).toBe(bucketName);
  });

  test('bad props name the prop', () => {
    const p = { spec, appName: 'pacs-viewer', odsCode: 'REM', projectId: REM, keyRing, identity: triageId };
    expect(errorOf(() => new AppStore(new TerraformStack(app, 's1'), 'x', p)).message).toMatch(/^identity: is the identity of app ai-triage/);
    expect(errorOf(() => new AppStore(new TerraformStack(app, 's2'), 'x', { ...p, appName: 'remote-reporting' })).message).toMatch(/^(appName|identity): /);
    expect(errorOf(() => new AppStore(new TerraformStack(app, 's3'), 'x', { ...p, odsCode: 'R0A' })).message).toMatch(/^odsCode: /);
  });
});

describe('SpecialistApp facade', () => {
  const viewer = new SpecialistApp({ spec, appName: 'pacs-viewer' });
  viewer.addTrust({ odsCode: 'REM', identity: viewerId, attachment: spoke.attachApp('pacs-viewer'), store: appStore, hscnIngress: ingress });

  test('identityIn, storeIn and ingressIn per served trust', () => {
    expect(viewer.identityIn('REM')).toBe(viewerId);
    expect(viewer.storeIn('REM')).toBe(appStore.store);
    expect(viewer.ingressIn('REM')).toMatchObject({ odsCode: 'REM', ingress: 'hscn' });
    expect(errorOf(() => viewer.identityIn('R0A')).message).toMatch(/^odsCode: "R0A" is not a trust app pacs-viewer serves/);
    expect(errorOf(() => viewer.identityIn('RBS')).message).toMatch(/^odsCode: trust RBS has not been added/);
  });

  test('the facade refuses parts that are not the app own', () => {
    expect(errorOf(() => viewer.addTrust({ odsCode: 'RBS', identity: viewerId, attachment: spoke.attachApp('pacs-viewer') } as any)).message).toMatch(/^identity: belongs to app pacs-viewer in trust REM/);
    expect(errorOf(() => new SpecialistApp({ spec, appName: 'remote-reporting' })).message).toMatch(/^edge: is required/);
    const reporting = new SpecialistApp({ spec, appName: 'remote-reporting', edge });
    expect(reporting.edge!.hostNameIn('RBS')).toBe('rbs.reporting.example.nhs.uk');
  });
});

describe('the NHS compliance profile over the app stacks', () => {
  const root = mkdtempSync(join(tmpdir(), 'gcp-apps-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  let n = 0;
  const netFindings = (stacks: { [name: string]: any }): string[] => {
    const dir = join(root, `out-${n++}`);
    for (const [name, json] of Object.entries(stacks)) {
      mkdirSync(join(dir, 'stacks', name), { recursive: true });
      writeFileSync(join(dir, 'stacks', name, 'cdk.tf.json'), JSON.stringify(json));
    }
    return checkSynthOutput(dir).findings
      .filter((f) => f.ruleId === 'NHS-NET-1' && f.acknowledgedReason === undefined)
      .map((f) => `${f.stack}/${f.resource}`).sort();
  };
  const declared = (json: any, apps: string[]) => ({ ...json, '//': { ...(json['//'] ?? {}), 'nhs-backbone': { residency: 'uk', internetIngressApps: apps } } });

  test('NHS-NET-1: the edge passes only when its stack declares the app with internet ingress; the HSCN ingress always passes', () => {
    expect(netFindings({ hub: declared(hub.json, ['remote-reporting']), rem: declared(trust.json, []) })).toEqual([]);
    const undeclared = netFindings({ hub: declared(hub.json, []), rem: declared(trust.json, []) });
    expect(undeclared.length).toBeGreaterThan(0);
    expect(undeclared.every((f) => f.startsWith('hub/'))).toBe(true);
    expect(undeclared.some((f) => f.includes('google_compute_global_forwarding_rule'))).toBe(true);
  });
});
