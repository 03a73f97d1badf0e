import { TerraformStack, Testing } from 'cdktf';
import { BackboneError } from '../../src/core/errors';
import { NameKind } from '../../src/core/naming';
import { Backbone } from '../../src/gcp/backbone';
import { TrustKeyRing } from '../../src/gcp/identity/kms';
import { WorkloadIdentity } from '../../src/gcp/identity/workload-identity';
import { BackupCopy, TrustBackup } from '../../src/gcp/storage/backup';
import { ClinicalStore, ClinicalStoreProps } from '../../src/gcp/storage/clinical-store';
import { LogArchive, LogSink } from '../../src/gcp/storage/log-archive';
import { scanGcpIam } from '../support/gcp-iam-scan';
import { smallSpec } from '../support/specs';
import { TfJson } from '../support/terraform';

// The small backbone with three stores of different categories, built once.
const STORES = [
  { name: 'adult-records', category: 'adult' },
  { name: 'maternity', category: 'maternity', years: 30, coldAfterDays: 60 },
  { name: 'oncology', category: 'cancer', legalHold: true, coldAfterDays: 180 },
];
const YEARS: Record<string, number> = { 'adult-records': 8, 'maternity': 30, 'oncology': 8 };
const COLD: Record<string, number> = { 'adult-records': 90, 'maternity': 60, 'oncology': 180 };
const spec = smallSpec({ storage: { stores: STORES, logRetentionDays: 400 } } as any);
const backbone = new Backbone(Testing.app({ stackTraces: false }), 'backbone', { spec });
backbone.store('REM', 'adult-records').grantRead(backbone.identity('REM', 'ai-triage'));
backbone.store('REM', 'maternity').grantReadWrite(backbone.identity('REM', 'remote-reporting'));
const stacks = backbone.node.children.filter((c): c is TerraformStack => c instanceof TerraformStack);
const tf = new Map(stacks.map((s) => [s.node.id, TfJson.of(s)]));
const stackTf = (unit: string) => tf.get(spec.naming.name(NameKind.STACK, [unit]))!;
const TRUSTS = ['REM', 'RBS', 'R0A'];
const project = (ods: string) => spec.naming.name(NameKind.GCP_PROJECT, [ods]);
const BACKUP_PROJECT = spec.naming.name(NameKind.GCP_PROJECT, ['backup']);
const ARCHIVE = LogArchive.bucketNameFor(spec);
const ref = (type: string, name: string, attr: string) => `\${${type}.${name}.${attr}}`;
const named = (t: TfJson, type: string, pred: (c: any) => boolean): [string, any] => {
  const found = t.resources(type).filter(([, c]) => pred(c));
  if (found.length !== 1) throw new Error(`expected one ${type}, found ${found.length}`);
  return found[0];
};
const bucketOf = (t: TfJson, name: string) => named(t, 'google_storage_bucket', (b) => b.name === name);
const YEAR_SECONDS = 365 * 86400;

