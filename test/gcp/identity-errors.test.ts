import { GoogleProvider } from '@cdktf/provider-google/lib/provider';
import { TerraformStack, Testing } from 'cdktf';
import { BackboneError } from '../../src/core/errors';
import { BackboneSpecProps } from '../../src/core/spec';
import { BreakGlass } from '../../src/gcp/identity/break-glass';
import { CiFederation } from '../../src/gcp/identity/ci-federation';
import { Cis2Edge } from '../../src/gcp/identity/cis2-edge';
import { KeyProtectionLevel, TrustKeyRing } from '../../src/gcp/identity/kms';
import { WorkloadIdentity } from '../../src/gcp/identity/workload-identity';
import { SMALL, smallSpec } from '../support/specs';

// Bad input: every error is a BackboneError whose one problem names the prop.
const spec = smallSpec();
const P = 'test-backbone-rem-prod';
let n = 0;
const stack = () => {
  const s = new TerraformStack(Testing.app(), `s${n++}`);
  new GoogleProvider(s, 'google', { project: P });
  return s;
};
const expectError = (fn: () => unknown, path: string, message?: RegExp) => {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(BackboneError.isBackboneError(err)).toBe(true);
  const problems = (err as BackboneError).problems;
  expect(problems).toHaveLength(1);
  expect(problems[0].path).toBe(path);
  if (message) expect(problems[0].message).toMatch(message);
};
const withIdentity = (identity: BackboneSpecProps['identity']) => ({ ...SMALL, identity });

describe('key rotation period out of Google Cloud KMS range', () => {
  test.each([0, -1, 0.5, 36501, 100000])('rotationDays %p is refused', (days) => {
    expectError(() => new TrustKeyRing(stack(), 'k', { spec, odsCode: 'REM', projectId: P, rotationDays: days }), 'rotationDays', /1 to 36500|876,000 hours/);
  });
  test.each([1, 90, 36500])('rotationDays %p is accepted', (days) => {
    expect(() => new TrustKeyRing(stack(), 'k', { spec, odsCode: 'REM', projectId: P, rotationDays: days })).not.toThrow();
  });
  test('an unknown trust, data class or protection level names its prop', () => {
    expectError(() => new TrustKeyRing(stack(), 'k', { spec, odsCode: 'XXX', projectId: P }), 'odsCode');
    expectError(() => new TrustKeyRing(stack(), 'k', { spec, odsCode: 'REM', projectId: P, dataClasses: ['imaging', 'Bad Class'] }), 'dataClasses[1]');
    expectError(() => new TrustKeyRing(stack(), 'k', { spec, odsCode: 'REM', projectId: P, protectionLevel: 'EXTERNAL' as KeyProtectionLevel }), 'protectionLevel');
    expectError(() => new TrustKeyRing(stack(), 'k', { spec, odsCode: 'REM', projectId: 'Not_A_Project' }), 'projectId');
    expectError(() => new TrustKeyRing(stack(), 'k', { spec, odsCode: 'REM', projectId: P }).key('reports'), 'dataClass');
  });
});

describe('a grant to something that is not an identity of the backbone', () => {
  const s = stack();
  const key = new TrustKeyRing(s, 'k', { spec, odsCode: 'REM', projectId: P }).key();
  test.each([
    ['a plain object shaped like an identity', { email: 'x@p.iam.gserviceaccount.com', member: 'serviceAccount:x@p.iam.gserviceaccount.com', projectId: 'p' }],
    ['a public member string', 'allUsers'],
    ['another construct', new TerraformStack(Testing.app(), 'other')],
  ])('%s is refused, naming grantee', (_, grantee) => {
    expectError(() => key.grantEncryptDecrypt(grantee as any), 'grantee', /not an identity of the backbone/);
  });
  test('an identity for an unknown app or a trust the app does not serve is refused', () => {
    expectError(() => new WorkloadIdentity(stack(), 'i', { spec, appName: 'nope', projectId: P }), 'appName');
    expectError(() => new WorkloadIdentity(stack(), 'i', { spec, appName: 'remote-reporting', projectId: P, odsCode: 'RBS' }), 'odsCode');
  });
});

