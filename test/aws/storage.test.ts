import { App, Duration, Stack, aws_iam as iam, aws_kms as kms, aws_s3 as s3 } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Backbone } from '../../src/aws/backbone';
import { CustomerManagedKey } from '../../src/aws/identity/customer-managed-key';
import { AuditTrail } from '../../src/aws/logging/audit-trail';
import { CentralLogStore } from '../../src/aws/logging/central-log-store';
import { ClinicalStore } from '../../src/aws/storage/clinical-store';
import { TrustBackup } from '../../src/aws/storage/trust-backup';
import { newAwsApp } from '../../src/aws/synth';
import { RecordsCategory } from '../../src/core/retention';
import { scanStage } from '../support/aws-iam-scan';
import { expectBackboneError } from '../support/errors';
import { smallSpec } from '../support/specs';

const ACCOUNT = '123456789012';
const BACKUP_ACCOUNT = '210987654321';
const LOG_DAYS = 730;

// The small backbone with three stores of different categories, built once.
const spec = smallSpec({
  storage: {
    stores: [
      { name: 'clinical-records', category: 'adult' },
      { name: 'maternity', category: 'maternity', years: 30 },
      { name: 'oncology', category: 'cancer', legalHold: true, coldAfterDays: 180 },
    ],
    logRetentionDays: LOG_DAYS,
    backup: { awsAccount: BACKUP_ACCOUNT },
  },
});
const app = newAwsApp();
const backbone = new Backbone(app, 'Backbone', { spec, account: ACCOUNT });
const triage = backbone.identity('REM', 'ai-triage');
const reporting = backbone.identity('REM', 'remote-reporting');
backbone.store('REM', 'maternity').grantRead(triage);
backbone.store('REM', 'clinical-records').grantReadWrite(reporting);

const iamFindings = scanStage(app);
const hub = Template.fromStack(backbone.hubStack);
const rem = Template.fromStack(backbone.trustStack('REM'));
const remStack = backbone.trustStack('REM');
const logicalId = (c: { node: { defaultChild?: unknown } } | kms.Key | s3.Bucket) =>
  remStack.getLogicalId((c as any).node.defaultChild);
const remKeyId = logicalId(backbone.key('REM').key);
const bucketOf = (name: string) => rem.toJSON().Resources[logicalId(backbone.store('REM', name).bucket)];
const policyOf = (name: string) => Object.values<any>(rem.findResources('AWS::S3::BucketPolicy'))
  .find((p) => p.Properties.Bucket.Ref === logicalId(backbone.store('REM', name).bucket)).Properties.PolicyDocument;
const rolePolicies = (roleLogicalId: string) => Object.values<any>(rem.findResources('AWS::IAM::Policy'))
  .filter((p) => p.Properties.Roles.some((r: any) => r.Ref === roleLogicalId))
  .flatMap((p) => p.Properties.PolicyDocument.Statement);
const list = (x: any): any[] => (Array.isArray(x) ? x : [x]);
/** A KMS statement usable only through HealthImaging (a DICOMweb grant on the imaging network's key). */
const viaHealthImaging = (s: any): boolean => list(s.Condition?.StringEquals?.['kms:ViaService'] ?? [])
  .some((v: string) => v.startsWith('dicom-medical-imaging.'));

/** A throw-away trust stack with REM's key, for constructors that must throw. */
function scratch(): { stack: Stack; key: CustomerManagedKey } {
  const stack = new Stack(newAwsApp(), 'Scratch', { env: { region: 'eu-west-2', account: ACCOUNT } });
  return { stack, key: new CustomerManagedKey(stack, 'Key', { spec, odsCode: 'REM' }) };
}