describe.each(TRUSTS)('trust %s: its clinical stores', (ods) => {
  const t = stackTf(ods);
  const [keyName, key] = t.resources('google_kms_crypto_key')[0];
  const [ringName] = t.resources('google_kms_key_ring')[0];

  test('the trust key encrypting the stores is the one in its own key ring', () => {
    expect(t.resources('google_kms_crypto_key')).toHaveLength(1);
    expect(key.key_ring).toBe(ref('google_kms_key_ring', ringName, 'id'));
    expect(t.only('google_kms_key_ring').project).toBe(project(ods));
  });

  test.each(STORES.map((s) => s.name))('store %s: private, CMEK with the trust key, UK, locked for the category years', (store) => {
    const [, b] = bucketOf(t, ClinicalStore.bucketNameFor(spec, ods, store));
    expect(b).toMatchObject({
      project: project(ods),
      location: 'europe-west2',
      uniform_bucket_level_access: true,
      public_access_prevention: 'enforced',
      encryption: { default_kms_key_name: ref('google_kms_crypto_key', keyName, 'id') },
      retention_policy: { retention_period: YEARS[store] * YEAR_SECONDS, is_locked: true },
      soft_delete_policy: { retention_duration_seconds: 90 * 86400 },
      force_destroy: false,
      lifecycle: { prevent_destroy: true },
      labels: { 'records-category': STORES.find((s) => s.name === store)!.category, 'retention-years': String(YEARS[store]) },
    });
    // Cloud Storage refuses Object Versioning together with a retention policy: it is explicitly off.
    expect(b.versioning).toEqual({ enabled: false });
    expect(b.default_event_based_hold).toBe(store === 'oncology');
  });

  test.each(STORES.map((s) => s.name))('store %s: colder classes at coldAfterDays, never a deletion of objects', (store) => {
    const [, b] = bucketOf(t, ClinicalStore.bucketNameFor(spec, ods, store));
    const rules = b.lifecycle_rule as any[];
    expect(rules).toContainEqual({ condition: { age: COLD[store], matches_storage_class: ['STANDARD'] }, action: { type: 'SetStorageClass', storage_class: 'COLDLINE' } });
    expect(rules).toContainEqual({ condition: { age: COLD[store] + 365, matches_storage_class: ['STANDARD', 'COLDLINE'] }, action: { type: 'SetStorageClass', storage_class: 'ARCHIVE' } });
    expect(rules.map((r) => r.action.type)).not.toContain('Delete');
  });

  test('the project\'s Cloud Storage service agent may use the trust key, and every bucket waits for that grant', () => {
    const [grantName, grant] = named(t, 'google_kms_crypto_key_iam_member', (g) => /storage_project_service_account/.test(g.member));
    expect(grant).toMatchObject({ crypto_key_id: ref('google_kms_crypto_key', keyName, 'id'), role: 'roles/cloudkms.cryptoKeyEncrypterDecrypter' });
    const [agentName, agent] = t.dataSources('google_storage_project_service_account')[0];
    expect(agent.project).toBe(project(ods));
    expect(grant.member).toBe(`\${data.google_storage_project_service_account.${agentName}.member}`);
    for (const store of STORES) {
      expect(bucketOf(t, ClinicalStore.bucketNameFor(spec, ods, store.name))[1].depends_on).toEqual([`google_kms_crypto_key_iam_member.${grantName}`]);
    }
  });

  test('Data Access audit logs of Cloud Storage, once per project, and no allServices config to clash with', () => {
    const configs = t.resources('google_project_iam_audit_config').map(([, c]) => c);
    expect(configs).toEqual([{
      project: project(ods),
      service: 'storage.googleapis.com',
      audit_log_config: [{ log_type: 'ADMIN_READ' }, { log_type: 'DATA_READ' }, { log_type: 'DATA_WRITE' }],
    }]);
  });

  test('a log sink to the hub archive, with its writer allowed to add objects there and nothing more', () => {
    const [sinkName, sink] = named(t, 'google_logging_project_sink', () => true);
    expect(sink).toMatchObject({ project: project(ods), destination: `storage.googleapis.com/${ARCHIVE}`, unique_writer_identity: true });
    for (const log of ['cloudaudit.googleapis.com/activity', 'cloudaudit.googleapis.com/data_access', 'compute.googleapis.com/vpc_flows', 'compute.googleapis.com/firewall']) {
      expect(sink.filter).toContain(`log_id("${log}")`);
    }
    const writers = t.resources('google_storage_bucket_iam_member').map(([, g]) => g).filter((g) => g.bucket === ARCHIVE);
    expect(writers).toEqual([{ bucket: ARCHIVE, role: 'roles/storage.objectCreator', member: ref('google_logging_project_sink', sinkName, 'writer_identity') }]);
  });

  test('the backup project\'s transfer agent may read each store (viewer and bucket reader), nothing else', () => {
    const [agentName, agent] = t.dataSources('google_storage_transfer_project_service_account')[0];
    expect(agent.project).toBe(BACKUP_PROJECT);
    const member = `\${data.google_storage_transfer_project_service_account.${agentName}.member}`;
    const roles = t.resources('google_storage_bucket_iam_member').map(([, g]) => g).filter((g) => g.member === member);
    for (const store of STORES) {
      const [bucketName] = bucketOf(t, ClinicalStore.bucketNameFor(spec, ods, store.name));
      expect(roles.filter((g) => g.bucket === ref('google_storage_bucket', bucketName, 'name')).map((g) => g.role).sort())
        .toEqual(['roles/storage.legacyBucketReader', 'roles/storage.objectViewer']);
    }
    expect(roles).toHaveLength(2 * STORES.length);
  });
});

