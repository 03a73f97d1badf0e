import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { basename, join } from 'path';
import { App, Stack, Validations, aws_iam as iam, aws_s3 as s3 } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { AwsCompliance } from '../../src/aws/compliance/acknowledge';
import { AwsComplianceCheck } from '../../src/aws/compliance/check';
import { checkSynthOutput } from '../../src/aws/compliance/check-output';
import { NhsCompliancePlugin } from '../../src/aws/compliance/plugin';
import { EVALUATORS } from '../../src/aws/compliance/rules';
import { ACKNOWLEDGEMENTS_KEY, ComplianceFinding, NhsComplianceProfile } from '../../src/core/compliance';
import { BackboneError } from '../../src/core/errors';
import { smallSpec } from '../support/specs';

// Each rule of the NHS compliance profile over hand-written CloudFormation:
// a deliberately bad resource fails, a good one passes. Templates are
// written as minimal cloud assemblies (manifest.json + templates) in a tmp
// folder and read back through checkSynthOutput, as `nhs-backbone check` does.

const root = mkdtempSync(join(tmpdir(), 'nhs-aws-rules-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

interface StackDef {
  readonly name?: string;
  /** undefined: eu-west-2; null: environment-agnostic. */
  readonly region?: string | null;
  readonly resources: { [id: string]: any };
  readonly metadata?: { [k: string]: any };
}

let n = 0;
/** Writes a cloud assembly with these stacks; returns its folder. */
function assembly(...stacks: StackDef[]): string {
  const dir = join(root, `a${n++}`);
  mkdirSync(dir);
  const artifacts: { [id: string]: any } = {};
  stacks.forEach((s, i) => {
    const id = `Stack${i}`;
    const file = `${id}.template.json`;
    writeFileSync(join(dir, file), JSON.stringify({ Resources: s.resources, ...(s.metadata ? { Metadata: s.metadata } : {}) }));
    const region = s.region === null ? 'unknown-region' : s.region ?? 'eu-west-2';
    artifacts[id] = { type: 'aws:cloudformation:stack', environment: `aws://123456789012/${region}`, properties: { templateFile: file, stackName: s.name ?? `stack-${i}` } };
  });
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ version: '48.0.0', artifacts }));
  return dir;
}

/** The findings of one rule on one resource. */
function findings(dir: string, ruleId: string, resource?: string): ComplianceFinding[] {
  return checkSynthOutput(dir).findings.filter((f) => f.ruleId === ruleId && (resource === undefined || f.resource === resource))
    .sort((a, b) => a.stack.localeCompare(b.stack) || a.resource.localeCompare(b.resource));
}

const TAGS = [{ Key: 'ods-code', Value: 'REM' }];
const KEY = { Type: 'AWS::KMS::Key', Properties: { KeyPolicy: {}, Tags: TAGS } };
const keyArn = { 'Fn::GetAtt': ['Key', 'Arn'] };
const BPA = { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true };

/** A compliant store bucket (the parts each test changes are overridden). */
function bucket(p: { [k: string]: any } = {}, tags: Array<{ Key: string; Value: string }> = [...TAGS, { Key: 'records-category', Value: 'adult' }]): any {
  return {
    Type: 'AWS::S3::Bucket',
    Properties: {
      BucketName: 'rem-records',
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: keyArn } }] },
      PublicAccessBlockConfiguration: BPA,
      ObjectLockEnabled: true,
      ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 2920 } } },
      Tags: tags,
      ...p,
    },
  };
}

describe('NHS-ENC-1: encryption at rest with a customer-managed key', () => {
  test('a bucket with S3-managed keys, or an AWS-managed KMS alias, fails; one with a customer key passes', () => {
    const dir = assembly({
      resources: {
        Key: KEY,
        Bad: bucket({ BucketName: 'a', BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] } }),
        Managed: bucket({ BucketName: 'b', BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: 'alias/aws/s3' } }] } }),
        Good: bucket({ BucketName: 'c' }),
      },
    });
    expect(findings(dir, 'NHS-ENC-1', 'Bad')).toEqual([expect.objectContaining({ resourceType: 'AWS::S3::Bucket', severity: 'error', message: expect.stringMatching(/not encrypted with SSE-KMS/) })]);
    expect(findings(dir, 'NHS-ENC-1', 'Managed')).toHaveLength(1);
    expect(findings(dir, 'NHS-ENC-1', 'Good')).toEqual([]);
  });

  test('a log group, topic, vault or datastore without a key fails; with one passes', () => {
    const dir = assembly({
      resources: {
        Key: KEY,
        BadLogs: { Type: 'AWS::Logs::LogGroup', Properties: { Tags: TAGS } },
        GoodLogs: { Type: 'AWS::Logs::LogGroup', Properties: { KmsKeyId: keyArn, Tags: TAGS } },
        BadTopic: { Type: 'AWS::SNS::Topic', Properties: { Tags: TAGS } },
        BadVault: { Type: 'AWS::Backup::BackupVault', Properties: { BackupVaultName: 'v', BackupVaultTags: { 'ods-code': 'REM' } } },
        GoodStore: { Type: 'AWS::HealthImaging::Datastore', Properties: { KmsKeyArn: keyArn, Tags: { 'ods-code': 'REM' } } },
      },
    });
    expect(findings(dir, 'NHS-ENC-1').map((f) => f.resource).sort()).toEqual(['BadLogs', 'BadTopic', 'BadVault']);
  });
});