describe('CI subject', () => {
  test.each(['*', 'repo:*', 'repo:nhs-*/x:ref:refs/heads/main', 'repo:nhs-example/*'])('%p does not pin a repository (refused by the spec)', (subject) => {
    expectError(() => smallSpec(withIdentity({ ...SMALL.identity, ci: { subject } })), 'identity.ci.subject', /wildcard/);
  });
  test('a wildcard that is not one trailing "*" is refused by the Google federation', () => {
    const wild = smallSpec(withIdentity({ ...SMALL.identity, ci: { subject: 'repo:nhs-example/x:ref:refs/heads/*-release' } }));
    expectError(() => new CiFederation(stack(), 'ci', { spec: wild, projectId: P }), 'identity.ci.subject', /trailing/);
  });
  test('no ci section, or an owner/editor deploy role, is refused', () => {
    const none = smallSpec(withIdentity({ cis2: SMALL.identity!.cis2 }));
    expectError(() => new CiFederation(stack(), 'ci', { spec: none, projectId: P }), 'identity.ci');
    expectError(() => new CiFederation(stack(), 'ci', { spec, projectId: P, deployRoles: ['roles/run.developer', 'roles/owner'] }), 'deployRoles[1]', /not allowed/);
    expectError(() => new CiFederation(stack(), 'ci', { spec, projectId: P, deployRoles: ['roles/editor'] }), 'deployRoles[0]');
  });
});

describe('CIS2', () => {
  test('an unknown CIS2 environment is refused by the spec, naming the prop', () => {
    const bad = { ...withIdentity({ ...SMALL.identity, cis2: { environment: 'staging', clientId: 'x' } }), apps: [SMALL.apps![0]] };
    expectError(() => smallSpec(bad), 'identity.cis2.environment', /live, integration/);
  });
  test('bad sign-in page, project number, app or backend name are refused', () => {
    const edge = () => new Cis2Edge(stack(), 'e', { spec, projectId: P, signInPageUri: 'https://signin.example.nhs.uk/' });
    expectError(() => new Cis2Edge(stack(), 'e', { spec, projectId: P, signInPageUri: 'http://signin.example.nhs.uk/' }), 'signInPageUri');
    expectError(() => new Cis2Edge(stack(), 'e', { spec, projectId: P, signInPageUri: 'https://a.b/', projectNumber: 'abc' }), 'projectNumber');
    expectError(() => edge().protectBackend('ai-triage', 'be'), 'appName', /internet/);
    expectError(() => edge().protectBackend('unknown', 'be'), 'appName');
    expectError(() => edge().protectBackend('remote-reporting', 'Bad_Name'), 'backendServiceName');
  });
  test('no cis2 section is refused', () => {
    const noCis2 = smallSpec({ ...withIdentity({ ci: SMALL.identity!.ci }), apps: [SMALL.apps![0]] });
    expectError(() => new Cis2Edge(stack(), 'e', { spec: noCis2, projectId: P, signInPageUri: 'https://a.b/' }), 'identity.cis2');
  });
});

describe('break-glass', () => {
  const ch = [`projects/${P}/notificationChannels/42`];
  test('an alert must go somewhere', () => {
    expectError(() => new BreakGlass(stack(), 'b', { spec, projectId: P, notificationChannels: 'ops' as any }), 'notificationChannels');
    expectError(() => new BreakGlass(stack(), 'b', { spec, projectId: P, notificationChannels: ['my-channel'] }), 'notificationChannels[0]');
  });
  test('operators need an expiry; bad members, times and roles are refused', () => {
    expectError(() => new BreakGlass(stack(), 'b', { spec, projectId: P, notificationChannels: ch, operators: ['group:bg@example.nhs.uk'] }), 'accessExpires');
    expectError(() => new BreakGlass(stack(), 'b', { spec, projectId: P, notificationChannels: ch, operators: ['allUsers'], accessExpires: '2030-01-01T00:00:00Z' }), 'operators[0]');
    expectError(() => new BreakGlass(stack(), 'b', { spec, projectId: P, notificationChannels: ch, operators: ['group:bg@example.nhs.uk'], accessExpires: 'tomorrow' }), 'accessExpires');
    expectError(() => new BreakGlass(stack(), 'b', { spec, projectId: P, notificationChannels: ch, roles: ['roles/owner'] }), 'roles[0]');
  });
});