describe('grants', () => {
  const t = stackTf('REM');
  const grants = t.resources('google_storage_bucket_iam_member').map(([, g]) => g);
  const bucketRef = (store: string) => ref('google_storage_bucket', bucketOf(t, ClinicalStore.bucketNameFor(spec, 'REM', store))[0], 'name');

  test('grantRead gives object viewer on that bucket only, never creator or admin', () => {
    const member = backbone.identity('REM', 'ai-triage').member;
    const mine = grants.filter((g) => g.member === member);
    expect(mine.map((g) => [g.bucket, g.role])).toEqual([[bucketRef('adult-records'), 'roles/storage.objectViewer']]);
  });

  test('grantReadWrite gives viewer and creator on that bucket only, never admin', () => {
    const member = backbone.identity('REM', 'remote-reporting').member;
    const mine = grants.filter((g) => g.member === member);
    expect(mine.map((g) => [g.bucket, g.role]).sort()).toEqual([
      [bucketRef('maternity'), 'roles/storage.objectCreator'],
      [bucketRef('maternity'), 'roles/storage.objectViewer'],
    ]);
  });

  test('no storage or key admin role is granted anywhere, and the IAM scan is clean', () => {
    const all = [...tf.values()].flatMap((x) => [...x.resources('google_storage_bucket_iam_member'), ...x.resources('google_kms_crypto_key_iam_member')]);
    expect(all.length).toBeGreaterThan(0);
    for (const [, g] of all) expect(g.role).not.toMatch(/admin|owner/i);
    expect(scanGcpIam([...tf.values()].map((x) => x.json))).toEqual([]);
  });
});

describe('the central log archive (hub)', () => {
  const hub = TfJson.of(backbone.hubStack);
  const [bucketName, bucket] = bucketOf(hub, ARCHIVE);
  const hubProject = spec.naming.name(NameKind.GCP_PROJECT, ['hub']);

  test('locked for at least logRetentionDays, CMEK with a hub key, private, in the UK, never destroyed', () => {
    expect(bucket.retention_policy.is_locked).toBe(true);
    expect(bucket.retention_policy.retention_period).toBeGreaterThanOrEqual(400 * 86400);
    const [keyName, key] = hub.resources('google_kms_crypto_key')[0];
    expect(hub.resources('google_kms_crypto_key')).toHaveLength(1);
    expect(bucket).toMatchObject({
      project: hubProject,
      location: 'europe-west2',
      uniform_bucket_level_access: true,
      public_access_prevention: 'enforced',
      encryption: { default_kms_key_name: ref('google_kms_crypto_key', keyName, 'id') },
      force_destroy: false,
      lifecycle: { prevent_destroy: true },
    });
    expect(key).toMatchObject({ lifecycle: { prevent_destroy: true }, version_template: { protection_level: 'HSM' } });
    expect(hub.only('google_kms_key_ring')).toMatchObject({ project: hubProject, location: 'europe-west2', lifecycle: { prevent_destroy: true } });
  });

  test('the hub sends its own logs there, and keeps its break-glass audit config beside the storage one', () => {
    const [sinkName, sink] = named(hub, 'google_logging_project_sink', () => true);
    expect(sink).toMatchObject({ project: hubProject, destination: `storage.googleapis.com/${ref('google_storage_bucket', bucketName, 'name')}`, unique_writer_identity: true });
    expect(hub.resources('google_storage_bucket_iam_member').map(([, g]) => g)).toContainEqual({
      bucket: ref('google_storage_bucket', bucketName, 'name'), role: 'roles/storage.objectCreator', member: ref('google_logging_project_sink', sinkName, 'writer_identity'),
    });
    expect(hub.resources('google_project_iam_audit_config').map(([, c]) => c.service).sort()).toEqual(['iamcredentials.googleapis.com', 'storage.googleapis.com']);
  });

  test('no project of the backbone has an allServices audit config that would clash', () => {
    for (const t of tf.values()) for (const [, c] of t.resources('google_project_iam_audit_config')) expect(c.service).not.toBe('allServices');
  });
});