describe('NHS-RES-1: residency', () => {
  test('a stack outside the UK fails, an environment-agnostic stack fails, a UK stack passes', () => {
    const dir = assembly(
      { name: 'abroad', region: 'us-east-1', resources: { Key: KEY } },
      { name: 'anywhere', region: null, resources: { Key: KEY } },
      { name: 'home', resources: { Key: KEY } },
    );
    const f = findings(dir, 'NHS-RES-1');
    expect(f).toEqual([
      expect.objectContaining({ stack: 'abroad', resource: '(stack)', resourceType: 'AWS::CloudFormation::Stack', message: expect.stringMatching(/us-east-1, outside the regions residency uk allows \(eu-west-2\)/) }),
      expect.objectContaining({ stack: 'anywhere', resource: '(stack)', message: expect.stringMatching(/environment-agnostic/) }),
    ]);
  });

  test('a resource that refers to an EEA region fails under uk residency and passes under uk-eea', () => {
    const copy = { Type: 'AWS::Backup::BackupPlan', Properties: { BackupPlan: { BackupPlanRule: [{ CopyActions: [{ DestinationBackupVaultArn: 'arn:aws:backup:eu-west-1:210987654321:backup-vault:v' }] }] }, BackupPlanTags: { 'ods-code': 'REM' } } };
    const uk = assembly({ resources: { Plan: copy } });
    expect(findings(uk, 'NHS-RES-1', 'Plan')).toEqual([expect.objectContaining({ message: expect.stringMatching(/region eu-west-1 \(BackupPlan\.BackupPlanRule\[0\]\.CopyActions\[0\]\.DestinationBackupVaultArn\)/) })]);
    const eea = assembly({ resources: { Plan: copy }, metadata: { 'nhs-backbone': { backbone: 'x', residency: 'uk-eea', internetIngressApps: [] } } });
    expect(findings(eea, 'NHS-RES-1')).toEqual([]);
    const us = assembly({ resources: { Plan: { ...copy, Properties: { ...copy.Properties, BackupPlan: { BackupPlanRule: [{ CopyActions: [{ DestinationBackupVaultArn: 'arn:aws:backup:us-west-2:1:backup-vault:v' }] }] } } } }, metadata: { 'nhs-backbone': { residency: 'uk-eea' } } });
    expect(findings(us, 'NHS-RES-1', 'Plan')).toHaveLength(1);
  });

  test('the first foreign region in the properties is reported, wherever it hides; UK regions and region-like names are not', () => {
    const fn = (Properties: any) => ({ Type: 'AWS::Lambda::Function', Properties });
    const dir = assembly({
      resources: {
        // After a newline, deep in a list, behind an allowed region: still found, with its path.
        Hidden: fn({ Environment: { Variables: { A: 'eu-west-2', B: ['x', { C: 'line\neu-central-1 then us-east-1' }] } } }),
        Joined: fn({ Code: { 'Fn::Join': ['', ['arn:aws:s3:::b-', 'ap-southeast-2', '/k']] } }),
        Home: fn({ Environment: { Variables: { A: 'arn:aws:kms:eu-west-2:1:key/k', B: 'eu-west-22', C: 'xeu-west-1', D: 'me-west' } } }),
      },
    });
    expect(findings(dir, 'NHS-RES-1').map((f) => [f.resource, f.message.split(', outside')[0]])).toEqual([
      ['Hidden', 'refers to region eu-central-1 (Environment.Variables.B[1].C)'],
      ['Joined', 'refers to region ap-southeast-2 (Code.Fn::Join[1][1])'],
    ]);
  });
});

