import { mkdirSync, rmdirSync, rmSync } from 'fs';
import { join } from 'path';
import { App, Stack, Tags, aws_ec2 as ec2, aws_iam as iam } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { CustomerManagedKey } from '../../src/aws/identity/customer-managed-key';
import { WorkloadIdentity } from '../../src/aws/identity/workload-identity';
import { DicomStore } from '../../src/aws/imaging/dicom-store';
import { DimseGateway } from '../../src/aws/imaging/dimse-gateway';
import { DIMSE_GATEWAY_IMAGE_DIRECTORY } from '../../src/aws/imaging/gateway-image';
import { TrustSpoke } from '../../src/aws/network/trust-spoke';
import { TrustSubnet } from '../../src/core/address-plan';
import { BackboneSpec } from '../../src/core/backbone-spec';
import { BackboneSpecProps } from '../../src/core/spec';
import { scanStage } from '../support/aws-iam-scan';
import { expectBackboneError } from '../support/errors';
import { SMALL } from '../support/specs';

const ACCOUNT = '123456789012';
const env = { region: 'eu-west-2', account: ACCOUNT };
const REPO = join(__dirname, '..', '..');
const PORT = 11112;
const MODALITIES = [
  { aeTitle: 'REM_CT1', host: '10.20.30.40', trust: 'REM' },
  { aeTitle: 'REM_MR1', host: '10.20.30.41', trust: 'REM', port: 11112 },
  { aeTitle: 'RBS_DX1', host: '10.9.8.7', trust: 'RBS' },
];
const PROPS: BackboneSpecProps = {
  ...SMALL,
  apps: [
    ...SMALL.apps!,
    { name: 'pacs-upload', trusts: ['REM'], dicomweb: 'read-write' as any },
    { name: 'rota', trusts: ['REM'], dicomweb: 'none' as any },
  ],
  imaging: { modalities: MODALITIES },
};
const spec = BackboneSpec.fromProps(PROPS);
const plainSpec = BackboneSpec.fromProps({ ...PROPS, name: 'plain-backbone', imaging: { gateway: { tls: false, port: 104 }, modalities: [MODALITIES[0]] } });

// The cloud assembly is written inside the repository's ignored .tmp folder, and
// the gateway image folder is referenced in place (asset staging off): the test
// writes nothing outside the tree and copies nothing.
const OUTDIR = join(REPO, '.tmp', `aws-imaging-test-${process.pid}`);
mkdirSync(OUTDIR, { recursive: true });
afterAll(() => {
  rmSync(OUTDIR, { recursive: true, force: true });
  try { rmdirSync(join(REPO, '.tmp')); } catch { /* not empty: other runs use it */ }
});

// CDK's built-in CloudFormation validation (schema and rules) is on: synthesis fails on any finding.
const app = new App({
  outdir: OUTDIR,
  analyticsReporting: false,
  context: {
    '@aws-cdk/core:validateAgainstDefaultRules': true,
    'aws:cdk:disable-stack-trace': true,
    'aws:cdk:disable-asset-staging': true,
  },
});