describe('clinical stores', () => {
  test('one bucket per store per trust, named from the spec, kept on delete and replace', () => {
    for (const ods of ['REM', 'RBS', 'R0A']) {
      const t = Template.fromStack(backbone.trustStack(ods));
      for (const name of ['clinical-records', 'maternity', 'oncology']) {
        t.hasResource('AWS::S3::Bucket', {
          Properties: { BucketName: `test-backbone-${ods.toLowerCase()}-store-${name}-prod` },
          DeletionPolicy: 'Retain',
          UpdateReplacePolicy: 'Retain',
        });
      }
    }
  });

  test.each(['clinical-records', 'maternity', 'oncology'])('%s: SSE-KMS with the trust\'s own key and a bucket key; uploads naming another key or SSE-S3 are denied', (name) => {
    const enc = bucketOf(name).Properties.BucketEncryption.ServerSideEncryptionConfiguration[0];
    expect(enc).toEqual({
      BucketKeyEnabled: true,
      ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { 'Fn::GetAtt': [remKeyId, 'Arn'] } },
    });
    const deny = policyOf(name).Statement.find((s: any) => s.Sid === 'DenyOtherKmsKeys');
    expect(deny).toMatchObject({
      Effect: 'Deny',
      Action: 's3:PutObject',
      Condition: { StringNotEqualsIfExists: { 's3:x-amz-server-side-encryption-aws-kms-key-id': { 'Fn::GetAtt': [remKeyId, 'Arn'] } } },
    });
    expect(policyOf(name).Statement.find((s: any) => s.Sid === 'DenyOtherEncryption').Condition)
      .toEqual({ StringNotEqualsIfExists: { 's3:x-amz-server-side-encryption': 'aws:kms' } });
  });

  test('object lock in compliance mode for the category floor or the configured longer period, in days', () => {
    const lock = (name: string) => bucketOf(name).Properties.ObjectLockConfiguration;
    expect(bucketOf('clinical-records').Properties.ObjectLockEnabled).toBe(true);
    expect(lock('clinical-records')).toEqual({ ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: RecordsCategory.ADULT.minimumLockDays } } });
    // maternity: the floor is 25 years; the spec asks for 30.
    expect(lock('maternity').Rule.DefaultRetention).toEqual({ Mode: 'COMPLIANCE', Days: 30 * 365 });
    expect(lock('maternity').Rule.DefaultRetention.Days).toBeGreaterThan(RecordsCategory.MATERNITY.minimumLockDays);
    expect(lock('oncology').Rule.DefaultRetention).toEqual({ Mode: 'COMPLIANCE', Days: RecordsCategory.CANCER.minimumLockDays });
    expect(backbone.store('REM', 'maternity').retentionDays).toBe(10950);
  });

  test.each([['clinical-records', 2920], ['maternity', 10950], ['oncology', 2920]])('%s: no upload or retention change may ask for less than the floor (%i days) or a weaker mode', (name, days) => {
    const st = policyOf(name).Statement;
    expect(st.find((s: any) => s.Sid === 'DenyRetentionUnderFloor')).toMatchObject({
      Effect: 'Deny',
      Principal: { AWS: '*' },
      Action: ['s3:PutObject', 's3:PutObjectRetention'],
      Condition: { NumericLessThan: { 's3:object-lock-remaining-retention-days': days } },
    });
    expect(st.find((s: any) => s.Sid === 'DenyOtherLockMode')).toMatchObject({
      Effect: 'Deny',
      Action: ['s3:PutObject', 's3:PutObjectRetention'],
      Condition: { StringNotEqualsIfExists: { 's3:object-lock-mode': 'COMPLIANCE' } },
    });
  });

  test.each(['clinical-records', 'maternity', 'oncology'])('%s: versioned, all public access blocked, no ACLs, TLS 1.2+ only', (name) => {
    const p = bucketOf(name).Properties;
    expect(p.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect(p.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true,
    });
    expect(p.OwnershipControls).toEqual({ Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] });
    const st = policyOf(name).Statement;
    expect(st).toContainEqual(expect.objectContaining({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }));
    expect(st).toContainEqual(expect.objectContaining({ Effect: 'Deny', Action: 's3:*', Condition: { NumericLessThan: { 's3:TlsVersion': 1.2 } } }));
  });

  test('the legal hold denies deletes, lifecycle changes and governance bypass to everyone, on the held store only', () => {
    const hold = policyOf('oncology').Statement.find((s: any) => s.Sid === 'LegalHold');
    expect(hold).toMatchObject({
      Effect: 'Deny',
      Principal: { AWS: '*' },
      Action: ['s3:DeleteObject', 's3:DeleteObjectVersion', 's3:PutLifecycleConfiguration', 's3:BypassGovernanceRetention'],
    });
    expect(hold.Condition).toBeUndefined();
    expect(list(hold.Resource)).toHaveLength(2);
    for (const name of ['clinical-records', 'maternity']) {
      expect(policyOf(name).Statement.map((s: any) => s.Sid)).not.toContain('LegalHold');
    }
  });

  test('objects and noncurrent versions move to Glacier Instant Retrieval after coldAfterDays; nothing expires', () => {
    const rules = (name: string) => bucketOf(name).Properties.LifecycleConfiguration.Rules;
    expect(rules('clinical-records')).toEqual([expect.objectContaining({
      Status: 'Enabled',
      Transitions: [{ StorageClass: 'GLACIER_IR', TransitionInDays: 90 }],
      NoncurrentVersionTransitions: [{ StorageClass: 'GLACIER_IR', TransitionInDays: 90 }],
    })]);
    expect(rules('oncology')[0].Transitions).toEqual([{ StorageClass: 'GLACIER_IR', TransitionInDays: 180 }]);
    for (const name of ['clinical-records', 'maternity', 'oncology']) {
      for (const r of rules(name)) {
        expect(r.ExpirationInDays).toBeUndefined();
        expect(r.ExpirationDate).toBeUndefined();
        expect(r.NoncurrentVersionExpiration).toBeUndefined();
      }
    }
  });

  test('object access is logged as CloudTrail data events into the KMS-encrypted log archive (not server access logs, which need an unlocked SSE-S3 bucket)', () => {
    expect(bucketOf('maternity').Properties.LoggingConfiguration).toBeUndefined();
    const logBucketId = backbone.hubStack.getLogicalId(backbone.logStore.bucket.node.defaultChild as s3.CfnBucket);
    const logKeyId = backbone.hubStack.getLogicalId(backbone.logStore.key.node.defaultChild as kms.CfnKey);
    const trail = Object.values<any>(hub.findResources('AWS::CloudTrail::Trail'))[0].Properties;
    expect(trail).toMatchObject({
      S3BucketName: { Ref: logBucketId },
      KMSKeyId: { 'Fn::GetAtt': [logKeyId, 'Arn'] },
      EnableLogFileValidation: true,
      IsLogging: true,
      IsMultiRegionTrail: true,
    });
    const data = trail.AdvancedEventSelectors.find((s: any) => s.FieldSelectors.some((f: any) => f.Field === 'eventCategory' && f.Equals[0] === 'Data'));
    expect(data.FieldSelectors).toEqual(expect.arrayContaining([
      { Field: 'resources.type', Equals: ['AWS::S3::Object'] },
      { Field: 'resources.ARN', NotStartsWith: [{ 'Fn::Join': ['', [{ 'Fn::GetAtt': [logBucketId, 'Arn'] }, '/']] }] },
    ]));
    // No read-only filter: reads of clinical records are recorded too.
    expect(data.FieldSelectors.map((f: any) => f.Field)).not.toContain('readOnly');
    const policy = Object.values<any>(hub.findResources('AWS::S3::BucketPolicy')).find((p) => p.Properties.Bucket.Ref === logBucketId);
    expect(policy.Properties.PolicyDocument.Statement).toContainEqual(expect.objectContaining({
      Sid: 'AWSCloudTrailWrite', Effect: 'Allow', Principal: { Service: 'cloudtrail.amazonaws.com' }, Action: 's3:PutObject',
    }));
  });
});

