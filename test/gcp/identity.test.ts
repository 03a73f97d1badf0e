import { GoogleProvider } from '@cdktf/provider-google/lib/provider';
import { TerraformStack, Testing } from 'cdktf';
import { Cis2Environment } from '../../src/core/identity';
import { BreakGlass } from '../../src/gcp/identity/break-glass';
import { CiFederation } from '../../src/gcp/identity/ci-federation';
import { Cis2Edge } from '../../src/gcp/identity/cis2-edge';
import { TrustKeyRing } from '../../src/gcp/identity/kms';
import { WorkloadIdentity } from '../../src/gcp/identity/workload-identity';
import { scanGcpIam } from '../support/gcp-iam-scan';
import { SMALL, smallSpec } from '../support/specs';
import { TfJson } from '../support/terraform';

// One synthesis shared by every test: a hub stack (CI federation, CIS2 edge,
// break-glass) and a trust stack (keys, one identity per app serving REM).
const spec = smallSpec();
const HUB = 'test-backbone-hub-prod';
const REM = 'test-backbone-rem-prod';
const CHANNEL = `projects/${HUB}/notificationChannels/1234567890`;
const app = Testing.app();
const stack = (name: string, project: string) => {
  const s = new TerraformStack(app, name);
  new GoogleProvider(s, 'google', { project, region: 'europe-west2' });
  return s;
};
const hubStack = stack('hub', HUB);
const trustStack = stack('rem', REM);

const ci = new CiFederation(hubStack, 'ci', { spec, projectId: HUB, deployRoles: ['roles/run.developer'] });
const edge = new Cis2Edge(hubStack, 'cis2', { spec, projectId: HUB, signInPageUri: 'https://signin.example.nhs.uk/', projectNumber: '123456789012' });
edge.protectBackend('remote-reporting', 'remote-reporting-be');
const breakGlass = new BreakGlass(hubStack, 'break-glass', {
  spec,
  projectId: HUB,
  notificationChannels: [CHANNEL],
  operators: ['group:breakglass@example.nhs.uk'],
  accessExpires: '2030-01-31T18:00:00Z',
});
const keys = new TrustKeyRing(trustStack, 'keys', { spec, odsCode: 'REM', projectId: REM, dataClasses: ['imaging', 'reports'] });
const identities = spec.appsServing('REM').map((a) => new WorkloadIdentity(trustStack, `identity-${a.name}`, { spec, appName: a.name, projectId: REM, odsCode: 'REM' }));
const [triage, reporting] = identities;
keys.key('imaging').grantEncryptDecrypt(triage);
keys.key('imaging').grantEncryptDecrypt(reporting);
keys.key('reports').grantEncryptDecrypt(reporting);
keys.key('reports').grantEncryptDecrypt(reporting); // twice: one member only

const hub = TfJson.of(hubStack);
const trust = TfJson.of(trustStack);
const hubRaw = Testing.synth(hubStack);
const trustRaw = Testing.synth(trustStack);

const byName = (tf: TfJson, type: string, name: string) => {
  const r = tf.resources(type).filter(([, c]) => c.name === name);
  if (r.length !== 1) throw new Error(`expected one ${type} named ${name}, found ${r.length}`);
  return r[0];
};

describe('customer-managed keys per trust', () => {
  test('one key ring in the trust project, in the UK region, never destroyed', () => {
    const ring = trust.only('google_kms_key_ring');
    expect(ring.project).toBe(REM);
    expect(ring.location).toBe('europe-west2');
    expect(ring.name).toBe(spec.naming.trust('REM', 'keys'));
    expect(ring.lifecycle).toEqual({ prevent_destroy: true });
  });

  test.each(['imaging', 'reports'])('key %s: HSM, symmetric, rotated every 90 days, 30-day destroy window, prevent_destroy, ODS labels', (dataClass) => {
    const [, key] = byName(trust, 'google_kms_crypto_key', dataClass);
    const [ringName] = trust.resources('google_kms_key_ring')[0];
    expect(key.key_ring).toBe(`\${google_kms_key_ring.${ringName}.id}`);
    expect(key.purpose).toBe('ENCRYPT_DECRYPT');
    expect(key.rotation_period).toBe('7776000s');
    expect(key.destroy_scheduled_duration).toBe('2592000s');
    expect(key.version_template).toEqual({ algorithm: 'GOOGLE_SYMMETRIC_ENCRYPTION', protection_level: 'HSM' });
    expect(key.lifecycle).toEqual({ prevent_destroy: true });
    expect(key.labels).toMatchObject({ ...spec.labelsFor('REM'), 'data-class': dataClass });
  });

  test('a rotation period in days is written in seconds', () => {
    const s = stack('rotation', REM);
    new TrustKeyRing(s, 'keys', { spec, odsCode: 'REM', projectId: REM, rotationDays: 36500 });
    expect(TfJson.of(s).only('google_kms_crypto_key').rotation_period).toBe(`${36500 * 86400}s`);
  });
});