// Imaging network stack (ICB QYG: trusts REM and RBS), as the lead lays it out.
const network = spec.imagingNetworkOf('REM');
const imagingStack = new Stack(app, 'ImagingQYG', { env });
const store = new DicomStore(imagingStack, 'DicomStore', { spec, network });
Tags.of(imagingStack).add('cost-centre', 'CC-42'); // a changeable stack tag: must not reach the datastore
// A trust stack: spoke, key, apps and the gateway.
const remStack = new Stack(app, 'TrustREM', { env });
const spoke = new TrustSpoke(remStack, 'Spoke', { spec, addressPlan: spec.addressPlan(), odsCode: 'REM' });
const remKey = new CustomerManagedKey(remStack, 'Key', { spec, odsCode: 'REM' });
const reader = new WorkloadIdentity(remStack, 'AiTriage', { spec, appName: 'ai-triage', odsCode: 'REM' });
const writer = new WorkloadIdentity(remStack, 'PacsUpload', { spec, appName: 'pacs-upload', odsCode: 'REM' });
store.grantDicomRead(reader);
store.grantDicomWrite(writer);
const gateway = new DimseGateway(remStack, 'DimseGateway', {
  spec, odsCode: 'REM', vpc: spoke.vpc, subnets: spoke.subnetsFor(TrustSubnet.IMAGING), encryptionKey: remKey, store,
});
// A second backbone with DICOM TLS off, port 104 and a private ECR image.
const plainStack = new Stack(app, 'PlainREM', { env });
const plainSpoke = new TrustSpoke(plainStack, 'Spoke', { spec: plainSpec, addressPlan: plainSpec.addressPlan(), odsCode: 'REM' });
const plainKey = new CustomerManagedKey(plainStack, 'Key', { spec: plainSpec, odsCode: 'REM' });
const ECR_IMAGE = `${ACCOUNT}.dkr.ecr.eu-west-2.amazonaws.com/nhs-backbone/orthanc-gateway:1.10.1`;
const plain = new DimseGateway(plainStack, 'DimseGateway', {
  spec: plainSpec, odsCode: 'REM', vpc: plainSpoke.vpc, subnets: plainSpoke.subnetsFor(TrustSubnet.IMAGING), encryptionKey: plainKey, image: ECR_IMAGE,
});

const iamFindings = scanStage(app);
const imagingT = Template.fromStack(imagingStack);
const remT = Template.fromStack(remStack);
const plainT = Template.fromStack(plainStack);
const imagingJson = imagingT.toJSON();
const remJson = remT.toJSON();

type Res = { Type: string; Properties?: any; DeletionPolicy?: string; UpdateReplacePolicy?: string };
function resources(t: any, type: string): Array<[string, Res]> {
  return Object.entries(t.Resources as { [id: string]: Res }).filter(([, r]) => r.Type === type);
}
function only(t: any, type: string): [string, Res] {
  const list = resources(t, type);
  expect(list).toHaveLength(1);
  return list[0];
}
function logicalId(stack: Stack, c: { node: { defaultChild?: unknown } } | any): string {
  return stack.getLogicalId(c.node.defaultChild ?? c);
}
/** Every statement of every IAM policy attached to a role (by its logical id). */
function statementsOf(t: any, roleId: string): any[] {
  return resources(t, 'AWS::IAM::Policy')
    .filter(([, r]) => (r.Properties.Roles ?? []).some((x: any) => x.Ref === roleId))
    .flatMap(([, r]) => r.Properties.PolicyDocument.Statement);
}
function actionsOf(statements: any[]): string[] {
  return statements.flatMap((s) => ([] as string[]).concat(s.Action));
}
function scratch(): Stack {
  return new Stack(new App(), 'Scratch', { env });
}

const keyId = logicalId(imagingStack, store.key);
const remKeyId = logicalId(remStack, remKey.key);
const gatewayEnv = () => {
  const [, td] = only(remJson, 'AWS::ECS::TaskDefinition');
  return td.Properties.ContainerDefinitions as any[];
};

