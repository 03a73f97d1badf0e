import { Cloud } from '../../src/core/regions';
import { StatefulResources } from '../../src/core/stateful';
import { validateSpec } from '../../src/core/validate';
import { SMALL } from '../support/specs';

const problems = (storage: unknown, extra: Record<string, unknown> = {}) =>
  validateSpec({ ...SMALL, ...extra, storage }).problems.map((p) => `${p.path}: ${p.message}`);

describe('storage in the spec', () => {
  test('defaults: one adult clinical-records store in compliance mode, logs a year, backup in the paired UK region', () => {
    expect(validateSpec(SMALL).props?.storage).toEqual({
      stores: [{ name: 'clinical-records', category: 'adult', years: 8, lockMode: 'compliance', legalHold: false, coldAfterDays: 90 }],
      logRetentionDays: 365,
      backup: { azureRegion: 'ukwest' },
    });
  });

  test('a store takes its floor from its category and may lock longer', () => {
    const s = validateSpec({ ...SMALL, storage: { stores: [{ name: 'imaging', category: 'imaging' }, { name: 'oncology', category: 'cancer', years: 30, legalHold: true }] } }).props?.storage.stores;
    expect(s).toEqual([
      { name: 'imaging', category: 'imaging', years: 10, lockMode: 'compliance', legalHold: false, coldAfterDays: 90 },
      { name: 'oncology', category: 'cancer', years: 30, lockMode: 'compliance', legalHold: true, coldAfterDays: 90 },
    ]);
  });

  test('a retention shorter than the legal minimum names the prop and the rule', () => {
    expect(problems({ stores: [{ name: 'maternity', category: 'maternity', years: 10 }] })).toEqual([
      'storage.stores[0].years: 10 is shorter than the legal minimum or not a whole number of years (maternity records: at least 25, 25 years after the birth of the last child; at most 100)',
    ]);
  });

  test('a governance-mode lock on a category that demands compliance mode', () => {
    expect(problems({ stores: [{ name: 'records', category: 'adult', lockMode: 'governance' }] })).toEqual([
      'storage.stores[0].lockMode: governance is not allowed for adult records: the legal minimum must be enforced in compliance mode (no administrator can shorten it)',
    ]);
  });

  test('a backup region outside the residency', () => {
    expect(problems({ backup: { azureRegion: 'westeurope' } })).toEqual([
      'storage.backup.azureRegion: "westeurope" is not allowed under residency uk (allowed: uksouth, ukwest)',
    ]);
    expect(problems({ backup: { azureRegion: 'westeurope' } }, { residency: 'uk-eea' })).toEqual([]);
  });

  test('other bad values name their paths', () => {
    expect(problems({ stores: [{ name: 'X', category: 'audit-log', coldAfterDays: 1 }], logRetentionDays: 30, backup: { awsAccount: '12', gcpProject: 'P' } })).toEqual([
      expect.stringMatching(/^storage\.stores\[0\]\.name: "X" is not allowed/),
      expect.stringMatching(/^storage\.stores\[0\]\.category: "audit-log" is not a records category \(one of: adult, child, maternity, mental-health, cancer, transplant, chronic, screening, imaging\)$/),
      'storage.logRetentionDays: 30 is not allowed (whole days from 365, the profile\'s minimum, to 36500)',
      'storage.backup.awsAccount: "12" is not an AWS account id (12 digits)',
      expect.stringMatching(/^storage\.backup\.gcpProject: "P" is not a Google Cloud project id/),
    ]);
  });

  test('under residency uk, a warning explains that the AWS and Google copies stay in their one UK region, apart by account or project', () => {
    const warn = (storage: unknown, extra: Record<string, unknown> = {}) =>
      validateSpec({ ...SMALL, ...extra, storage }).warnings.filter((w) => w.path === 'storage.backup').map((w) => w.message);
    expect(warn(undefined)).toEqual([
      'AWS and Google Cloud have one UK region each, so under residency uk their immutable backup copies stay in eu-west-2 and europe-west2, kept apart from the stores by its own locked vault in the same account (set storage.backup.awsAccount for a separate account) on AWS and a backup project of its own on Google Cloud, not by region; Azure\'s copy goes to ukwest',
    ]);
    expect(warn({ backup: { awsAccount: '123456789012', gcpProject: 'nhs-backup-prj' } })[0]).toMatch(/by account 123456789012 on AWS and project nhs-backup-prj on Google Cloud/);
    expect(warn(undefined, { residency: 'uk-eea' })).toEqual([]);
  });
});

describe('the stateful resource catalogue', () => {
  test('names the stores, keys, log archives, DICOM stores and backup vaults of each cloud', () => {
    expect(StatefulResources.isStateful(Cloud.AWS, 'AWS::S3::Bucket')).toBe(true);
    expect(StatefulResources.isStateful(Cloud.AWS, 'AWS::Backup::BackupVault')).toBe(true);
    expect(StatefulResources.isStateful(Cloud.AWS, 'AWS::EC2::Subnet')).toBe(false);
    expect(StatefulResources.typesOf(Cloud.AZURE)).toEqual(expect.arrayContaining(['azurerm_storage_account', 'azurerm_key_vault_key', 'azurerm_healthcare_dicom_service']));
    expect(StatefulResources.typesOf(Cloud.GCP)).toEqual(expect.arrayContaining(['google_storage_bucket', 'google_kms_crypto_key', 'google_healthcare_dicom_store']));
    expect(StatefulResources.isStateful(Cloud.GCP, 'google_compute_subnetwork')).toBe(false);
  });
});