describe('workload identities and grants', () => {
  test('one service account per app serving the trust, no key anywhere', () => {
    const accounts = trust.resources('google_service_account').map(([, c]) => c);
    expect(accounts.map((a) => a.account_id).sort()).toEqual(identities.map((i) => i.accountId).sort());
    for (const a of accounts) {
      expect(a.project).toBe(REM);
      expect(a.account_id).toMatch(/^[a-z][a-z0-9-]{4,28}[a-z0-9]$/);
    }
    for (const raw of [hubRaw, trustRaw]) expect(raw).not.toMatch(/google_service_account_key/);
    expect(triage.email).toBe(`${triage.accountId}@${REM}.iam.gserviceaccount.com`);
  });

  test('grantEncryptDecrypt: one IAM member (not binding) per identity and key, encrypter/decrypter only', () => {
    const grants = trust.resources('google_kms_crypto_key_iam_member').map(([, c]) => c);
    expect(trust.resources('google_kms_crypto_key_iam_binding')).toEqual([]);
    expect(trust.resources('google_kms_crypto_key_iam_policy')).toEqual([]);
    const [imaging] = byName(trust, 'google_kms_crypto_key', 'imaging');
    const [reports] = byName(trust, 'google_kms_crypto_key', 'reports');
    const got = grants.map((g) => `${g.crypto_key_id} ${g.member}`).sort();
    expect(got).toEqual([
      `\${google_kms_crypto_key.${imaging}.id} ${triage.member}`,
      `\${google_kms_crypto_key.${imaging}.id} ${reporting.member}`,
      `\${google_kms_crypto_key.${reports}.id} ${reporting.member}`,
    ].sort());
    for (const g of grants) {
      expect(g.role).toBe('roles/cloudkms.cryptoKeyEncrypterDecrypter');
      expect(g.depends_on?.length).toBe(1); // waits for the service account in the same stack
    }
  });
});

describe('CI federation pinned to the subject', () => {
  const subject = spec.identity.ci!.subject;

  test('OIDC provider for GitHub Actions, mapping sub and repository, condition pinned to the exact subject', () => {
    const p = hub.only('google_iam_workload_identity_pool_provider');
    expect(p.oidc).toEqual({ issuer_uri: 'https://token.actions.githubusercontent.com' });
    expect(p.attribute_mapping).toEqual({ 'google.subject': 'assertion.sub', 'attribute.repository': 'assertion.repository' });
    expect(p.attribute_condition).toBe(`assertion.sub == '${subject}'`);
    const [poolName] = hub.resources('google_iam_workload_identity_pool')[0];
    expect(p.workload_identity_pool_id).toBe(`\${google_iam_workload_identity_pool.${poolName}.workload_identity_pool_id}`);
    expect(hub.only('google_iam_workload_identity_pool').workload_identity_pool_id).toMatch(/^[a-z][a-z0-9-]{2,30}[a-z0-9]$/);
  });

  test('only that subject may impersonate the deploy account; it has no owner/editor role', () => {
    const [poolName] = hub.resources('google_iam_workload_identity_pool')[0];
    const users = hub.resources('google_service_account_iam_member').map(([, c]) => c).filter((c) => c.role === 'roles/iam.workloadIdentityUser');
    expect(users).toHaveLength(1);
    expect(users[0].member).toBe(`principal://iam.googleapis.com/\${google_iam_workload_identity_pool.${poolName}.name}/subject/${subject}`);
    const [saName] = hub.resources('google_service_account').find(([, c]) => c.account_id === ci.deployServiceAccountEmail.split('@')[0])!;
    expect(users[0].service_account_id).toBe(`\${google_service_account.${saName}.name}`);
    const projectRoles = hub.resources('google_project_iam_member').map(([, c]) => c).filter((c) => c.member === `serviceAccount:${ci.deployServiceAccountEmail}`);
    expect(projectRoles.map((r) => r.role)).toEqual(['roles/run.developer']);
  });

  test('a trailing wildcard becomes startsWith and a principalSet on the repository', () => {
    const s = stack('ci-wildcard', HUB);
    const wild = smallSpec({ identity: { ...SMALL.identity, ci: { subject: 'repo:nhs-example/test-backbone:ref:refs/heads/release-*' } } });
    new CiFederation(s, 'ci', { spec: wild, projectId: HUB });
    const tf = TfJson.of(s);
    expect(tf.only('google_iam_workload_identity_pool_provider').attribute_condition)
      .toBe("assertion.sub.startsWith('repo:nhs-example/test-backbone:ref:refs/heads/release-')");
    expect(tf.only('google_service_account_iam_member').member).toMatch(/^principalSet:\/\/iam\.googleapis\.com\/\$\{google_iam_workload_identity_pool\.[^}]+\.name\}\/attribute\.repository\/nhs-example\/test-backbone$/);
  });
});

