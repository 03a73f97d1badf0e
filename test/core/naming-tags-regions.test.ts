import { Naming, NameKind } from '../../src/core/naming';
import { Cloud, Residency, UkRegions } from '../../src/core/regions';
import { LockMode, RecordsCategory, Retention, RetentionTrigger } from '../../src/core/retention';
import { NhsTags } from '../../src/core/tags';
import { smallSpec } from '../support/specs';

describe('naming', () => {
  const long = new Naming('cheshire-merseyside', 'prod');
  const rules: Array<[NameKind, RegExp, number]> = [
    [NameKind.S3_BUCKET, /^[a-z0-9][a-z0-9-]*[a-z0-9]$/, 63],
    [NameKind.AZURE_STORAGE_ACCOUNT, /^[a-z0-9]{3,24}$/, 24],
    [NameKind.AZURE_KEY_VAULT, /^[a-zA-Z][a-zA-Z0-9-]{1,22}[a-zA-Z0-9]$/, 24],
    [NameKind.GCS_BUCKET, /^[a-z0-9][a-z0-9_.-]*[a-z0-9]$/, 63],
    [NameKind.GCP_SERVICE_ACCOUNT, /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/, 30],
    [NameKind.GCP_RESOURCE, /^[a-z]([-a-z0-9]*[a-z0-9])?$/, 63],
  ];

  test.each(rules)('%s names fit their cloud rules', (kind, pattern, max) => {
    for (const parts of [['REM', 'clinical'], ['R0A', 'imaging-archive-backup-copy-immutable'], ['hub']]) {
      const n = long.name(kind, parts);
      expect(n).toMatch(pattern);
      expect(n.length).toBeLessThanOrEqual(max);
    }
  });

  test('names come from the prefix, ODS code and environment; shortened names stay unique', () => {
    expect(long.trust('REM', 'clinical', NameKind.S3_BUCKET)).toBe('cheshire-merseyside-rem-clinical-prod');
    expect(long.trust('REM', 'clinical', NameKind.AZURE_STORAGE_ACCOUNT)).toMatch(/^cheshiremerseysid[a-z0-9]{3}[0-9a-f]{4}$/);
    const a = long.trust('REM', 'clinical', NameKind.AZURE_STORAGE_ACCOUNT);
    const b = long.trust('RBS', 'clinical', NameKind.AZURE_STORAGE_ACCOUNT);
    expect(a).not.toBe(b);
    expect(long.trust('REM', 'clinical', NameKind.AZURE_STORAGE_ACCOUNT)).toBe(a); // deterministic
  });

  test('GCS bucket names never contain "goog"', () => {
    expect(new Naming('google-trial', 'dev').name(NameKind.GCS_BUCKET, ['x'])).not.toMatch(/goog/);
  });
});

describe('NHS tags', () => {
  const spec = smallSpec();

  test('a trust gets ods-code, icb, environment, classification, backbone, owner and its own cost centre', () => {
    expect(spec.tagsFor('R0A')).toEqual({
      'backbone': 'test-backbone',
      'cost-centre': 'MFT-1',
      'data-classification': 'official-sensitive',
      'environment': 'prod',
      'icb': 'QOP',
      'managed-by': 'nhs-backbone',
      'ods-code': 'R0A',
      'owner': 'platform-team',
    });
    expect(spec.tagsFor('REM')['cost-centre']).toBe('CC-42');
    expect(spec.tagsFor()['ods-code']).toBe('QYG');
  });

  test('Google labels follow Google rules', () => {
    const labels = spec.labelsFor('R0A');
    expect(labels['ods-code']).toBe('r0a');
    expect(labels['cost-centre']).toBe('mft-1');
    for (const [k, v] of Object.entries(labels)) {
      expect(k).toMatch(/^[a-z][a-z0-9_-]{0,62}$/);
      expect(v).toMatch(/^[a-z0-9_-]{0,63}$/);
    }
    expect(NhsTags.toLabel('Cost Centre / A&E')).toBe('cost_centre_a_e');
  });
});

describe('regions and residency', () => {
  test('UK regions per cloud', () => {
    expect(UkRegions.inUk(Cloud.AWS)).toEqual(['eu-west-2']);
    expect(UkRegions.inUk(Cloud.AZURE)).toEqual(['uksouth', 'ukwest']);
    expect(UkRegions.inUk(Cloud.GCP)).toEqual(['europe-west2']);
  });

  test('uk-eea adds EEA regions only (not Switzerland)', () => {
    expect(UkRegions.isAllowed(Cloud.AWS, 'eu-west-1', Residency.UK)).toBe(false);
    expect(UkRegions.isAllowed(Cloud.AWS, 'eu-west-1', Residency.UK_EEA)).toBe(true);
    expect(UkRegions.isAllowed(Cloud.AWS, 'eu-central-2', Residency.UK_EEA)).toBe(false);
    expect(UkRegions.isAllowed(Cloud.AZURE, 'switzerlandnorth', Residency.UK_EEA)).toBe(false);
    expect(UkRegions.isAllowed(Cloud.GCP, 'us-central1', Residency.UK_EEA)).toBe(false);
  });

  test('paired region for a second copy stays in the UK', () => {
    expect(UkRegions.pairedRegion(Cloud.AZURE, 'uksouth')).toBe('ukwest');
    expect(UkRegions.pairedRegion(Cloud.AWS, 'eu-west-2')).toBe('eu-west-2');
    expect(UkRegions.pairedRegion(Cloud.GCP, 'europe-west2')).toBe('europe-west2');
  });
});

describe('records retention', () => {
  test('categories carry the Records Management Code periods', () => {
    expect(RecordsCategory.ADULT).toMatchObject({ minimumLockYears: 8, periodYears: 8, trigger: RetentionTrigger.LAST_SEEN });
    expect(RecordsCategory.CHILD).toMatchObject({ periodYears: 25, trigger: RetentionTrigger.BIRTH });
    expect(RecordsCategory.MATERNITY.minimumLockYears).toBe(25);
    expect(RecordsCategory.MENTAL_HEALTH).toMatchObject({ minimumLockYears: 10, periodYears: 20 });
    expect(RecordsCategory.CANCER).toMatchObject({ minimumLockYears: 8, periodYears: 30, trigger: RetentionTrigger.DIAGNOSIS });
    expect(RecordsCategory.TRANSPLANT.minimumLockYears).toBe(30);
    expect(RecordsCategory.CHRONIC.minimumLockYears).toBe(20);
    expect(RecordsCategory.SCREENING.minimumLockYears).toBe(10);
    expect(RecordsCategory.IMAGING).toMatchObject({ minimumLockYears: 10, periodYears: 30 });
    expect(RecordsCategory.AUDIT_LOG).toMatchObject({ minimumLockYears: 1, requiresComplianceMode: false });
    expect(RecordsCategory.fromId('mental-health')).toBe(RecordsCategory.MENTAL_HEALTH);
    expect(new Set(RecordsCategory.all().map((c) => c.id)).size).toBe(10);
  });

  test('retention is the category floor in compliance mode, and cannot go below it', () => {
    const r = Retention.records(RecordsCategory.IMAGING);
    expect(r).toMatchObject({ years: 10, mode: LockMode.COMPLIANCE });
    expect(r.days).toBe(3650);
    expect(r.withYears(30).years).toBe(30);
    expect(() => r.withYears(5)).toThrow(/^retention\.years: 5 is not allowed for imaging records \(a whole number from 10, the category's legal minimum, to 100\)$/);
  });
});