describe('NHS-NET-1: no inbound from the internet except declared app ingress', () => {
  const sg = (cidr: string, tags = TAGS) => ({ Type: 'AWS::EC2::SecurityGroup', Properties: { GroupDescription: 'x', SecurityGroupIngress: [{ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, CidrIp: cidr }], Tags: tags } });

  test('a security group open to the internet fails; one open to private addresses passes', () => {
    const dir = assembly({
      resources: {
        Open: sg('0.0.0.0/0'),
        Public: sg('203.0.113.0/24'),
        Private: sg('10.20.0.0/16'),
        Rule: { Type: 'AWS::EC2::SecurityGroupIngress', Properties: { GroupId: { 'Fn::GetAtt': ['Private', 'GroupId'] }, IpProtocol: '-1', CidrIpv6: '::/0' } },
      },
    });
    expect(findings(dir, 'NHS-NET-1').map((f) => [f.resource, f.message])).toEqual([
      ['Open', 'admits 0.0.0.0/0 (tcp 443): inbound from the internet'],
      ['Public', 'admits 203.0.113.0/24 (tcp 443): inbound from the internet'],
      ['Rule', 'admits ::/0 (all traffic): inbound from the internet'],
    ]);
  });

  test('an internet-facing load balancer fails unless it is a declared app edge with a WAF and CIS2 sign-in', () => {
    const edgeTags = [...TAGS, { Key: 'nhs-backbone:app', Value: 'remote-reporting' }, { Key: 'nhs-backbone:ingress', Value: 'internet' }];
    const alb = { Type: 'AWS::ElasticLoadBalancingV2::LoadBalancer', Properties: { Scheme: 'internet-facing', Tags: edgeTags } };
    const declared = { 'nhs-backbone': { backbone: 'b', residency: 'uk', internetIngressApps: ['remote-reporting'] } };
    const controls = {
      Waf: { Type: 'AWS::WAFv2::WebACLAssociation', Properties: { ResourceArn: { Ref: 'Alb' }, WebACLArn: 'arn:aws:wafv2:eu-west-2:1:regional/webacl/x/y' } },
      Https: { Type: 'AWS::ElasticLoadBalancingV2::Listener', Properties: { LoadBalancerArn: { Ref: 'Alb' }, Protocol: 'HTTPS', DefaultActions: [{ Type: 'authenticate-oidc', Order: 1 }, { Type: 'forward', Order: 2 }] } },
    };
    const undeclared = assembly({ resources: { Alb: { ...alb, Properties: { Tags: TAGS } } } });
    expect(findings(undeclared, 'NHS-NET-1', 'Alb')).toEqual([expect.objectContaining({ message: 'is an internet-facing load balancer' })]);
    const claimed = assembly({ resources: { Alb: alb, ...controls } });
    expect(findings(claimed, 'NHS-NET-1', 'Alb')).toEqual([expect.objectContaining({ message: expect.stringMatching(/the stack declares no internet ingress for remote-reporting/) })]);
    const bare = assembly({ resources: { Alb: alb }, metadata: declared });
    expect(findings(bare, 'NHS-NET-1', 'Alb')).toEqual([expect.objectContaining({ message: expect.stringMatching(/lacks a WAF web ACL .*, CIS2 sign-in/) })]);
    const edge = assembly({ resources: { Alb: alb, ...controls }, metadata: declared });
    expect(findings(edge, 'NHS-NET-1')).toEqual([]);
    const internal = assembly({ resources: { Alb: { ...alb, Properties: { Scheme: 'internal', Tags: TAGS } } } });
    expect(findings(internal, 'NHS-NET-1')).toEqual([]);
  });

  test('a bucket without all four Block Public Access settings, or a subnet giving public IPs, fails', () => {
    const dir = assembly({
      resources: {
        Key: KEY,
        Half: bucket({ BucketName: 'h', PublicAccessBlockConfiguration: { BlockPublicAcls: true } }),
        Closed: bucket({ BucketName: 'c' }),
        Subnet: { Type: 'AWS::EC2::Subnet', Properties: { VpcId: 'vpc-1', CidrBlock: '10.0.0.0/24', MapPublicIpOnLaunch: true, Tags: TAGS } },
      },
    });
    expect(findings(dir, 'NHS-NET-1').map((f) => f.resource)).toEqual(['Half', 'Subnet']);
  });
});

describe('NHS-TAG-1: the ODS-code tag', () => {
  test('a taggable resource without ods-code fails, with it passes; an untaggable one is not checked', () => {
    const dir = assembly({
      resources: {
        Key: KEY,
        Untagged: { Type: 'AWS::KMS::Key', Properties: { KeyPolicy: {}, Tags: [{ Key: 'owner', Value: 'x' }] } },
        MapTagged: { Type: 'AWS::SSM::Parameter', Properties: { Type: 'String', Value: 'v', Tags: { 'ods-code': 'REM' } } },
        Vault: { Type: 'AWS::Backup::BackupVault', Properties: { BackupVaultName: 'v', EncryptionKeyArn: keyArn } },
        Policy: { Type: 'AWS::S3::BucketPolicy', Properties: { Bucket: 'b', PolicyDocument: { Statement: [] } } },
      },
    });
    expect(findings(dir, 'NHS-TAG-1').map((f) => [f.resource, f.message])).toEqual([
      ['Untagged', 'has no "ods-code" tag'],
      ['Vault', 'has no "ods-code" tag'],
    ]);
  });
});