describe('CIS2 sign-in at the edge', () => {
  const env = Cis2Environment.INTEGRATION;

  test('Identity Platform OIDC provider: CIS2 issuer of the chosen environment, code flow, client id from the spec', () => {
    const idp = hub.only('google_identity_platform_oauth_idp_config');
    expect(idp.name).toBe('oidc.cis2-integration');
    expect(idp.issuer).toBe(env.issuer);
    expect(idp.issuer).toBe('https://am.nhsint.auth-ptl.cis2.spineservices.nhs.uk:443/openam/oauth2/realms/root/realms/NHSIdentity/realms/Healthcare');
    expect(idp.client_id).toBe('test-backbone-edge');
    expect(idp.response_type).toEqual({ code: true, id_token: false });
    expect(idp.enabled).toBe(true);
  });

  test('the client secret is a Secret Manager reference resolved at apply, never a literal', () => {
    const [dsName, ds] = hub.dataSources('google_secret_manager_secret_version')[0];
    expect(ds.secret).toBe('cis2-client-secret');
    expect(ds.project).toBe(HUB);
    expect(hub.only('google_identity_platform_oauth_idp_config').client_secret)
      .toBe(`\${data.google_secret_manager_secret_version.${dsName}.secret_data}`);
  });

  test('IAP on the internet app backend uses the project Identity Platform (external identities) and the sign-in page', () => {
    const iap = hub.only('google_iap_settings');
    expect(iap.name).toBe(`projects/${HUB}/iap_web/compute/services/remote-reporting-be`);
    expect(iap.access_settings.gcip_settings).toEqual({ tenant_ids: ['_123456789012'], login_page_uri: 'https://signin.example.nhs.uk/' });
  });

  test('assurance and scopes are exposed for the sign-in page', () => {
    expect(edge.acrValues).toBe('AAL2_OR_AAL3_ANY');
    expect(edge.scopes).toEqual(Cis2Environment.SCOPES);
    expect(edge.providerId).toBe('oidc.cis2-integration');
  });

  test('live is selected by name', () => {
    const s = stack('cis2-live', HUB);
    const live = smallSpec({ identity: { ...SMALL.identity, cis2: { environment: 'live', clientId: 'edge' } } });
    new Cis2Edge(s, 'cis2', { spec: live, projectId: HUB, signInPageUri: 'https://signin.example.nhs.uk/' });
    const tf = TfJson.of(s);
    expect(tf.only('google_identity_platform_oauth_idp_config').issuer).toBe(Cis2Environment.LIVE.issuer);
    expect(tf.only('google_identity_platform_oauth_idp_config').name).toBe('oidc.cis2-live');
    // project number read at plan time when not given
    expect(tf.dataSources('google_project')).toHaveLength(1);
  });
});

describe('break-glass', () => {
  test('one emergency account with a narrow admin role, impersonated only until the expiry', () => {
    const roles = hub.resources('google_project_iam_member').map(([, c]) => c).filter((c) => c.member === `serviceAccount:${breakGlass.email}`);
    expect(roles.map((r) => [r.project, r.role])).toEqual([[HUB, 'roles/resourcemanager.projectIamAdmin']]);
    const ops = hub.resources('google_service_account_iam_member').map(([, c]) => c).filter((c) => c.role === 'roles/iam.serviceAccountTokenCreator');
    expect(ops).toHaveLength(1);
    expect(ops[0].member).toBe('group:breakglass@example.nhs.uk');
    expect(ops[0].condition.expression).toBe('request.time < timestamp("2030-01-31T18:00:00Z")');
  });

  test('every use is counted from the audit logs and alerts the channel', () => {
    const metric = hub.only('google_logging_metric');
    expect(metric.filter).toContain(`protoPayload.authenticationInfo.principalEmail="${breakGlass.email}"`);
    expect(metric.filter).toContain(`protoPayload.serviceName="iamcredentials.googleapis.com" AND protoPayload.resourceName:"${breakGlass.email}"`);
    expect(metric.metric_descriptor).toMatchObject({ metric_kind: 'DELTA', value_type: 'INT64' });
    const alert = hub.only('google_monitoring_alert_policy');
    expect(alert.notification_channels).toEqual([CHANNEL]);
    expect(alert.severity).toBe('CRITICAL');
    const cond = alert.conditions[0].condition_threshold;
    expect(cond.filter).toBe(`metric.type="logging.googleapis.com/user/${metric.name}"`);
    expect([cond.comparison, cond.threshold_value, cond.duration]).toEqual(['COMPARISON_GT', 0, '0s']);
    const audit = hub.only('google_project_iam_audit_config');
    expect(audit.service).toBe('iamcredentials.googleapis.com');
    expect(audit.audit_log_config.map((c: any) => c.log_type)).toContain('DATA_READ');
  });
});

describe('IAM scan over everything synthesised here', () => {
  test('no public member and no owner/editor/securityAdmin to a service account', () => {
    expect(scanGcpIam([hub.json, trust.json])).toEqual([]);
  });

  test('no role anywhere is owner or editor', () => {
    for (const raw of [hubRaw, trustRaw]) expect(raw).not.toMatch(/"roles\/(owner|editor)"/);
  });
});