describe('DicomStore: the imaging network\'s HealthImaging datastore', () => {
  test('the datastore is encrypted with the network\'s own key, retained, named from the spec, in eu-west-2', () => {
    const [, ds] = only(imagingJson, 'AWS::HealthImaging::Datastore');
    expect(ds.Properties.KmsKeyArn).toEqual({ 'Fn::GetAtt': [keyId, 'Arn'] });
    expect(ds.DeletionPolicy).toBe('Retain');
    expect(ds.UpdateReplacePolicy).toBe('Retain');
    expect(ds.Properties.DatastoreName).toBe('test-backbone-imaging-icb-qyg-prod');
    expect(imagingStack.region).toBe('eu-west-2');
    expect(imagingStack.resolve(store.dicomWebUrl)).toEqual({
      'Fn::Join': ['', ['https://dicom-medical-imaging.eu-west-2.amazonaws.com/datastore/', { 'Fn::GetAtt': [logicalId(imagingStack, store.datastore), 'DatastoreId'] }]],
    });
  });

  test('the datastore carries only tags that never change (its tags are create-only), the key carries the stack\'s', () => {
    const [, ds] = only(imagingJson, 'AWS::HealthImaging::Datastore');
    expect(ds.Properties.Tags).toEqual({
      'backbone': 'test-backbone',
      'environment': 'prod',
      'managed-by': 'nhs-backbone',
      'imaging-network': 'icb-qyg',
      'ods-code': 'QYG',
      'records-category': 'imaging',
    });
    imagingT.hasResourceProperties('AWS::KMS::Key', { Tags: [{ Key: 'cost-centre', Value: 'CC-42' }] });
  });

  test('the key rotates, is retained, has the spec\'s alias and lets the account use it through HealthImaging only', () => {
    imagingT.hasResource('AWS::KMS::Key', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: { EnableKeyRotation: true, RotationPeriodInDays: 365, PendingWindowInDays: 30 },
    });
    imagingT.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/test-backbone-imaging-icb-qyg-key-prod' });
    const [, key] = only(imagingJson, 'AWS::KMS::Key');
    const statements: any[] = key.Properties.KeyPolicy.Statement;
    const use = statements.find((s) => s.Sid === 'AllowUseThroughHealthImaging');
    expect(use.Condition.StringEquals['kms:ViaService']).toEqual([
      'medical-imaging.eu-west-2.amazonaws.com', 'runtime-medical-imaging.eu-west-2.amazonaws.com', 'dicom-medical-imaging.eu-west-2.amazonaws.com',
    ]);
    const grants = statements.find((s) => s.Sid === 'AllowHealthImagingGrants');
    expect(grants.Action).toEqual(['kms:CreateGrant', 'kms:RetireGrant']);
    expect(grants.Condition.Bool).toEqual({ 'kms:GrantIsForAWSResource': 'true' });
  });

  test('the datastore id and key ARN are published by deterministic SSM names; no stack exports anywhere', () => {
    imagingT.hasResourceProperties('AWS::SSM::Parameter', {
      Name: '/nhs-backbone/test-backbone/prod/imaging/icb-qyg/datastore-id',
      Value: { 'Fn::GetAtt': [logicalId(imagingStack, store.datastore), 'DatastoreId'] },
    });
    imagingT.hasResourceProperties('AWS::SSM::Parameter', {
      Name: '/nhs-backbone/test-backbone/prod/imaging/icb-qyg/key-arn',
      Value: { 'Fn::GetAtt': [keyId, 'Arn'] },
    });
    for (const t of [imagingJson, remJson]) {
      expect(t.Outputs ?? {}).toEqual({});
      expect(JSON.stringify(t)).not.toContain('Fn::ImportValue');
    }
    expect(Object.values(remJson.Parameters).map((p: any) => p.Default))
      .toEqual(expect.arrayContaining(['/nhs-backbone/test-backbone/prod/imaging/icb-qyg/datastore-id', '/nhs-backbone/test-backbone/prod/imaging/icb-qyg/key-arn']));
  });

  test('the audit selectors record HealthImaging data events for datastores and image sets', () => {
    const selectors = DicomStore.auditEventSelectors();
    expect(selectors.map((s) => s.fieldSelectors)).toEqual([
      [{ field: 'eventCategory', equalTo: ['Data'] }, { field: 'resources.type', equalTo: ['AWS::MedicalImaging::Datastore'] }],
      [{ field: 'eventCategory', equalTo: ['Data'] }, { field: 'resources.type', equalTo: ['AWS::MedicalImaging::Imageset'] }],
    ]);
  });
});

