import { BackboneSpec } from '../../src/core/backbone-spec';
import { BackboneError } from '../../src/core/errors';
import { validateSpec } from '../../src/core/validate';
import { SMALL } from '../support/specs';

/** Validates a spec and returns its problems as "path: message" lines. */
function problems(raw: unknown): string[] {
  return validateSpec(raw).problems.map((p) => `${p.path}: ${p.message}`);
}

const base = (over: Record<string, unknown> = {}) => ({ ...JSON.parse(JSON.stringify(SMALL)), ...over });

describe('spec validation', () => {
  test('the small spec is valid and defaults are filled in', () => {
    const r = validateSpec({ name: 'solo', trusts: [{ odsCode: 'REM' }] });
    expect(r.problems).toEqual([]);
    expect(r.props).toMatchObject({
      name: 'solo',
      environment: 'prod',
      residency: 'uk',
      addressPool: '172.16.0.0/12',
      regions: { aws: 'eu-west-2', azure: 'uksouth', gcp: 'europe-west2' },
      trusts: [{ odsCode: 'REM', name: 'REM' }],
      apps: [],
      dataClassification: 'official-sensitive',
      network: { egressAllowList: [] },
    });
  });

  test('a missing name', () => {
    expect(problems(base({ name: undefined }))).toEqual([expect.stringMatching(/^name: is required/)]);
  });

  test.each(['Cheshire', 'my backbone', 'ab', 'a-very-long-backbone-name', '1abc', 'abc-'])('name %j is refused', (name) => {
    expect(problems(base({ name }))).toEqual([expect.stringMatching(/^name: .* is not allowed/)]);
  });

  test('no trusts: missing or empty', () => {
    expect(problems(base({ trusts: undefined, apps: [] }))).toEqual(['trusts: is required: list at least one trust (odsCode, name)']);
    expect(problems(base({ trusts: [], apps: [] }))).toEqual(['trusts: is empty: list at least one trust (odsCode, name)']);
  });

  test('a duplicate ODS code names both places', () => {
    const trusts = [{ odsCode: 'REM' }, { odsCode: 'RBS' }, { odsCode: 'REM' }];
    expect(problems(base({ trusts, apps: [] }))).toEqual([
      'trusts[2].odsCode: "REM" is a duplicate of trusts[0].odsCode (ODS codes must be unique)',
    ]);
  });

  test.each(['rem', 'RE', 'REMXYZ', 'R-M', 42])('malformed ODS code %j', (odsCode) => {
    expect(problems(base({ trusts: [{ odsCode: 'REM' }, { odsCode }], apps: [] }))).toEqual([
      expect.stringMatching(/^trusts\[1\]\.odsCode: .* is not an ODS code \(3-5 upper-case letters or digits\)$/),
    ]);
  });

  test('an app naming an unknown trust', () => {
    const apps = [{ name: 'viewer', trusts: ['REM', 'XYZ'] }];
    expect(problems(base({ apps }))).toEqual([
      expect.stringMatching(/^apps\[0\]\.trusts\[1\]: "XYZ" is not a trust of this backbone \(known: REM, RBS, R0A; or "\*" for all\)$/),
    ]);
  });

  test('a non-UK region under residency uk, and the same region allowed under uk-eea', () => {
    expect(problems(base({ regions: { aws: 'eu-west-1' } }))).toEqual([
      'regions.aws: "eu-west-1" is not allowed under residency uk (allowed: eu-west-2)',
    ]);
    expect(problems(base({ residency: 'uk-eea', regions: { aws: 'eu-west-1' } }))).toEqual([]);
    expect(problems(base({ residency: 'uk-eea', regions: { gcp: 'europe-west6' } }))).toEqual([
      expect.stringMatching(/^regions\.gcp: "europe-west6" is not allowed under residency uk-eea/),
    ]);
  });

  test.each([
    ['8.8.0.0/16', /is not private/],
    ['100.64.0.0/10', /is not private/],
    ['10.20.0.0/16', /overlaps 10\.20\.0\.0\/14, reserved by the NHS/],
    ['10.0.0.0/8', /overlaps 10\.14\.0\.0\/15, 10\.20\.0\.0\/14, 10\.46\.0\.0\/15, 10\.104\.0\.0\/13, 10\.120\.0\.0\/13/],
    ['192.168.0.0/16', /overlaps 192\.168\.0\.0\/16/],
    ['10.180.0.1/14', /is not a CIDR block/],
    ['nonsense', /is not a CIDR block/],
  ])('address pool %s is refused', (addressPool, message) => {
    const p = problems(base({ addressPool }));
    expect(p).toHaveLength(1);
    expect(p[0]).toMatch(/^addressPool: /);
    expect(p[0]).toMatch(message);
  });

  test('a pool too small for the trusts says how big it must be', () => {
    const trusts = Array.from({ length: 9 }, (_, i) => ({ odsCode: `R${i}X` }));
    expect(problems(base({ addressPool: '10.180.0.0/18', trusts, apps: [] }))).toEqual([
      "addressPool: 10.180.0.0/18 is too small: it holds 8 trust blocks (/22) after the hub's /19, and the spec has 9 trusts; use a /17 or larger",
    ]);
  });

  test('every problem is reported at once, each with its path', () => {
    const p = problems({ name: 'Bad Name', trusts: [{ odsCode: 'rem' }, { odsCode: 'RBS', icb: 'x' }], apps: [{ name: 'App', dicomweb: 'write' }] });
    expect(p).toEqual([
      expect.stringMatching(/^name: /),
      expect.stringMatching(/^trusts\[0\]\.odsCode: /),
      expect.stringMatching(/^trusts\[1\]\.icb: /),
      expect.stringMatching(/^apps\[0\]\.name: /),
      'apps[0].dicomweb: "write" is not allowed (one of: none, read, read-write)',
    ]);
  });

  test('unknown fields are warnings that name them and suggest the near one', () => {
    const r = validateSpec(base({ enviroment: 'dev', trusts: [{ odscode: 'REM', odsCode: 'REM' }], apps: [] }));
    expect(r.problems).toEqual([]);
    const w = r.warnings.map((x) => `${x.path}: ${x.message}`);
    expect(w).toContainEqual(expect.stringMatching(/^enviroment: unknown field, ignored \(did you mean "environment"\?\)/));
    expect(w).toContainEqual(expect.stringMatching(/^trusts\[0\]\.odscode: unknown field, ignored \(did you mean "odsCode"\?\)/));
  });

  test('network: bad HSCN peer address, ASN and egress domain name their paths', () => {
    const p = problems(base({
      network: {
        hscn: { peerAddresses: ['203.0.113.300'], peerAsn: 4294967295, asn: 65010 },
        egressAllowList: ['https://digital.nhs.uk/path', '*.nhs.uk'],
      },
    }));
    expect(p).toEqual([
      expect.stringMatching(/^network\.egressAllowList\[0\]: "https:\/\/digital\.nhs\.uk\/path" is not a domain/),
      'network.hscn.peerAddresses[0]: "203.0.113.300" is not an IPv4 address (four numbers 0-255, such as 203.0.113.10)',
      expect.stringMatching(/^network\.hscn\.peerAsn: 4294967295 is out of range/),
    ]);
    expect(problems(base({ network: { hscn: { peerAsn: 65010 } } }))).toEqual([
      expect.stringMatching(/^network\.hscn\.peerAddresses: is required for a VPN connection/),
    ]);
    expect(problems(base({ network: { hscn: { connection: 'private', peerAsn: 65010, asn: 65010 } } }))).toEqual([
      'network.hscn.asn: 65010 is the same as network.hscn.peerAsn (eBGP needs two different ASNs)',
    ]);
  });

  test('BackboneSpec.fromProps throws one BackboneError listing every problem', () => {
    let err: unknown;
    try {
      BackboneSpec.fromProps(base({ name: '', trusts: [{ odsCode: 'x' }], apps: [] }));
    } catch (e) {
      err = e;
    }
    expect(BackboneError.isBackboneError(err)).toBe(true);
    expect((err as BackboneError).problems.map((p) => p.path)).toEqual(['name', 'trusts[0].odsCode']);
    expect((err as BackboneError).message.split('\n')).toHaveLength(2);
  });

  test('apps with "*" are resolved to every trust; the hub is tagged with the spec odsCode', () => {
    const spec = BackboneSpec.fromProps(SMALL);
    expect(spec.apps.find((a) => a.name === 'ai-triage')?.trusts).toEqual(['REM', 'RBS', 'R0A']);
    expect(spec.appsServing('RBS').map((a) => a.name)).toEqual(['ai-triage']);
    expect(spec.appsServing('REM').map((a) => a.name)).toEqual(['ai-triage', 'remote-reporting']);
    expect(spec.odsCode).toBe('QYG');
    expect(BackboneSpec.fromProps({ name: 'one-icb', trusts: [{ odsCode: 'REM', icb: 'QYG' }, { odsCode: 'RBS', icb: 'QYG' }] }).odsCode).toBe('QYG');
    expect(BackboneSpec.fromProps({ name: 'two-icbs', trusts: [{ odsCode: 'REM', icb: 'QYG' }, { odsCode: 'R0A', icb: 'QOP' }] }).odsCode).toBe('shared');
  });
});