describe('central log archive', () => {
  const archive = () => Object.values<any>(hub.findResources('AWS::S3::Bucket', { Properties: { BucketName: 'test-backbone-hub-logs-prod' } }))[0];

  test('object lock in compliance mode for storage.logRetentionDays; kept on delete and replace', () => {
    expect(archive().Properties.ObjectLockConfiguration).toEqual({ ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: LOG_DAYS } } });
    expect(archive()).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    expect(archive().Properties.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.SSEAlgorithm).toBe('aws:kms');
  });

  test('moves to a colder tier, expires at the retention and never before the lock ends', () => {
    const rule = archive().Properties.LifecycleConfiguration.Rules.find((r: any) => r.Id === 'cold-then-expire');
    expect(rule.Transitions).toEqual([{ StorageClass: 'GLACIER_IR', TransitionInDays: 90 }]);
    expect(rule.ExpirationInDays).toBe(LOG_DAYS);
    expect(rule.ExpirationInDays).toBeGreaterThanOrEqual(archive().Properties.ObjectLockConfiguration.Rule.DefaultRetention.Days);
    expect(rule.NoncurrentVersionExpiration).toEqual({ NoncurrentDays: 1 });
  });

  test('still receives VPC flow logs and firewall logs by log delivery', () => {
    const policy = Object.values<any>(hub.findResources('AWS::S3::BucketPolicy'))
      .map((p) => p.Properties.PolicyDocument.Statement).find((st) => st.some((s: any) => s.Sid === 'AWSLogDeliveryWrite'));
    expect(policy).toBeDefined();
    expect(policy.map((s: any) => s.Sid)).toEqual(expect.arrayContaining(['AWSLogDeliveryWrite', 'AWSCloudTrailWrite', 'AWSCloudTrailAclCheck']));
  });
});