describe('the backup copies (a separate project, its own stacks)', () => {
  const shared = TfJson.of(backbone.backupStack);

  test('the backup project is neither the hub nor a trust project; its stacks deploy after the trust stacks', () => {
    expect(backbone.backupProjectId).toBe(BACKUP_PROJECT);
    expect([spec.naming.name(NameKind.GCP_PROJECT, ['hub']), ...TRUSTS.map(project)]).not.toContain(BACKUP_PROJECT);
    for (const ods of TRUSTS) {
      const s = TerraformStack.of(backbone.trustBackup(ods));
      expect(s.dependencies.map((d) => d.node.id).sort()).toEqual([spec.naming.name(NameKind.STACK, ['backup']), spec.naming.name(NameKind.STACK, [ods])].sort());
    }
  });

  test('the backup project has a key ring, storage audit logs and a sink to the archive', () => {
    expect(shared.only('google_kms_key_ring')).toMatchObject({ project: BACKUP_PROJECT, location: 'europe-west2', lifecycle: { prevent_destroy: true } });
    expect(shared.only('google_project_iam_audit_config')).toMatchObject({ project: BACKUP_PROJECT, service: 'storage.googleapis.com' });
    expect(shared.only('google_logging_project_sink')).toMatchObject({ project: BACKUP_PROJECT, destination: `storage.googleapis.com/${ARCHIVE}` });
  });

  describe.each(TRUSTS)('trust %s', (ods) => {
    const t = stackTf(`${ods}-backup`);
    const [keyName, key] = t.resources('google_kms_crypto_key')[0];

    test('its backup stack works in the backup project with a key of the trust\'s own in the backup ring', () => {
      expect(t.json.provider.google[0].project).toBe(BACKUP_PROJECT);
      expect(t.resources('google_kms_crypto_key')).toHaveLength(1);
      expect(key).toMatchObject({
        key_ring: `projects/${BACKUP_PROJECT}/locations/europe-west2/keyRings/${shared.only('google_kms_key_ring').name}`,
        lifecycle: { prevent_destroy: true },
        version_template: { protection_level: 'HSM' },
      });
    });

    test.each(STORES.map((s) => s.name))('store %s: a locked copy in the backup project, filled daily by a transfer job that never overwrites or deletes', (store) => {
      const [bucketName, bucket] = bucketOf(t, BackupCopy.bucketNameFor(spec, ods, store));
      expect(bucket).toMatchObject({
        project: BACKUP_PROJECT,
        location: 'europe-west2',
        uniform_bucket_level_access: true,
        public_access_prevention: 'enforced',
        encryption: { default_kms_key_name: ref('google_kms_crypto_key', keyName, 'id') },
        retention_policy: { retention_period: YEARS[store] * YEAR_SECONDS, is_locked: true },
        force_destroy: false,
        lifecycle: { prevent_destroy: true },
      });
      const [, job] = named(t, 'google_storage_transfer_job', (j) => j.transfer_spec.gcs_data_source.bucket_name === ClinicalStore.bucketNameFor(spec, ods, store));
      expect(job).toMatchObject({
        project: BACKUP_PROJECT,
        status: 'ENABLED',
        schedule: { repeat_interval: '86400s' },
        transfer_spec: {
          gcs_data_sink: { bucket_name: ref('google_storage_bucket', bucketName, 'name') },
          transfer_options: {
            overwrite_when: 'NEVER',
            delete_objects_unique_in_sink: false,
            delete_objects_from_source_after_transfer: false,
            metadata_options: { kms_key: 'KMS_KEY_DESTINATION_BUCKET_DEFAULT' },
          },
        },
      });
      const [agentName] = t.dataSources('google_storage_transfer_project_service_account')[0];
      const writers = t.resources('google_storage_bucket_iam_member').map(([, g]) => g).filter((g) => g.bucket === ref('google_storage_bucket', bucketName, 'name'));
      expect(writers.map((g) => g.role).sort()).toEqual(['roles/storage.legacyBucketReader', 'roles/storage.objectCreator']);
      for (const w of writers) expect(w.member).toBe(`\${data.google_storage_transfer_project_service_account.${agentName}.member}`);
    });
  });
});

