import { AssuranceLevel, CiIssuer, Cis2Environment, checkCiSubject } from '../../src/core/identity';
import { validateSpec } from '../../src/core/validate';
import { SMALL } from '../support/specs';

const problems = (raw: unknown) => validateSpec(raw).problems.map((p) => `${p.path}: ${p.message}`);

describe('CIS2 environments', () => {
  test('live and integration are selectable by name, with their endpoints', () => {
    const live = Cis2Environment.fromName('live');
    expect(live.discoveryUrl).toBe('https://am.nhsidentity.spineservices.nhs.uk/openam/oauth2/realms/root/realms/NHSIdentity/realms/Healthcare/.well-known/openid-configuration');
    expect(live.issuer).toBe('https://am.nhsidentity.spineservices.nhs.uk:443/openam/oauth2/realms/root/realms/NHSIdentity/realms/Healthcare');
    expect(live.authorizationEndpoint).toMatch(/\/realms\/Healthcare\/authorize$/);
    expect(live.tokenEndpoint).toMatch(/\/realms\/Healthcare\/access_token$/);
    expect(Cis2Environment.fromName('integration').host).toBe('am.nhsint.auth-ptl.cis2.spineservices.nhs.uk');
    expect(Cis2Environment.SCOPES).toEqual(expect.arrayContaining(['openid', 'nationalrbacaccess', 'associatedorgs', 'selectedrole']));
  });

  test('an unknown environment names the prop', () => {
    expect(() => Cis2Environment.fromName('prod')).toThrow('cis2.environment: "prod" is not a CIS2 environment (one of: live, integration)');
  });
});

describe('CI subjects', () => {
  test.each(['*', '**', 'repo:*', 'repo:*/*', 'repo:my-*/repo:ref:refs/heads/main', 'repo:org/*:ref:refs/heads/main', ''])('%j is refused', (s) => {
    expect(() => checkCiSubject(s, 'identity.ci.subject', true)).toThrow(/^identity\.ci\.subject: /);
  });

  test('a subject pinned to a repository passes; a wildcard ref only where the cloud can match it', () => {
    expect(checkCiSubject('repo:org/repo:ref:refs/heads/main', 'p', false)).toBe('repo:org/repo:ref:refs/heads/main');
    expect(checkCiSubject('repo:org/repo:*', 'p', true)).toBe('repo:org/repo:*');
    expect(() => checkCiSubject('repo:org/repo:*', 'azure.ci.subject', false)).toThrow(/^azure\.ci\.subject: .* has a wildcard/);
  });

  test('GitHub Actions is the default issuer; custom issuers must be https', () => {
    expect(CiIssuer.GITHUB_ACTIONS.hostPath).toBe('token.actions.githubusercontent.com');
    expect(() => CiIssuer.custom('x', 'http://gitlab.example')).toThrow(/^ci\.issuer: /);
  });
});

describe('identity in the spec', () => {
  test('defaults are filled in', () => {
    expect(validateSpec(SMALL).props?.identity).toEqual({
      ci: { issuer: 'https://token.actions.githubusercontent.com', subject: 'repo:nhs-example/test-backbone:environment:prod' },
      cis2: { environment: 'integration', clientId: 'test-backbone-edge', clientSecretName: 'cis2-client-secret', assurance: AssuranceLevel.AAL2_OR_AAL3 },
      securityContact: 'security@test-backbone.nhs.uk',
    });
    expect(validateSpec({ ...SMALL, identity: { ...SMALL.identity, securityContact: 'not-an-address' } }).problems.map((p) => p.path)).toEqual(['identity.securityContact']);
  });

  test('bad identity values name their paths', () => {
    expect(problems({ ...SMALL, identity: { ci: { subject: '*' }, cis2: { environment: 'prod', clientId: '', assurance: 'AAL1' } } })).toEqual([
      expect.stringMatching(/^identity\.ci\.subject: "\*" is a wildcard that does not pin one repository/),
      'identity.cis2.environment: "prod" is not a CIS2 environment (one of: live, integration)',
      expect.stringMatching(/^identity\.cis2\.clientId: "" is not allowed/),
      'identity.cis2.assurance: "AAL1" is not allowed (one of: AAL2_OR_AAL3_ANY, AAL3_ANY)',
      expect.stringMatching(/^apps\[1\]\.ingress: internet ingress needs staff sign-in: give identity\.cis2/),
    ]);
  });
});