describe('backups', () => {
  const vaults = () => Object.values<any>(rem.findResources('AWS::Backup::BackupVault'));
  const vault = (name: string) => vaults().find((v) => v.Properties.BackupVaultName === `test-backbone-rem-backup-${name}-prod`);
  const backupKeyId = () => logicalId(backbone.backup('REM').encryptionKey.key);

  test('a locked vault per store: minimum retention = the store\'s lock, compliance after a 3-day grace, customer key of its own, kept', () => {
    for (const name of ['clinical-records', 'maternity', 'oncology']) {
      const v = vault(name);
      expect(v).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
      expect(v.Properties.LockConfiguration).toEqual({ MinRetentionDays: backbone.store('REM', name).retentionDays, ChangeableForDays: 3 });
      const storeLock = bucketOf(name).Properties.ObjectLockConfiguration.Rule.DefaultRetention.Days;
      expect(v.Properties.LockConfiguration.MinRetentionDays).toBeGreaterThanOrEqual(storeLock);
      expect(v.Properties.EncryptionKeyArn).toEqual({ 'Fn::GetAtt': [backupKeyId(), 'Arn'] });
      expect(v.Properties.AccessPolicy.Statement).toContainEqual(expect.objectContaining({ Effect: 'Deny', Action: ['backup:DeleteRecoveryPoint', 'backup:UpdateRecoveryPointLifecycle'] }));
    }
    expect(backupKeyId()).not.toBe(remKeyId);
  });

  test('a daily plan per store keeps recovery points as long as the store locks, copies to the backup account, and selects the store', () => {
    const plans = Object.entries<any>(rem.findResources('AWS::Backup::BackupPlan'));
    const selections = Object.values<any>(rem.findResources('AWS::Backup::BackupSelection'));
    const roleId = logicalId(backbone.backup('REM').role);
    for (const name of ['clinical-records', 'maternity', 'oncology']) {
      const days = backbone.store('REM', name).retentionDays;
      const [planId, plan] = plans.find(([, p]) => p.Properties.BackupPlan.BackupPlanName === `test-backbone-rem-backup-${name}-prod`)!;
      const rule = plan.Properties.BackupPlan.BackupPlanRule[0];
      expect(plan.Properties.BackupPlan.BackupPlanRule).toHaveLength(1);
      expect(rule.ScheduleExpression).toBe('cron(0 2 * * ? *)');
      expect(rule.Lifecycle).toEqual({ DeleteAfterDays: days });
      expect(rule.CopyActions).toEqual([{
        DestinationBackupVaultArn: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:backup:eu-west-2:${BACKUP_ACCOUNT}:backup-vault:test-backbone-rem-backup-${name}-prod`]] },
        Lifecycle: { DeleteAfterDays: days },
      }]);
      const sel = selections.filter((s) => s.Properties.BackupPlanId['Fn::GetAtt'][0] === planId);
      expect(sel).toHaveLength(1);
      expect(sel[0].Properties.BackupSelection.Resources).toEqual([{ 'Fn::GetAtt': [logicalId(backbone.store('REM', name).bucket), 'Arn'] }]);
      expect(sel[0].Properties.BackupSelection.IamRoleArn).toEqual({ 'Fn::GetAtt': [roleId, 'Arn'] });
    }
  });

  test('the backup role is AWS Backup\'s only, under the backbone boundary, whose ceiling lets it copy into a vault', () => {
    const role = rem.toJSON().Resources[logicalId(backbone.backup('REM').role)].Properties;
    expect(role.AssumeRolePolicyDocument.Statement).toEqual([expect.objectContaining({ Principal: { Service: 'backup.amazonaws.com' } })]);
    expect(JSON.stringify(role.PermissionsBoundary)).toContain('policy/test-backbone-hub-boundary-prod');
    expect(JSON.stringify(role.ManagedPolicyArns)).toContain('AWSBackupServiceRolePolicyForS3Backup');
    const ceiling = Object.values<any>(hub.findResources('AWS::IAM::ManagedPolicy'))[0].Properties.PolicyDocument.Statement.find((s: any) => s.Sid === 'Ceiling');
    expect(ceiling.Action).toEqual(expect.arrayContaining(['backup:CopyIntoBackupVault', 'backup:DescribeBackupVault', 's3:*', 'kms:*']));
  });

  test('the vault key is shared with the backup account (decrypt, and grants for AWS resources only)', () => {
    const policy = rem.toJSON().Resources[backupKeyId()].Properties.KeyPolicy.Statement;
    const account = { AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::${BACKUP_ACCOUNT}:root`]] } };
    expect(policy).toContainEqual(expect.objectContaining({ Sid: 'AllowBackupAccountCopy', Principal: account, Action: ['kms:Decrypt', 'kms:DescribeKey'] }));
    expect(policy).toContainEqual(expect.objectContaining({ Sid: 'AllowBackupAccountGrants', Principal: account, Condition: { Bool: { 'kms:GrantIsForAWSResource': true } } }));
  });

  test('without a backup account: no copy action and the key is not shared', () => {
    const plain = smallSpec();
    const stack = new Stack(newAwsApp(), 'Plain', { env: { region: 'eu-west-2', account: ACCOUNT } });
    const key = new CustomerManagedKey(stack, 'Key', { spec: plain, odsCode: 'REM' });
    const store = new ClinicalStore(stack, 'Store', { spec: plain, odsCode: 'REM', storeName: 'clinical-records', encryptionKey: key });
    new TrustBackup(stack, 'Backup', { spec: plain, odsCode: 'REM', stores: [store] });
    const t = Template.fromStack(stack).toJSON();
    const plan = Object.values<any>(t.Resources).find((r) => r.Type === 'AWS::Backup::BackupPlan');
    expect(plan.Properties.BackupPlan.BackupPlanRule[0].CopyActions).toBeUndefined();
    expect(JSON.stringify(t)).not.toContain('AllowBackupAccountCopy');
    const bucket = Object.values<any>(t.Resources).find((r) => r.Type === 'AWS::S3::Bucket');
    expect(bucket.Properties.ObjectLockConfiguration.Rule.DefaultRetention).toEqual({ Mode: 'COMPLIANCE', Days: RecordsCategory.ADULT.minimumLockDays });
  });
});

