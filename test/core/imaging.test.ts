import { BackboneSpec } from '../../src/core/backbone-spec';
import { validateSpec } from '../../src/core/validate';
import { SMALL } from '../support/specs';

const problems = (imaging: unknown) =>
  validateSpec({ ...SMALL, imaging }).problems.map((p) => `${p.path}: ${p.message}`);

const CT = { aeTitle: 'REM_CT1', host: '10.20.30.40', trust: 'REM' };

describe('imaging in the spec', () => {
  test('defaults: networks per ICB, gateway on 11112 with TLS, no modalities', () => {
    const spec = BackboneSpec.fromProps(SMALL);
    expect(spec.imaging).toEqual({ grouping: 'icb', gateway: { port: 11112, tls: true }, modalities: [] });
    expect(spec.imagingNetworks()).toEqual([
      { id: 'icb-qyg', trusts: ['REM', 'RBS'], odsCode: 'QYG' },
      { id: 'icb-qop', trusts: ['R0A'], odsCode: 'QOP' },
    ]);
    expect(spec.imagingNetworkOf('RBS').id).toBe('icb-qyg');
    expect(spec.modalitiesOf('REM')).toEqual([]);
  });

  test('grouping per trust or national; a trust with no ICB is its own network under ICB grouping', () => {
    const perTrust = BackboneSpec.fromProps({ ...SMALL, imaging: { grouping: 'trust' as any } });
    expect(perTrust.imagingNetworks().map((n) => [n.id, n.odsCode])).toEqual([['trust-rem', 'REM'], ['trust-rbs', 'RBS'], ['trust-r0a', 'R0A']]);
    const national = BackboneSpec.fromProps({ ...SMALL, odsCode: 'X26', imaging: { grouping: 'national' as any } });
    expect(national.imagingNetworks()).toEqual([{ id: 'national', trusts: ['REM', 'RBS', 'R0A'], odsCode: 'X26' }]);
    const loose = BackboneSpec.fromProps({ ...SMALL, trusts: [...SMALL.trusts, { odsCode: 'RXX' }] });
    expect(loose.imagingNetworkOf('RXX')).toEqual({ id: 'trust-rxx', trusts: ['RXX'], odsCode: 'RXX' });
  });

  test('modalities belong to a trust and call its gateway by <ODS>_GW', () => {
    const spec = BackboneSpec.fromProps({ ...SMALL, imaging: { modalities: [CT, { aeTitle: 'RBS_MR', host: '10.9.8.7', trust: 'RBS', port: 11112 }] } });
    expect(spec.modalitiesOf('REM')).toEqual([{ ...CT, port: 104 }]);
    expect(spec.modalitiesOf('RBS')).toEqual([{ aeTitle: 'RBS_MR', host: '10.9.8.7', trust: 'RBS', port: 11112 }]);
    expect(spec.gatewayAeTitle('REM')).toBe('REM_GW');
  });

  test('bad modalities and gateway settings name their paths', () => {
    expect(problems({
      grouping: 'region',
      gateway: { port: 80, tls: 'yes' },
      modalities: [
        { aeTitle: 'THIS_TITLE_IS_TOO_LONG', host: 'ct.local', trust: 'XYZ' },
        CT,
        { ...CT, host: '10.1.1.1' },
        { aeTitle: 'REM_GW', host: '10.1.1.2', trust: 'REM', port: 0 },
      ],
    })).toEqual([
      'imaging.grouping: "region" is not allowed (one of: trust, icb, national)',
      'imaging.gateway.port: 80 is not allowed (104, the DICOM port, or 1024-65535; 11112 is the usual unprivileged choice)',
      'imaging.gateway.tls: "yes" is not allowed (true or false)',
      'imaging.modalities[0].aeTitle: "THIS_TITLE_IS_TOO_LONG" is not allowed (an AE title: 1-16 characters, A-Z a-z 0-9 \'_\' \'-\')',
      'imaging.modalities[0].host: "ct.local" is not allowed (the modality\'s IPv4 address, as the gateway sees it)',
      'imaging.modalities[0].trust: "XYZ" is not a trust of this backbone (one of: REM, RBS, R0A)',
      'imaging.modalities[2].aeTitle: "REM_CT1" is a duplicate of imaging.modalities[1].aeTitle',
      'imaging.modalities[3].aeTitle: "REM_GW" is the AE title of a trust\'s gateway (<ODS>_GW); give the modality its own',
      'imaging.modalities[3].port: 0 is not a port (1-65535)',
    ]);
  });

  test('turning DICOM TLS off is allowed with a warning that says what it exposes', () => {
    const r = validateSpec({ ...SMALL, imaging: { gateway: { tls: false } } });
    expect(r.problems).toEqual([]);
    expect(r.warnings.filter((w) => w.path === 'imaging.gateway.tls').map((w) => w.message)).toEqual([
      expect.stringMatching(/^false: DICOM images cross the HSCN unencrypted/),
    ]);
  });
});