describe('NHS-LOG-1: audit and flow logs', () => {
  const trail = (selectors: any[], p: any = {}) => ({
    Type: 'AWS::CloudTrail::Trail',
    Properties: { IsLogging: true, EnableLogFileValidation: true, KMSKeyId: keyArn, S3BucketName: 'logs', AdvancedEventSelectors: selectors, Tags: TAGS, ...p },
  });
  const management = { FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }] };
  const s3Data = (arn?: any) => ({
    FieldSelectors: [
      { Field: 'eventCategory', Equals: ['Data'] },
      { Field: 'resources.type', Equals: ['AWS::S3::Object'] },
      ...(arn ? [{ Field: 'resources.ARN', NotStartsWith: [arn] }] : []),
    ],
  });

  test('a VPC without a flow log of all traffic fails; with one passes', () => {
    const vpc = { Type: 'AWS::EC2::VPC', Properties: { CidrBlock: '10.0.0.0/16', Tags: TAGS } };
    const dir = assembly({
      resources: {
        Trail: trail([management]),
        Key: KEY,
        Bare: vpc,
        Rejects: vpc,
        Logged: vpc,
        RejectLog: { Type: 'AWS::EC2::FlowLog', Properties: { ResourceId: { Ref: 'Rejects' }, ResourceType: 'VPC', TrafficType: 'REJECT', Tags: TAGS } },
        AllLog: { Type: 'AWS::EC2::FlowLog', Properties: { ResourceId: { Ref: 'Logged' }, ResourceType: 'VPC', TrafficType: 'ALL', Tags: TAGS } },
      },
    });
    expect(findings(dir, 'NHS-LOG-1').map((f) => [f.resource, f.message])).toEqual([
      ['Bare', 'has no VPC flow log'],
      ['Rejects', 'has flow logs of accepted or rejected traffic only (TrafficType is not ALL)'],
    ]);
  });

  test('a bucket no trail records fails; one covered by S3 data events in another stack passes; the excluded one fails', () => {
    const logs = assembly(
      { name: 'hub', resources: { Key: KEY, Trail: trail([management, s3Data({ 'Fn::Join': ['', [{ 'Fn::GetAtt': ['Archive', 'Arn'] }, '/']] })]), Archive: bucket({ BucketName: 'archive' }, [...TAGS, { Key: 'records-category', Value: 'audit-log' }]) } },
      { name: 'trust', resources: { Key: KEY, Store: bucket() } },
    );
    expect(findings(logs, 'NHS-LOG-1')).toEqual([expect.objectContaining({ stack: 'hub', resource: 'Archive', message: expect.stringMatching(/no trail records its object-level/) })]);
    const none = assembly({ name: 'trust', resources: { Key: KEY, Store: bucket(), Trail: trail([management]) } });
    expect(findings(none, 'NHS-LOG-1', 'Store')).toHaveLength(1);
    const partial = assembly({ name: 'trust', resources: { Key: KEY, Store: bucket(), Trail: trail([management, { FieldSelectors: [...s3Data().FieldSelectors, { Field: 'readOnly', Equals: ['true'] }] }]) } });
    expect(findings(partial, 'NHS-LOG-1', 'Store')).toEqual([expect.objectContaining({ message: expect.stringMatching(/partial access log/) })]);
  });

  test('a trail that does not validate its files fails; an output with no trail fails on its first stack', () => {
    const dir = assembly({ resources: { Key: KEY, Trail: trail([management], { EnableLogFileValidation: false }) } });
    expect(findings(dir, 'NHS-LOG-1', 'Trail')).toEqual([expect.objectContaining({ message: expect.stringMatching(/does not validate its log files/) })]);
    const bare = assembly({ name: 'a', resources: { Key: KEY } }, { name: 'b', resources: { Key: KEY } });
    expect(findings(bare, 'NHS-LOG-1')).toEqual([expect.objectContaining({ stack: 'a', resource: '(stack)', message: expect.stringMatching(/no CloudTrail trail/) })]);
  });

  test('an application load balancer without access logs fails; with the attribute or vended log delivery it passes, as does a TCP-only network load balancer', () => {
    const dir = assembly({
      resources: {
        Trail: trail([management]),
        Key: KEY,
        Alb: { Type: 'AWS::ElasticLoadBalancingV2::LoadBalancer', Properties: { Scheme: 'internal', Tags: TAGS } },
        LoggedAlb: { Type: 'AWS::ElasticLoadBalancingV2::LoadBalancer', Properties: { Scheme: 'internal', LoadBalancerAttributes: [{ Key: 'access_logs.s3.enabled', Value: 'true' }], Tags: TAGS } },
        VendedAlb: { Type: 'AWS::ElasticLoadBalancingV2::LoadBalancer', Properties: { Scheme: 'internal', Tags: TAGS } },
        Source: { Type: 'AWS::Logs::DeliverySource', Properties: { Name: 'alb', LogType: 'ALB_ACCESS_LOGS', ResourceArn: { Ref: 'VendedAlb' } } },
        Delivery: { Type: 'AWS::Logs::Delivery', Properties: { DeliverySourceName: 'alb', DeliveryDestinationArn: 'arn:aws:logs:eu-west-2:1:delivery-destination:d' } },
        Nlb: { Type: 'AWS::ElasticLoadBalancingV2::LoadBalancer', Properties: { Type: 'network', Scheme: 'internal', Tags: TAGS } },
        Tcp: { Type: 'AWS::ElasticLoadBalancingV2::Listener', Properties: { LoadBalancerArn: { Ref: 'Nlb' }, Protocol: 'TCP', Port: 11112 } },
      },
    });
    expect(findings(dir, 'NHS-LOG-1').map((f) => f.resource)).toEqual(['Alb']);
  });
});