describe('grants', () => {
  const statementsOf = (identity: { role: iam.Role }) => rolePolicies(logicalId(identity.role));
  const actionsOn = (sts: any[], pred: (s: any) => boolean) => sts.filter(pred).flatMap((s) => list(s.Action));

  test('grantRead: objects of that store only, never a write; kms:Decrypt on the trust key only', () => {
    const sts = statementsOf(triage);
    const maternityId = logicalId(backbone.store('REM', 'maternity').bucket);
    const s3Actions = actionsOn(sts, (s) => JSON.stringify(s.Resource).includes(maternityId));
    expect(s3Actions).toContain('s3:GetObject*');
    expect(s3Actions).toContain('s3:List*');
    const all = sts.flatMap((s) => list(s.Action));
    expect(all.filter((a) => a.startsWith('s3:Put') || a.startsWith('s3:Delete'))).toEqual([]);
    // The app's DICOMweb grant (dicomweb: read) adds the imaging network key, usable through HealthImaging only.
    const kmsStatements = sts.filter((s) => list(s.Action).some((a: string) => a.startsWith('kms:')) && !viaHealthImaging(s));
    expect(kmsStatements).toHaveLength(1);
    expect(kmsStatements[0].Resource).toEqual({ 'Fn::GetAtt': [remKeyId, 'Arn'] });
    expect(list(kmsStatements[0].Action)).toContain('kms:Decrypt');
    expect(list(kmsStatements[0].Action)).not.toContain('kms:Encrypt');
  });

  test('grantReadWrite: put (retention and legal holds included) and delete on that store; encrypt and decrypt with the trust key; no governance bypass', () => {
    const sts = statementsOf(reporting);
    const all = sts.flatMap((s) => list(s.Action));
    expect(all).toEqual(expect.arrayContaining(['s3:GetObject*', 's3:DeleteObject*', 'kms:Decrypt', 'kms:GenerateDataKey*']));
    expect(all).toEqual(expect.arrayContaining(['s3:PutObject', 's3:PutObjectRetention', 's3:PutObjectLegalHold']));
    expect(all).not.toContain('s3:BypassGovernanceRetention');
    expect(all).not.toContain('s3:PutLifecycleConfiguration');
    for (const s of sts.filter((x) => list(x.Action).some((a: string) => a.startsWith('kms:')) && !viaHealthImaging(x))) {
      expect(s.Resource).toEqual({ 'Fn::GetAtt': [remKeyId, 'Arn'] });
    }
  });

  test('no policy of the whole backbone allows every action on every resource, nor anyone to read without a condition', () => {
    expect(iamFindings).toEqual([]);
  });

  test('a grantee that is not a WorkloadIdentity is refused', () => {
    const { stack, key } = scratch();
    const store = new ClinicalStore(stack, 'Store', { spec, odsCode: 'REM', storeName: 'maternity', encryptionKey: key });
    const role = new iam.Role(stack, 'Hand', { assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com') });
    expectBackboneError(() => store.grantRead(role as any), /^identity: construct Scratch\/Hand is not a workload identity of the backbone/);
    expectBackboneError(() => store.grantReadWrite(new iam.AnyPrincipal() as any), /^identity: a AnyPrincipal is not a workload identity/);
  });
});

describe('validation', () => {
  test('clinical store props are checked, each error naming the prop', () => {
    const { stack, key } = scratch();
    expectBackboneError(() => new ClinicalStore(stack, 'A', { spec, odsCode: 'REM', storeName: 'radiology', encryptionKey: key }),
      /^storeName: "radiology" is not a store of backbone test-backbone \(one of: clinical-records, maternity, oncology\)$/);
    expectBackboneError(() => new ClinicalStore(stack, 'B', { spec, odsCode: 'XYZ', storeName: 'maternity', encryptionKey: key }),
      /^odsCode: "XYZ" is not a trust of backbone test-backbone$/);
    const rbsKey = new CustomerManagedKey(stack, 'RbsKey', { spec, odsCode: 'RBS' });
    expectBackboneError(() => new ClinicalStore(stack, 'C', { spec, odsCode: 'REM', storeName: 'maternity', encryptionKey: rbsKey }),
      /^encryptionKey: alias\/test-backbone-rbs-key-prod is not a key of trust REM/);
    const hubKey = new CustomerManagedKey(stack, 'HubKey', { spec });
    expectBackboneError(() => new ClinicalStore(stack, 'D', { spec, odsCode: 'REM', storeName: 'maternity', encryptionKey: hubKey }),
      /^encryptionKey: alias\/test-backbone-hub-key-prod is not a key of trust REM/);
    const other = new Stack(stack.node.root as App, 'Other', { env: { region: 'eu-west-2', account: ACCOUNT } });
    expectBackboneError(() => new ClinicalStore(other, 'E', { spec, odsCode: 'REM', storeName: 'maternity', encryptionKey: key }),
      /^encryptionKey: alias\/test-backbone-rem-key-prod is in stack Scratch, not the store's stack Other/);
    expectBackboneError(() => new ClinicalStore(stack, 'F', { spec, odsCode: 'REM', storeName: 'maternity', encryptionKey: key, coldStorageClass: s3.StorageClass.ONE_ZONE_INFREQUENT_ACCESS }),
      /^coldStorageClass: ONEZONE_IA is not allowed/);
    // A data-class key of the same trust is the trust's own.
    const records = new CustomerManagedKey(stack, 'RecordsKey', { spec, odsCode: 'REM', dataClass: 'records' });
    expect(() => new ClinicalStore(stack, 'G', { spec, odsCode: 'REM', storeName: 'maternity', encryptionKey: records })).not.toThrow();
  });

  test('backup props are checked', () => {
    const { stack, key } = scratch();
    const store = new ClinicalStore(stack, 'Store', { spec, odsCode: 'REM', storeName: 'maternity', encryptionKey: key });
    expectBackboneError(() => new TrustBackup(stack, 'A', { spec, odsCode: 'REM', stores: [] }), /^stores: is empty/);
    expectBackboneError(() => new TrustBackup(stack, 'B', { spec, odsCode: 'RBS', stores: [store] }), /^stores\[0\]: store "maternity" belongs to trust REM, not RBS$/);
    expectBackboneError(() => new TrustBackup(stack, 'C', { spec, odsCode: 'REM', stores: [store], lockGracePeriod: Duration.days(1) }), /^lockGracePeriod: 1 day is not allowed/);
    expectBackboneError(() => new TrustBackup(stack, 'D', { spec, odsCode: 'REM', stores: [store, store] }), /^stores\[1\]: store "maternity" is given twice$/);
    const same = smallSpec({ storage: { stores: [{ name: 'maternity', category: 'maternity' }], backup: { awsAccount: ACCOUNT } } });
    const s2 = scratch();
    const store2 = new ClinicalStore(s2.stack, 'Store', { spec: same, odsCode: 'REM', storeName: 'maternity', encryptionKey: s2.key });
    expectBackboneError(() => new TrustBackup(s2.stack, 'E', { spec: same, odsCode: 'REM', stores: [store2] }), /^storage\.backup\.awsAccount: 123456789012 is the account the trust deploys to/);
  });

  test('log archive, audit trail and backbone look-ups are checked', () => {
    const { stack } = scratch();
    expectBackboneError(() => new CentralLogStore(stack, 'Logs', { spec, coldAfterDays: LOG_DAYS }), /^coldAfterDays: 730 is not allowed \(whole days from 30 to 729/);
    const logs = new CentralLogStore(stack, 'Logs2', { spec });
    const other = new Stack(stack.node.root as App, 'Other');
    expectBackboneError(() => new AuditTrail(other, 'Trail', { spec, logStore: logs }), /^logStore: is in stack Scratch, not the trail's stack Other/);
    expectBackboneError(() => backbone.store('REM', 'radiology'), /^storeName: "radiology" is not a store of backbone test-backbone/);
    expectBackboneError(() => backbone.store('XYZ', 'maternity'), /^odsCode: "XYZ" is not a trust/);
    expectBackboneError(() => backbone.backup('XYZ'), /^odsCode: "XYZ" is not a trust/);
    expectBackboneError(() => backbone.backup('REM').vault('radiology'), /^storeName: "radiology" is not a store backed up here/);
  });
});