describe('lookups and bad props', () => {
  const fresh = () => {
    const s = new TerraformStack(Testing.app({ stackTraces: false }), 'trust');
    const rem = new TrustKeyRing(s, 'keys', { spec, odsCode: 'REM', projectId: 'test-backbone-rem-prod' });
    const rbs = new TrustKeyRing(s, 'keys-rbs', { spec, odsCode: 'RBS', projectId: 'test-backbone-rbs-prod' });
    return { s, rem, rbs };
  };
  const base = (rem: TrustKeyRing): ClinicalStoreProps => ({ spec, odsCode: 'REM', storeName: 'maternity', projectId: 'test-backbone-rem-prod', keyRing: rem });
  const pathOf = (f: () => unknown): string | undefined => {
    try {
      f();
    } catch (e) {
      if (BackboneError.isBackboneError(e)) return e.problems[0].path;
      throw e;
    }
    return undefined;
  };

  test('Backbone.store names the bad ODS code or store name', () => {
    expect(backbone.store('RBS', 'oncology').bucketName).toBe(ClinicalStore.bucketNameFor(spec, 'RBS', 'oncology'));
    expect(pathOf(() => backbone.store('XXX', 'oncology'))).toBe('odsCode');
    expect(() => backbone.store('REM', 'radiology')).toThrow(/storeName: "radiology" is not a store of backbone test-backbone \(one of: adult-records, maternity, oncology\)/);
    expect(pathOf(() => backbone.trustBackup('XXX'))).toBe('odsCode');
    expect(pathOf(() => backbone.trustBackup('REM').copy('radiology'))).toBe('storeName');
  });

  test.each([
    ['storeName', { storeName: 'radiology' }],
    ['projectId', { projectId: 'Bad_Project' }],
    ['softDeleteDays', { softDeleteDays: 3 }],
    ['softDeleteDays', { softDeleteDays: 91 }],
    ['archiveAfterDays', { archiveAfterDays: 60 }],
    ['archiveAfterDays', { archiveAfterDays: 1.5 }],
    ['archiveStorageClass', { archiveStorageClass: 'NEARLINE' }],
    ['backupProjectId', { backupProjectId: 'test-backbone-rem-prod' }],
    ['dataClass', { dataClass: 'imaging' }],
    ['odsCode', { odsCode: 'XYZ' }],
  ])('ClinicalStore: %s is named in the error', (path, bad) => {
    const { s, rem } = fresh();
    expect(pathOf(() => new ClinicalStore(s, 'store', { ...base(rem), ...(bad as any) }))).toBe(path);
  });

  test('ClinicalStore refuses another trust\'s key ring', () => {
    const { s, rbs } = fresh();
    expect(() => new ClinicalStore(s, 'store', { ...base(rbs) })).toThrow(/^keyRing: is trust RBS's key ring, not REM's/);
  });

  test('grants refuse anything that is not a backbone identity', () => {
    const { s, rem } = fresh();
    const store = new ClinicalStore(s, 'store', base(rem));
    expect(pathOf(() => store.grantRead('allUsers' as any))).toBe('identity');
    expect(pathOf(() => store.grantReadWrite({ email: 'x@y.iam.gserviceaccount.com', member: 'serviceAccount:x@y.iam.gserviceaccount.com', projectId: 'y' } as any))).toBe('identity');
    const app = new WorkloadIdentity(s, 'ai', { spec, appName: 'ai-triage', projectId: 'test-backbone-rem-prod', odsCode: 'REM' });
    store.grantRead(app);
    store.grantRead(app);
    store.grantRecordsManagement(app);
    const roles = TfJson.of(s).resources('google_storage_bucket_iam_member').map(([, g]) => g.role).sort();
    expect(roles).toEqual(['roles/storage.objectUser', 'roles/storage.objectViewer']);
  });

  test('a backup in the trust\'s own project, a bad key ring id, a bad archive bucket are refused', () => {
    const { s } = fresh();
    expect(pathOf(() => new TrustBackup(s, 'b1', { spec, odsCode: 'REM', projectId: 'test-backbone-rem-prod', sourceProjectId: 'test-backbone-rem-prod' }))).toBe('projectId');
    expect(pathOf(() => new TrustBackup(s, 'b2', { spec, odsCode: 'REM', projectId: 'nhs-backup-prj', sourceProjectId: 'test-backbone-rem-prod', keyRingId: 'keys' }))).toBe('keyRingId');
    expect(pathOf(() => new LogSink(s, 'sink', { spec, projectId: 'test-backbone-rem-prod', archiveBucketName: 'Not A Bucket' }))).toBe('archiveBucketName');
  });

  test('a backup project given in the spec is used, and one that is a trust\'s project is refused', () => {
    const given = new Backbone(Testing.app({ stackTraces: false }), 'b', { spec: smallSpec({ storage: { backup: { gcpProject: 'nhs-backup-prj' } } } as any) });
    expect(given.backupProjectId).toBe('nhs-backup-prj');
    const copy = TfJson.of(TerraformStack.of(given.trustBackup('R0A'))).only('google_storage_bucket');
    expect(copy).toMatchObject({ project: 'nhs-backup-prj', location: 'europe-west2', retention_policy: { is_locked: true } });
    const clash = smallSpec({ storage: { backup: { gcpProject: 'test-backbone-rem-prod' } } } as any);
    expect(pathOf(() => new Backbone(Testing.app({ stackTraces: false }), 'b', { spec: clash }))).toBe('storage.backup.gcpProject');
  });
});