describe('NHS-RET-1: a lock at least the records category\'s minimum', () => {
  test('an adult store locked for less than 8 years, or in governance mode, fails; 8 years in compliance mode passes', () => {
    const retention = (Mode: string, days: number) => ({ ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode, Days: days } } } });
    const dir = assembly({
      resources: {
        Key: KEY,
        Short: bucket({ BucketName: 's', ...retention('COMPLIANCE', 365) }),
        Governance: bucket({ BucketName: 'g', ...retention('GOVERNANCE', 2920) }),
        Years: bucket({ BucketName: 'y', ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Years: 8 } } } }),
        Good: bucket({ BucketName: 'ok' }),
        Unlocked: bucket({ BucketName: 'u', ObjectLockEnabled: false, ObjectLockConfiguration: undefined }),
      },
    });
    expect(findings(dir, 'NHS-RET-1').map((f) => [f.resource, f.message])).toEqual([
      ['Governance', 'locks adult records in GOVERNANCE mode: the category needs COMPLIANCE mode'],
      ['Short', "locks adult records for 365 days, under the category's legal minimum of 2920 days"],
      ['Unlocked', "holds adult records but has no Object Lock (the category's floor is 2920 days)"],
    ]);
  });

  test('a store without a records-category tag, or with an unknown one, fails', () => {
    const dir = assembly({
      resources: {
        Key: KEY,
        Untagged: bucket({ BucketName: 'a' }, TAGS),
        Unknown: bucket({ BucketName: 'b' }, [...TAGS, { Key: 'records-category', Value: 'forever' }]),
        Maternity: bucket({ BucketName: 'c', ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 9125 } } } }, [...TAGS, { Key: 'records-category', Value: 'maternity' }]),
      },
    });
    expect(findings(dir, 'NHS-RET-1').map((f) => [f.resource, f.message])).toEqual([
      ['Unknown', expect.stringMatching(/"forever", which is not a records category/)],
      ['Untagged', 'carries no "records-category" tag, so its retention cannot be checked against a records category'],
    ]);
  });

  test('a backup vault of a category locked for less than its floor fails', () => {
    const vault = (min: number) => ({ Type: 'AWS::Backup::BackupVault', Properties: { BackupVaultName: `v${min}`, EncryptionKeyArn: keyArn, LockConfiguration: { MinRetentionDays: min, ChangeableForDays: 3 }, BackupVaultTags: { 'ods-code': 'REM', 'records-category': 'cancer' } } });
    const dir = assembly({ resources: { Key: KEY, Short: vault(365), Good: vault(2920) } });
    expect(findings(dir, 'NHS-RET-1').map((f) => f.resource)).toEqual(['Short']);
  });
});

describe('NHS-BAK-1: an immutable backup copy of every clinical store', () => {
  const vault = (lock: any) => ({ Type: 'AWS::Backup::BackupVault', Properties: { BackupVaultName: 'rem-backup', EncryptionKeyArn: keyArn, LockConfiguration: lock, BackupVaultTags: { 'ods-code': 'REM' } } });
  const plan = { Type: 'AWS::Backup::BackupPlan', Properties: { BackupPlan: { BackupPlanName: 'p', BackupPlanRule: [{ RuleName: 'daily', TargetBackupVault: { 'Fn::GetAtt': ['Vault', 'BackupVaultName'] } }] }, BackupPlanTags: { 'ods-code': 'REM' } } };
  const selection = { Type: 'AWS::Backup::BackupSelection', Properties: { BackupPlanId: { Ref: 'Plan' }, BackupSelection: { SelectionName: 's', IamRoleArn: 'arn:aws:iam::1:role/r', Resources: [{ 'Fn::GetAtt': ['Store', 'Arn'] }] } } };

  test('a clinical store that no plan selects fails; the log archive is not a clinical store', () => {
    const dir = assembly({ resources: { Key: KEY, Store: bucket(), Archive: bucket({ BucketName: 'logs' }, [...TAGS, { Key: 'records-category', Value: 'audit-log' }]) } });
    expect(findings(dir, 'NHS-BAK-1')).toEqual([expect.objectContaining({ resource: 'Store', message: expect.stringMatching(/no backup plan selects it/) })]);
  });

  test('a store backed up to a vault locked in compliance mode passes; to a governance-mode or unlocked vault fails', () => {
    const backedUp = (lock: any) => assembly({ resources: { Key: KEY, Store: bucket(), Vault: vault(lock), Plan: plan, Selection: selection } });
    const good = backedUp({ MinRetentionDays: 2920, ChangeableForDays: 3 });
    expect(findings(good, 'NHS-BAK-1')).toEqual([]);
    const governance = backedUp({ MinRetentionDays: 2920 });
    expect(findings(governance, 'NHS-BAK-1')).toEqual([expect.objectContaining({ resource: 'Store', message: expect.stringMatching(/vault Vault, which has no compliance-mode Vault Lock/) })]);
    const unlocked = backedUp(undefined);
    expect(findings(unlocked, 'NHS-BAK-1')).toHaveLength(1);
  });

  test('a selection in another stack that names the store by its ARN counts, whichever partition it writes', () => {
    const byArn = (arn: any) => ({
      ...selection,
      Properties: { ...selection.Properties, BackupSelection: { ...selection.Properties.BackupSelection, Resources: [arn] } },
    });
    const locked = { MinRetentionDays: 2920, ChangeableForDays: 3 };
    const stores = { Key: KEY, Store: bucket(), Other: bucket({ BucketName: 'rem-other' }) };
    const backups = (arn: any, lock: any) => ({ name: 'backup', resources: { Key: KEY, Vault: vault(lock), Plan: plan, Selection: byArn(arn) } });
    const literal = assembly({ name: 'stores', resources: stores }, backups('arn:aws:s3:::rem-records', locked));
    expect(findings(literal, 'NHS-BAK-1').map((f) => f.resource)).toEqual(['Other']);
    const sub = assembly({ name: 'stores', resources: stores }, backups({ 'Fn::Sub': 'arn:${AWS::Partition}:s3:::rem-records' }, locked));
    expect(findings(sub, 'NHS-BAK-1').map((f) => f.resource)).toEqual(['Other']);
    // A Ref of a same-named id in another stack is not the store.
    const otherStack = assembly({ name: 'stores', resources: stores },
      { name: 'backup', resources: { Key: KEY, Vault: vault(locked), Plan: plan, Selection: selection } });
    expect(findings(otherStack, 'NHS-BAK-1').map((f) => f.resource)).toEqual(['Other', 'Store']);
    // Two selections: the unlocked one is named when none is locked; a locked one anywhere passes.
    const both = (lock2: any) => assembly({ name: 'stores', resources: { ...stores, Vault: vault({ MinRetentionDays: 2920 }), Plan: plan, Selection: selection } }, backups('arn:aws:s3:::rem-records', lock2));
    expect(findings(both(locked), 'NHS-BAK-1').map((f) => f.resource)).toEqual(['Other']);
    expect(findings(both(undefined), 'NHS-BAK-1', 'Store')).toEqual([expect.objectContaining({ message: expect.stringMatching(/vault Vault, which has no compliance-mode Vault Lock/) })]);
  });

  test('a store that replicates to a bucket with Object Lock passes, by Ref in its stack or by ARN in another; to an unlocked bucket fails', () => {
    const replicating = (dest: any) => bucket({ ReplicationConfiguration: { Role: 'arn:aws:iam::1:role/r', Rules: [{ Status: 'Enabled', Destination: { Bucket: dest } }] } });
    const unlocked = bucket({ BucketName: 'rem-copy', ObjectLockEnabled: false, ObjectLockConfiguration: undefined }, [...TAGS, { Key: 'records-category', Value: 'audit-log' }]);
    const locked = bucket({ BucketName: 'rem-copy' }, [...TAGS, { Key: 'records-category', Value: 'audit-log' }]);
    const byRef = assembly({ resources: { Key: KEY, Store: replicating({ 'Fn::GetAtt': ['Copy', 'Arn'] }), Copy: locked } });
    expect(findings(byRef, 'NHS-BAK-1')).toEqual([]);
    const byArn = assembly({ name: 'a', resources: { Key: KEY, Store: replicating('arn:aws:s3:::rem-copy') } }, { name: 'b', resources: { Key: KEY, Copy: locked } });
    expect(findings(byArn, 'NHS-BAK-1')).toEqual([]);
    const toUnlocked = assembly({ name: 'a', resources: { Key: KEY, Store: replicating('arn:aws:s3:::rem-copy') } }, { name: 'b', resources: { Key: KEY, Copy: unlocked } });
    expect(findings(toUnlocked, 'NHS-BAK-1', 'Store')).toEqual([expect.objectContaining({ message: expect.stringMatching(/no backup plan selects it and it does not replicate to a locked bucket/) })]);
  });

  test('a DICOM store always fails: nothing copies a HealthImaging datastore', () => {
    const dir = assembly({ resources: { Key: KEY, Dicom: { Type: 'AWS::HealthImaging::Datastore', Properties: { KmsKeyArn: keyArn, Tags: { 'ods-code': 'QYG', 'records-category': 'imaging' } } } } });
    expect(findings(dir, 'NHS-BAK-1', 'Dicom')).toHaveLength(1);
  });
});