describe('DICOMweb grants', () => {
  const readerRole = logicalId(remStack, reader.role);
  const writerRole = logicalId(remStack, writer.role);

  test('a reader gets the WADO-RS, QIDO-RS and image-set reads on the network\'s datastore, and no write of any kind', () => {
    const statements = statementsOf(remJson, readerRole);
    const actions = actionsOf(statements);
    expect(actions).toEqual(expect.arrayContaining([
      'medical-imaging:GetDICOMInstance', 'medical-imaging:GetDICOMInstanceMetadata', 'medical-imaging:GetDICOMInstanceFrames',
      'medical-imaging:GetDICOMSeriesMetadata', 'medical-imaging:SearchDICOMStudies', 'medical-imaging:SearchDICOMSeries',
      'medical-imaging:SearchDICOMInstances', 'medical-imaging:GetImageSet', 'medical-imaging:GetImageSetMetadata',
      'medical-imaging:GetImageFrame', 'medical-imaging:SearchImageSets', 'medical-imaging:ListImageSetVersions',
      'medical-imaging:GetDatastore', 'kms:Decrypt',
    ]));
    for (const a of actions) {
      expect(a).not.toMatch(/^medical-imaging:(Store|Start|Delete|Update|Copy|Create|Tag|Untag)|\*|^kms:(Encrypt|GenerateDataKey|ReEncrypt)/);
    }
    // On the datastore (and its image sets) read from the SSM parameter, and the key through HealthImaging only.
    const imaging = statements.find((s) => ([] as string[]).concat(s.Action).includes('medical-imaging:GetDICOMInstance'));
    expect(JSON.stringify(imaging.Resource)).toContain(':datastore/');
    expect(JSON.stringify(imaging.Resource)).toContain('/imageset/*');
    const kms = statements.find((s) => ([] as string[]).concat(s.Action).includes('kms:Decrypt'));
    expect(kms.Condition.StringEquals['kms:ViaService']).toContain('dicom-medical-imaging.eu-west-2.amazonaws.com');
  });

  test('a writer also gets STOW-RS and import, and the KMS encrypt actions; never delete', () => {
    const actions = actionsOf(statementsOf(remJson, writerRole));
    expect(actions).toEqual(expect.arrayContaining([
      'medical-imaging:StoreDICOM', 'medical-imaging:StoreDICOMStudy', 'medical-imaging:StartDICOMImportJob',
      'medical-imaging:GetDICOMInstance', 'kms:GenerateDataKey', 'kms:Encrypt', 'kms:Decrypt',
    ]));
    expect(actions.filter((a) => /Delete|Update|Copy/.test(a))).toEqual([]);
  });

  test('the spec decides: an app with dicomweb "none" gets nothing, a "read" app cannot write, a non-backbone role is refused', () => {
    const s = new Stack(app, 'GrantChecks', { env });
    const rota = new WorkloadIdentity(s, 'Rota', { spec, appName: 'rota', odsCode: 'REM' });
    expectBackboneError(() => store.grantDicomRead(rota), /^grantee: app rota has dicomweb "none"/);
    expectBackboneError(() => store.grantDicomWrite(reader), /^grantee: app ai-triage has dicomweb "read"/);
    const r0a = new WorkloadIdentity(s, 'R0aTriage', { spec, appName: 'ai-triage', odsCode: 'R0A' });
    expectBackboneError(() => store.grantDicomRead(r0a), /^grantee: app ai-triage of trust R0A may not use the DICOM store of imaging network icb-qyg/);
    const loose = new iam.Role(s, 'Loose', { assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com') });
    expectBackboneError(() => store.grantDicomRead(loose), /^grantee: .* is not a backbone role/);
  });
});

describe('DimseGateway: the trust\'s DIMSE-to-DICOMweb gateway', () => {
  test('an internal NLB in the trust\'s IMAGING subnets, TCP on the spec\'s port, client IP preserved', () => {
    const imagingSubnets = spoke.subnetsFor(TrustSubnet.IMAGING).map((sn) => remStack.resolve(sn.subnetId));
    remT.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', { Scheme: 'internal', Type: 'network', Subnets: imagingSubnets });
    remT.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: PORT, Protocol: 'TCP' });
    const [, tg] = only(remJson, 'AWS::ElasticLoadBalancingV2::TargetGroup');
    expect(tg.Properties).toMatchObject({ Port: PORT, Protocol: 'TCP', TargetType: 'ip' });
    expect(tg.Properties.TargetGroupAttributes).toEqual(expect.arrayContaining([{ Key: 'preserve_client_ip.enabled', Value: 'true' }]));
  });

  test('one Fargate task, no public IP, circuit breaker with rollback, old task stopped before the new one starts', () => {
    const imagingSubnets = spoke.subnetsFor(TrustSubnet.IMAGING).map((sn) => remStack.resolve(sn.subnetId));
    const [, svc] = only(remJson, 'AWS::ECS::Service');
    expect(svc.Properties).toMatchObject({
      DesiredCount: 1,
      LaunchType: 'FARGATE',
      EnableExecuteCommand: false,
      DeploymentConfiguration: { DeploymentCircuitBreaker: { Enable: true, Rollback: true }, MinimumHealthyPercent: 0, MaximumPercent: 100 },
      NetworkConfiguration: { AwsvpcConfiguration: { AssignPublicIp: 'DISABLED', Subnets: imagingSubnets } },
    });
  });

  test('the gateway\'s port is open only to the spec\'s modality hosts (/32), plus the load balancer\'s health checks; out only 443 and NFS', () => {
    const sgId = logicalId(remStack, gateway.securityGroup);
    const [, sg] = resources(remJson, 'AWS::EC2::SecurityGroup').find(([id]) => id === sgId)!;
    const inline = (sg.Properties.SecurityGroupIngress ?? []) as any[];
    const separate = resources(remJson, 'AWS::EC2::SecurityGroupIngress').map(([, r]) => r.Properties)
      .filter((p) => JSON.stringify(p.GroupId).includes(sgId));
    const rules = [...inline, ...separate];
    const cidrs = rules.filter((r) => r.CidrIp).map((r) => [r.CidrIp, r.FromPort, r.ToPort, r.IpProtocol]);
    expect(cidrs.sort()).toEqual([['10.20.30.40/32', PORT, PORT, 'tcp'], ['10.20.30.41/32', PORT, PORT, 'tcp']]);
    const bySg = rules.filter((r) => r.SourceSecurityGroupId);
    expect(bySg).toHaveLength(1);
    expect(bySg[0]).toMatchObject({ FromPort: PORT, ToPort: PORT, SourceSecurityGroupId: { 'Fn::GetAtt': [logicalId(remStack, gateway.loadBalancer.connections.securityGroups[0]), 'GroupId'] } });
    expect(rules.some((r) => r.CidrIpv6 || r.CidrIp === '0.0.0.0/0')).toBe(false);
    // The load balancer's own group admits the same two hosts only.
    const lbSgId = logicalId(remStack, gateway.loadBalancer.connections.securityGroups[0]);
    const [, lbSg] = resources(remJson, 'AWS::EC2::SecurityGroup').find(([id]) => id === lbSgId)!;
    expect((lbSg.Properties.SecurityGroupIngress as any[]).map((r) => r.CidrIp).sort()).toEqual(['10.20.30.40/32', '10.20.30.41/32']);
    // Egress: HTTPS anywhere (through the hub firewall) and NFS to the file system's group only.
    const egress = [
      ...(sg.Properties.SecurityGroupEgress ?? []),
      ...resources(remJson, 'AWS::EC2::SecurityGroupEgress').map(([, r]) => r.Properties).filter((p) => JSON.stringify(p.GroupId).includes(sgId)),
    ];
    expect(egress.map((r: any) => [r.FromPort, r.CidrIp ?? 'sg']).sort()).toEqual([[2049, 'sg'], [443, '0.0.0.0/0']]);
  });

  test('DICOM TLS material comes from Secrets Manager as ECS secrets; nothing secret in the template', () => {
    const orthanc = gatewayEnv().find((c) => c.Name === 'orthanc');
    expect(orthanc.Secrets.map((s: any) => s.Name)).toEqual(['DICOM_TLS_CERTIFICATE', 'DICOM_TLS_PRIVATE_KEY', 'DICOM_TLS_MODALITIES_CA']);
    for (const [s, field] of (orthanc.Secrets as any[]).map((x, i) => [x, ['certificate', 'privateKey', 'caCertificate'][i]])) {
      const arn = JSON.stringify(s.ValueFrom);
      expect(arn).toContain(':secretsmanager:');
      expect(arn).toContain(`secret:test-backbone-rem-dicom-tls-prod:${field}::`);
    }
    expect(JSON.stringify(remJson)).not.toMatch(/BEGIN (RSA |EC )?PRIVATE KEY|BEGIN CERTIFICATE/);
    expect(orthanc.Environment.map((e: any) => e.Name).sort()).toEqual(['NHS_BACKBONE_ENTRYPOINT_SH', 'NHS_BACKBONE_FORWARD_LUA', 'NHS_BACKBONE_ORTHANC_JSON']);
    // The execution role reads the secret (and may decrypt it through Secrets Manager only).
    const exec = statementsOf(remJson, logicalId(remStack, gateway.executionRole));
    expect(actionsOf(exec)).toEqual(expect.arrayContaining(['secretsmanager:GetSecretValue', 'kms:Decrypt']));
  });

  test('the container carries exactly OrthancGatewayConfig\'s files, written into /etc/orthanc at start', () => {
    const orthanc = gatewayEnv().find((c) => c.Name === 'orthanc');
    const files = gateway.config.files();
    expect(Object.keys(files).sort()).toEqual(['entrypoint.sh', 'forward.lua', 'orthanc.json']);
    for (const [file, content] of Object.entries(files)) {
      const value = orthanc.Environment.find((e: any) => e.Name === DimseGateway.envNameOf(file)).Value;
      expect(value).toEqual(remStack.resolve(content));
    }
    expect(orthanc.EntryPoint).toEqual(['/bin/sh', '-c']);
    const script: string = orthanc.Command[0];
    expect(script).toContain('printf \'%s\' "$NHS_BACKBONE_ORTHANC_JSON" > /etc/orthanc/orthanc.json');
    expect(script).toContain('printf \'%s\' "$NHS_BACKBONE_FORWARD_LUA" > /etc/orthanc/forward.lua');
    expect(script).toContain('printf \'%s\' "$NHS_BACKBONE_ENTRYPOINT_SH" > /etc/orthanc/entrypoint.sh');
    expect(script).toContain('(umask 077; printf \'%s\\n\' "$DICOM_TLS_PRIVATE_KEY" > /etc/orthanc/tls/gateway.key)');
    expect(script.trim().split('\n').pop()).toBe('exec /bin/sh /etc/orthanc/entrypoint.sh');
    // Orthanc forwards to the SigV4 sidecar on loopback, at the network's datastore; no token URL.
    const json = JSON.parse(files['orthanc.json']);
    expect(json.DicomWeb.Servers.cloud.Url).toBe(`${gateway.forwardUrl}/`);
    expect(gateway.forwardUrl).toMatch(/^http:\/\/127\.0\.0\.1:8080\/datastore\//);
    const [, ref] = remStack.resolve(gateway.forwardUrl)['Fn::Join'][1];
    expect(remJson.Parameters[ref.Ref].Default).toBe('/nhs-backbone/test-backbone/prod/imaging/icb-qyg/datastore-id');
    expect(files['forward.lua']).toContain('local TOKEN_URL = nil');
    expect(json).toMatchObject({ DicomAet: 'REM_GW', DicomPort: PORT, DicomTlsEnabled: true, StorageDirectory: '/var/lib/orthanc/db' });
  });

  test('a pinned SigV4 sidecar signs for HealthImaging\'s DICOMweb host with the task role, on loopback only', () => {
    const sidecar = gatewayEnv().find((c) => c.Name === 'sigv4-proxy');
    expect(sidecar.Image).toBe('public.ecr.aws/aws-observability/aws-sigv4-proxy:1.10');
    expect(sidecar.Command).toEqual(['--name', 'medical-imaging', '--region', 'eu-west-2', '--host', 'dicom-medical-imaging.eu-west-2.amazonaws.com', '--port', '127.0.0.1:8080']);
    expect(sidecar.ReadonlyRootFilesystem).toBe(true);
    expect(sidecar.PortMappings ?? []).toEqual([]);
    expect(sidecar.Secrets ?? []).toEqual([]);
    const orthanc = gatewayEnv().find((c) => c.Name === 'orthanc');
    expect(orthanc.DependsOn).toEqual([{ ContainerName: 'sigv4-proxy', Condition: 'START' }]);
    // The task role stores DICOM in the network's datastore, under the backbone's boundary.
    const taskRoleId = logicalId(remStack, gateway.taskRole);
    const [, role] = resources(remJson, 'AWS::IAM::Role').find(([id]) => id === taskRoleId)!;
    expect(JSON.stringify(role.Properties.PermissionsBoundary)).toContain(':policy/test-backbone-hub-boundary-prod');
    expect(role.Properties.AssumeRolePolicyDocument.Statement[0].Condition).toEqual({ StringEquals: { 'aws:SourceAccount': ACCOUNT } });
    const actions = actionsOf(statementsOf(remJson, taskRoleId));
    expect(actions).toEqual(expect.arrayContaining(['medical-imaging:StoreDICOM', 'medical-imaging:StoreDICOMStudy', 'kms:GenerateDataKey', 'elasticfilesystem:ClientMount', 'elasticfilesystem:ClientWrite']));
  });

  test('waiting instances live on EFS encrypted with the trust\'s key, retained, mounted with TLS and IAM through an access point', () => {
    remT.hasResource('AWS::EFS::FileSystem', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: { Encrypted: true, KmsKeyId: { 'Fn::GetAtt': [remKeyId, 'Arn'] } },
    });
    const [, fs] = only(remJson, 'AWS::EFS::FileSystem');
    const deny = fs.Properties.FileSystemPolicy.Statement.find((s: any) => s.Effect === 'Deny');
    expect(deny.Condition).toEqual({ Bool: { 'aws:SecureTransport': 'false' } });
    const imagingSubnets = spoke.subnetsFor(TrustSubnet.IMAGING).map((sn) => remStack.resolve(sn.subnetId));
    expect(resources(remJson, 'AWS::EFS::MountTarget').map(([, r]) => r.Properties.SubnetId)).toEqual(imagingSubnets);
    remT.hasResourceProperties('AWS::EFS::AccessPoint', { PosixUser: { Uid: '1000', Gid: '1000' }, RootDirectory: { Path: '/orthanc' } });
    const [, td] = only(remJson, 'AWS::ECS::TaskDefinition');
    expect(td.Properties.Volumes).toEqual([{
      Name: 'waiting-instances',
      EFSVolumeConfiguration: {
        FilesystemId: { Ref: logicalId(remStack, gateway.fileSystem) },
        TransitEncryption: 'ENABLED',
        AuthorizationConfig: { AccessPointId: { Ref: logicalId(remStack, gateway.accessPoint) }, IAM: 'ENABLED' },
      },
    }]);
    const orthanc = gatewayEnv().find((c) => c.Name === 'orthanc');
    expect(orthanc.MountPoints).toEqual([{ SourceVolume: 'waiting-instances', ContainerPath: '/var/lib/orthanc/db', ReadOnly: false }]);
  });

  test('container logs: encrypted with the trust\'s key, kept at least the spec\'s log retention, retained; the key lets CloudWatch Logs use it for that group only', () => {
    remT.hasResource('AWS::Logs::LogGroup', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: { LogGroupName: '/nhs-backbone/test-backbone-rem-dimse-gateway-prod', KmsKeyId: { 'Fn::GetAtt': [remKeyId, 'Arn'] }, RetentionInDays: 365 },
    });
    expect(spec.storage.logRetentionDays).toBe(365);
    const [, key] = resources(remJson, 'AWS::KMS::Key').find(([id]) => id === remKeyId)!;
    const logsStatement = key.Properties.KeyPolicy.Statement.find((s: any) => s.Sid === 'AllowLogsREMDimseGateway');
    expect(logsStatement.Principal).toEqual({ Service: 'logs.eu-west-2.amazonaws.com' });
    expect(JSON.stringify(logsStatement.Condition)).toContain('log-group:/nhs-backbone/test-backbone-rem-dimse-gateway-prod');
    for (const c of gatewayEnv()) expect(c.LogConfiguration.LogDriver).toBe('awslogs');
  });

  test('the default image is docker/orthanc-gateway at the package root (same path from src/ and lib/), built as an asset', () => {
    expect(DIMSE_GATEWAY_IMAGE_DIRECTORY).toBe(join(REPO, 'docker', 'orthanc-gateway'));
    expect(join(REPO, 'lib', 'aws', 'imaging', '..', '..', '..', 'docker', 'orthanc-gateway')).toBe(DIMSE_GATEWAY_IMAGE_DIRECTORY);
    const orthanc = gatewayEnv().find((c) => c.Name === 'orthanc');
    expect(JSON.stringify(orthanc.Image)).toContain('container-assets');
  });

  test('TLS off in the spec: no secrets; a private ECR image is pulled with the execution role\'s rights', () => {
    const [, td] = only(plainT.toJSON(), 'AWS::ECS::TaskDefinition');
    const orthanc = td.Properties.ContainerDefinitions.find((c: any) => c.Name === 'orthanc');
    expect(orthanc.Secrets ?? []).toEqual([]);
    expect(orthanc.Command[0]).not.toContain('tls');
    expect(JSON.parse(plain.config.toJson()).DicomTlsEnabled).toBe(false);
    expect(JSON.stringify(orthanc.Image)).toContain('.dkr.ecr.eu-west-2.');
    expect(JSON.stringify(orthanc.Image)).toContain('nhs-backbone/orthanc-gateway:1.10.1');
    plainT.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: 104, Protocol: 'TCP' });
    const exec = actionsOf(statementsOf(plainT.toJSON(), logicalId(plainStack, plain.executionRole)));
    expect(exec).toEqual(expect.arrayContaining(['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer']));
    expect(exec).not.toContain('secretsmanager:GetSecretValue');
  });

  test('no IAM finding (wildcard admin, public principal) in the imaging and trust stacks', () => {
    expect(iamFindings).toEqual([]);
  });
});