describe('apps added in code', () => {
  test('are validated like spec apps, get their own store terms, and then serve like them', () => {
    const spec = BackboneSpec.fromProps(SMALL);
    const added = spec.addApp({ name: 'ai-fracture', trusts: ['RBS'], dicomweb: 'read' as any, store: { category: 'imaging', years: 30 } });
    expect(added).toEqual({
      name: 'ai-fracture',
      trusts: ['RBS'],
      dicomweb: 'read',
      ingress: 'none',
      store: { category: 'imaging', years: 30, lockMode: 'compliance', legalHold: false, coldAfterDays: 90 },
    });
    expect(spec.appsServing('RBS').map((a) => a.name)).toContain('ai-fracture');
    expect(spec.appsServing('REM').map((a) => a.name)).not.toContain('ai-fracture');
    // The same app again is fine; another of the same name is not.
    expect(spec.addApp({ name: 'ai-fracture', trusts: ['RBS'], dicomweb: 'read' as any, store: { category: 'imaging', years: 30 } }).name).toBe('ai-fracture');
    expect(() => spec.addApp({ name: 'ai-fracture', trusts: ['REM'] })).toThrow(/^app\.name: "ai-fracture" is already an app of backbone test-backbone, with other settings/);
  });

  test('bad apps name the field; internet ingress needs CIS2; a store needs a clinical category and its legal floor', () => {
    const spec = BackboneSpec.fromProps({ ...SMALL, identity: {}, apps: SMALL.apps!.filter((a) => a.ingress !== 'internet') });
    expect(() => spec.addApp({ name: 'Bad Name', trusts: ['XYZ'], ingress: 'internet' as any, store: { category: 'maternity', years: 5 } })).toThrow(new RegExp([
      '^app\\.name: "Bad Name" is not allowed',
      'app\\.trusts\\[0\\]: "XYZ" is not a trust of this backbone',
      'app\\.store\\.years: 5 is shorter than the legal minimum',
    ].join('[\\s\\S]*')));
    expect(() => spec.addApp({ name: 'portal', ingress: 'internet' as any })).toThrow(/^app\.ingress: internet ingress needs staff sign-in: give identity\.cis2/);
  });

  test('the address plan gives an app added later the lowest free slot, keeping the others', () => {
    const spec = BackboneSpec.fromProps(SMALL);
    const plan = spec.addressPlan();
    const before = { ...plan.lock.apps };
    expect(plan.allocateApp('late-app')).toBe(2);
    expect(plan.lock.apps).toEqual({ ...before, 'late-app': 2 });
    expect(plan.allocateApp('late-app')).toBe(2);
    expect(plan.appSubnet('REM', 'late-app')).toMatch(/\/27$/);
    expect(plan.newAllocations).toContain('app late-app');
  });
});