describe('NHS-IAM-1: no wildcard administrative grants', () => {
  test('"*" on "*", iam:* and NotAction fail; a scoped grant passes', () => {
    const policy = (Statement: any[]) => ({ Type: 'AWS::IAM::Policy', Properties: { PolicyName: 'p', Roles: ['r'], PolicyDocument: { Version: '2012-10-17', Statement } } });
    const dir = assembly({
      resources: {
        Star: policy([{ Effect: 'Allow', Action: '*', Resource: '*' }]),
        Iam: policy([{ Effect: 'Allow', Action: ['iam:*'], Resource: ['*'] }]),
        Not: policy([{ Effect: 'Allow', NotAction: 'iam:*', Resource: '*' }]),
        Deny: policy([{ Effect: 'Deny', Action: '*', Resource: '*' }]),
        Scoped: policy([{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::rem-records/*' }]),
      },
    });
    expect(findings(dir, 'NHS-IAM-1').map((f) => [f.resource, f.message])).toEqual([
      ['Iam', 'allows "iam:*" on "*"'],
      ['Not', 'allows every action except "iam:*" (NotAction)'],
      ['Star', 'allows "*" on "*"'],
    ]);
  });

  test('a role with AdministratorAccess fails; a bucket policy allowing any principal fails', () => {
    const dir = assembly({
      resources: {
        Admin: { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: { Statement: [] }, ManagedPolicyArns: [{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/AdministratorAccess']] }], Tags: TAGS } },
        Reader: { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: { Statement: [] }, ManagedPolicyArns: ['arn:aws:iam::aws:policy/ReadOnlyAccess'], Tags: TAGS } },
        Open: { Type: 'AWS::S3::BucketPolicy', Properties: { Bucket: 'b', PolicyDocument: { Statement: [{ Effect: 'Allow', Principal: { AWS: '*' }, Action: 's3:GetObject', Resource: '*' }] } } },
        Tls: { Type: 'AWS::S3::BucketPolicy', Properties: { Bucket: 'b', PolicyDocument: { Statement: [{ Effect: 'Deny', Principal: { AWS: '*' }, Action: 's3:*', Resource: '*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }] } } },
      },
    });
    expect(findings(dir, 'NHS-IAM-1').map((f) => [f.resource, f.message])).toEqual([
      ['Admin', 'has the AWS managed policy AdministratorAccess'],
      ['Open', 'lets any principal "s3:GetObject" without a condition (Principal "*")'],
    ]);
  });
});

describe('acknowledgements', () => {
  const trail = { Type: 'AWS::CloudTrail::Trail', Properties: { IsLogging: true, EnableLogFileValidation: true, KMSKeyId: keyArn, S3BucketName: 'logs', Tags: TAGS } };
  const withAck = (acks: any) => assembly({ resources: { Key: KEY, Trail: trail, Logs: { Type: 'AWS::Logs::LogGroup', Properties: { Tags: TAGS }, Metadata: { [ACKNOWLEDGEMENTS_KEY]: acks } } } });

  test('an acknowledgement with a reason in the resource metadata turns the error into acknowledged', () => {
    const dir = withAck([{ ruleId: 'NHS-ENC-1', reason: 'Holds only the build number of the image; no patient data.' }]);
    const report = AwsComplianceCheck.ofDirectory(dir);
    expect(report.findings.filter((f) => f.resource === 'Logs')).toEqual([expect.objectContaining({ ruleId: 'NHS-ENC-1', acknowledgedReason: 'Holds only the build number of the image; no patient data.' })]);
    expect(report.passed).toBe(true);
    expect(report.render('text' as any)).toMatch(/acknowledged  NHS-ENC-1/);
  });

  test('an acknowledgement without a reason, or of another rule, leaves the error open', () => {
    for (const acks of [[{ ruleId: 'NHS-ENC-1', reason: 'ok' }], [{ ruleId: 'NHS-ENC-1' }], [{ ruleId: 'NHS-TAG-1', reason: 'Tagged by the organisation\'s tag policy instead.' }]]) {
      const report = AwsComplianceCheck.ofDirectory(withAck(acks));
      expect(report.unacknowledgedErrors()).toEqual([expect.objectContaining({ ruleId: 'NHS-ENC-1', resource: 'Logs' })]);
    }
  });

  test('AwsCompliance.acknowledge writes the acknowledgement onto the underlying CloudFormation resource, and check sees it', () => {
    const app = new App();
    const stack = new Stack(app, 'S', { env: { region: 'eu-west-2', account: '123456789012' } });
    AwsCompliance.recordStack(stack, smallSpec());
    const b = new s3.Bucket(stack, 'Bucket', { bucketName: 'unlocked' });
    AwsCompliance.acknowledge(b, 'NHS-RET-1', 'A scratch bucket for de-identified test data; holds no records.');
    AwsCompliance.acknowledge(b, 'NHS-ENC-1', 'A scratch bucket for de-identified test data; holds no records.');
    AwsCompliance.acknowledge(b.node.defaultChild!, 'NHS-ENC-1', 'A scratch bucket for de-identified test data; holds no records.');
    AwsCompliance.acknowledge(stack, 'NHS-LOG-1', 'The organisation trail in the audit account records this account.');
    expect(AwsCompliance.acknowledgementsOf(b).map((a) => a.ruleId)).toEqual(['NHS-RET-1', 'NHS-ENC-1']);
    const synthDir = app.synth().directory;
    const template = JSON.parse(readFileSync(join(synthDir, 'S.template.json'), 'utf8'));
    const [id] = Object.keys(template.Resources).filter((k) => template.Resources[k].Type === 'AWS::S3::Bucket');
    expect(template.Resources[id].Metadata[ACKNOWLEDGEMENTS_KEY]).toEqual([
      { ruleId: 'NHS-RET-1', reason: 'A scratch bucket for de-identified test data; holds no records.' },
      { ruleId: 'NHS-ENC-1', reason: 'A scratch bucket for de-identified test data; holds no records.' },
    ]);
    expect(template.Metadata['nhs-backbone']).toEqual({ backbone: 'test-backbone', residency: 'uk', internetIngressApps: ['remote-reporting'] });
    const report = AwsComplianceCheck.ofDirectory(synthDir);
    const tag = report.findings.filter((f) => f.resource === id && f.ruleId === 'NHS-TAG-1');
    expect(tag).toHaveLength(1);
    expect(tag[0].acknowledgedReason).toBeUndefined();
    expect(report.findings.filter((f) => f.resource === id && f.acknowledgedReason !== undefined).map((f) => f.ruleId).sort()).toEqual(['NHS-ENC-1', 'NHS-RET-1']);
    expect(report.findings.find((f) => f.ruleId === 'NHS-LOG-1' && f.resource === '(stack)')?.acknowledgedReason).toMatch(/organisation trail/);
  });

  test('an acknowledgement without a reason, with an unknown rule, or on a construct without a resource is refused, naming the field', () => {
    const stack = new Stack(new App(), 'S');
    const b = new s3.Bucket(stack, 'Bucket');
    const refused = (f: () => void, path: string, pattern: RegExp) => {
      try {
        f();
      } catch (e) {
        expect(BackboneError.isBackboneError(e)).toBe(true);
        expect((e as BackboneError).problems).toEqual([{ path, message: expect.stringMatching(pattern) }]);
        return;
      }
      throw new Error('not refused');
    };
    refused(() => AwsCompliance.acknowledge(b, 'NHS-ENC-1', 'because'), 'reason', /needs a written reason of at least 20 characters/);
    refused(() => AwsCompliance.acknowledge(b, 'NHS-ENC-1', '   '), 'reason', /written reason/);
    refused(() => AwsCompliance.acknowledge(b, 'NHS-ENC-9', 'A reason long enough to be read.'), 'ruleId', /"NHS-ENC-9" is not a rule of the NHS compliance profile/);
    refused(() => AwsCompliance.acknowledge(new Construct(stack, 'Plain'), 'NHS-ENC-1', 'A reason long enough to be read.'), 'construct', /"S\/Plain" is not a CloudFormation resource and has no default child/);
    expect(AwsCompliance.acknowledgementsOf(b)).toEqual([]);
  });
});

describe('reading output', () => {
  test('a folder that is not a cloud assembly, or a template that is not JSON, is refused naming the file', () => {
    const empty = join(root, 'empty');
    mkdirSync(empty);
    expect(() => checkSynthOutput(empty)).toThrow(new RegExp(`${join(empty, 'manifest.json')}: is missing`));
    expect(() => checkSynthOutput(join(root, 'nope'))).toThrow(/nope: is not a directory/);
    const dir = assembly({ resources: { Key: KEY } });
    writeFileSync(join(dir, 'Stack0.template.json'), '{ "Resources": ');
    expect(() => checkSynthOutput(dir)).toThrow(new RegExp('Stack0\\.template\\.json: is not valid JSON'));
    writeFileSync(join(dir, 'Stack0.template.json'), JSON.stringify({ Resources: { A: { Properties: {} } } }));
    expect(() => checkSynthOutput(dir)).toThrow(/Stack0\.template\.json: resource "A" has no "Type"/);
    writeFileSync(join(dir, 'manifest.json'), '[1, 2');
    expect(() => checkSynthOutput(dir)).toThrow(/manifest\.json: is not valid JSON/);
    try {
      checkSynthOutput(dir);
    } catch (e) {
      expect(BackboneError.isBackboneError(e)).toBe(true);
      expect((e as Error).message.split('\n')).toHaveLength(1);
    }
  });

  test('stacks of nested cloud assemblies (stages) are checked', () => {
    const dir = assembly({ name: 'outer', resources: { Key: KEY } });
    const inner = assembly({ name: 'inner', resources: { Key: KEY, Open: { Type: 'AWS::EC2::SecurityGroup', Properties: { SecurityGroupIngress: [{ CidrIp: '0.0.0.0/0', IpProtocol: '-1' }], Tags: TAGS } } } });
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
    manifest.artifacts.Stage = { type: 'cdk:cloud-assembly', properties: { directoryName: `../${basename(inner)}` } };
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest));
    const r = checkSynthOutput(dir);
    expect(r.checkedResources).toBe(3);
    expect(r.findings.filter((f) => f.ruleId === 'NHS-NET-1')).toEqual([expect.objectContaining({ stack: 'inner', resource: 'Open' })]);
  });
});

describe('the synth-time plugin', () => {
  test('it reports the same unacknowledged findings, by rule, with each resource\'s template', () => {
    const dir = assembly({ name: 'trust', resources: { Key: KEY, Logs: { Type: 'AWS::Logs::LogGroup', Properties: { Tags: TAGS } } } });
    const templatePath = join(dir, 'Stack0.template.json');
    const report = new NhsCompliancePlugin().validate({ templatePaths: [templatePath] } as any);
    expect(report.success).toBe(false);
    const byRule = Object.fromEntries(report.violations.map((v) => [v.ruleName, v.violatingResources.map((r) => r.resourceLogicalId)]));
    expect(byRule).toEqual({ 'NHS-ENC-1': ['Logs'], 'NHS-LOG-1': ['(stack)'] });
    expect(report.violations[0].violatingResources[0]).toEqual({ resourceLogicalId: 'Logs', templatePath, locations: ['is not encrypted with a customer-managed KMS key (KmsKeyId)'] });
    const only = new NhsCompliancePlugin({ ruleIds: ['NHS-IAM-1'] }).validate({ templatePaths: [templatePath] } as any);
    expect(only).toEqual(expect.objectContaining({ success: true, violations: [] }));
    expect(() => new NhsCompliancePlugin({ ruleIds: ['NHS-XYZ-1'] })).toThrow(/ruleId: "NHS-XYZ-1" is not a rule/);
  });

  test('registered on an App, it fails the synth on an unacknowledged error and passes once it is acknowledged', () => {
    const build = (ack: boolean) => {
      const app = new App({ outdir: join(root, `plugin-${ack}`) });
      Validations.of(app).addPlugins(new NhsCompliancePlugin({ ruleIds: ['NHS-IAM-1'] }));
      const stack = new Stack(app, 'S', { env: { region: 'eu-west-2', account: '123456789012' } });
      const role = new iam.Role(stack, 'Admin', {
        assumedBy: new iam.AccountRootPrincipal(),
        managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('AdministratorAccess')],
      });
      if (ack) AwsCompliance.acknowledge(role, 'NHS-IAM-1', 'The organisation\'s emergency role, reviewed by the SIRO.');
      return () => app.synth();
    };
    expect(build(false)).toThrow(/NHS-IAM-1/);
    expect(build(true)).not.toThrow();
  });
});

test('every rule of the profile has an evaluator that the tests above make fail', () => {
  expect(Object.keys(EVALUATORS).sort()).toEqual(NhsComplianceProfile.rules().map((r) => r.id).sort());
});