describe('bad props are refused with a BackboneError naming the prop', () => {
  const base = () => {
    const s = scratch();
    const sp = new TrustSpoke(s, 'Spoke', { spec, addressPlan: spec.addressPlan(), odsCode: 'REM' });
    const key = new CustomerManagedKey(s, 'Key', { spec, odsCode: 'REM' });
    return { s, props: { spec, odsCode: 'REM', vpc: sp.vpc as ec2.IVpc, subnets: sp.subnetsFor(TrustSubnet.IMAGING), encryptionKey: key, image: ECR_IMAGE } };
  };

  test('gateway props', () => {
    let b = base();
    expectBackboneError(() => new DimseGateway(b.s, 'G', { ...b.props, odsCode: 'R0A' }), /^odsCode: trust R0A has no modalities/);
    b = base();
    expectBackboneError(() => new DimseGateway(b.s, 'G', { ...b.props, image: 'registry.example/orthanc:latest' }), /^image: .*"latest" moves/);
    b = base();
    expectBackboneError(() => new DimseGateway(b.s, 'G', { ...b.props, image: 'orthanc' }), /^image: "orthanc" is not a pinned image URI/);
    b = base();
    expectBackboneError(() => new DimseGateway(b.s, 'G', { ...b.props, sigv4ProxyImage: 'public.ecr.aws/x/y' }), /^sigv4ProxyImage: /);
    b = base();
    expectBackboneError(() => new DimseGateway(b.s, 'G', { ...b.props, subnets: [] }), /^subnets: is empty/);
    b = base();
    expectBackboneError(() => new DimseGateway(b.s, 'G', { ...b.props, cpu: 300 }), /^cpu: 300 is not a Fargate task size/);
    b = base();
    expectBackboneError(() => new DimseGateway(b.s, 'G', { ...b.props, encryptionKey: remKey }), /^encryptionKey: is in stack TrustREM/);
    b = base();
    const otherStore = DicomStore.fromNetwork(b.s, 'Other', spec, spec.imagingNetworkOf('R0A'));
    expectBackboneError(() => new DimseGateway(b.s, 'G', { ...b.props, store: otherStore }), /^store: is the store of imaging network icb-qop, which trust REM is not in/);
  });

  test('store props', () => {
    expectBackboneError(() => new DicomStore(scratch(), 'S', { spec, network: { id: 'icb-nope', trusts: ['REM'], odsCode: 'NOPE' } }),
      /^network: "icb-nope" is not an imaging network of backbone test-backbone \(one of: icb-qyg, icb-qop\)/);
    expectBackboneError(() => new DicomStore(new Stack(new App(), 'Ireland', { env: { region: 'eu-west-1' } }), 'S', { spec, network }),
      /^regions\.aws: the store's stack Ireland is in eu-west-1, not the backbone's AWS region eu-west-2/);
  });
});
