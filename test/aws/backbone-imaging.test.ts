import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Backbone } from '../../src/aws/backbone';
import { BackbonePermissionsBoundary } from '../../src/aws/identity/permissions-boundary';
import { DICOM_READ_ACTIONS, DICOM_WRITE_ACTIONS } from '../../src/aws/imaging/dicom-access';
import { DicomStore } from '../../src/aws/imaging/dicom-store';
import { newAwsApp } from '../../src/aws/synth';
import { TrustSubnet } from '../../src/core/address-plan';
import { BackboneSpec } from '../../src/core/backbone-spec';
import { scanStage } from '../support/aws-iam-scan';
import { expectBackboneError } from '../support/errors';
import { SMALL } from '../support/specs';

// The small backbone (REM and RBS in ICB QYG, R0A in ICB QOP) with imaging
// wired in: a writer app and an app without DICOMweb, modalities for REM
// only, gateway images from the account's ECR. A second backbone groups
// imaging per trust (network stack tags). One app, synthesised once.
const ACCOUNT = '123456789012';
const ECR = `${ACCOUNT}.dkr.ecr.eu-west-2.amazonaws.com`;
const spec = BackboneSpec.fromProps({
  ...SMALL,
  apps: [
    ...SMALL.apps!,
    { name: 'pacs-upload', trusts: ['REM'], dicomweb: 'read-write' as any },
    { name: 'rota', trusts: ['REM'], dicomweb: 'none' as any },
  ],
  imaging: { modalities: [{ aeTitle: 'REM_CT1', host: '10.20.30.40', trust: 'REM' }, { aeTitle: 'REM_MR1', host: '10.20.30.41', trust: 'REM' }] },
});
const perTrust = BackboneSpec.fromProps({ ...SMALL, name: 'per-trust', imaging: { grouping: 'trust' as any } });

const app = newAwsApp();
const backbone = new Backbone(app, 'Backbone', {
  spec,
  account: ACCOUNT,
  dimseGatewayImage: `${ECR}/nhs-backbone/orthanc-gateway:1.10.1`,
  sigv4ProxyImage: `${ECR}/mirror/aws-sigv4-proxy:1.10`,
});
const perTrustBackbone = new Backbone(app, 'PerTrust', { spec: perTrust, account: ACCOUNT });
const iamFindings = scanStage(app);
const assembly = app.synth();
const json = (stack: Stack): any => assembly.getStackArtifact(stack.artifactId).template;
const dependencies = (stack: Stack): string[] => assembly.getStackArtifact(stack.artifactId).dependencies
  .map((d) => d.id).filter((id) => !id.endsWith('.assets'));
const hub = Template.fromJSON(json(backbone.hubStack));
const trust = (ods: string) => json(backbone.trustStack(ods));
const list = (x: any): any[] => (Array.isArray(x) ? x : [x]);
const resources = (t: any, type: string): any[] => Object.values<any>(t.Resources).filter((r) => r.Type === type);

/** Every statement of the IAM policies attached to a role of a stack. */
function statementsOf(stack: Stack, role: { node: { defaultChild?: unknown } }): any[] {
  const roleId = stack.getLogicalId(role.node.defaultChild as any);
  return resources(json(stack), 'AWS::IAM::Policy')
    .filter((p) => (p.Properties.Roles ?? []).some((r: any) => r.Ref === roleId))
    .flatMap((p) => p.Properties.PolicyDocument.Statement);
}
/** The logical id of the SSM parameter (a template parameter) holding a network's datastore id, in a stack. */
function datastoreIdParameter(stack: Stack, networkId: string): string | undefined {
  const name = DicomStore.datastoreIdParameterName(spec, networkId);
  return Object.entries<any>(json(stack).Parameters ?? {}).find(([, p]) => p.Default === name)?.[0];
}
describe('imaging network stacks', () => {
  test('one stack per ICB, named from the spec, each with its retained HealthImaging datastore and its own key', () => {
    expect(spec.imagingNetworks().map((n) => n.id)).toEqual(['icb-qyg', 'icb-qop']);
    for (const id of ['icb-qyg', 'icb-qop']) {
      const stack = backbone.imagingStack(id);
      expect(stack.stackName).toBe(`test-backbone-img-${id}-prod`);
      expect(stack.region).toBe('eu-west-2');
      expect(Stack.of(backbone.dicomStore(id))).toBe(stack);
      const t = Template.fromJSON(json(stack));
      t.hasResource('AWS::HealthImaging::Datastore', {
        Properties: { DatastoreName: `test-backbone-imaging-${id}-prod`, KmsKeyArn: { 'Fn::GetAtt': [Match.anyValue(), 'Arn'] } },
        DeletionPolicy: 'Retain',
        UpdateReplacePolicy: 'Retain',
      });
      t.hasResourceProperties('AWS::SSM::Parameter', { Name: DicomStore.datastoreIdParameterName(spec, id) });
    }
  });

  test('an ICB network is tagged as the ICB (owner and cost centre of the backbone); its datastore keeps only the stable tags', () => {
    const t = Template.fromJSON(json(backbone.imagingStack('icb-qop')));
    const keyTags = Object.fromEntries(resources(t.toJSON(), 'AWS::KMS::Key')[0].Properties.Tags.map((x: any) => [x.Key, x.Value]));
    expect(keyTags).toEqual({
      'backbone': 'test-backbone',
      'cost-centre': 'CC-42',
      'data-classification': spec.dataClassification,
      'environment': 'prod',
      'icb': 'QOP',
      'imaging-network': 'icb-qop',
      'managed-by': 'nhs-backbone',
      'ods-code': 'QOP',
      'owner': 'platform-team',
    });
    const storeTags = resources(t.toJSON(), 'AWS::HealthImaging::Datastore')[0].Properties.Tags;
    expect(Object.keys(storeTags).sort()).toEqual(['backbone', 'environment', 'imaging-network', 'managed-by', 'ods-code', 'records-category']);
  });

  test('a per-trust network is tagged as its trust (the trust\'s cost centre)', () => {
    const stack = perTrustBackbone.imagingStack('trust-r0a');
    expect(stack.stackName).toBe('per-trust-img-trust-r0a-prod');
    const key = resources(json(stack), 'AWS::KMS::Key')[0];
    const tags = Object.fromEntries(key.Properties.Tags.map((x: any) => [x.Key, x.Value]));
    expect(tags).toMatchObject({ 'ods-code': 'R0A', 'icb': 'QOP', 'cost-centre': 'MFT-1', 'imaging-network': 'trust-r0a' });
    expect(perTrust.imagingNetworks()).toHaveLength(3);
  });

  test('deploy order: hub, then each network, then its trusts; nothing is exported', () => {
    for (const id of ['icb-qyg', 'icb-qop']) expect(dependencies(backbone.imagingStack(id))).toEqual([backbone.hubStack.artifactId]);
    const expected: { [ods: string]: string } = { REM: 'icb-qyg', RBS: 'icb-qyg', R0A: 'icb-qop' };
    for (const [ods, network] of Object.entries(expected)) {
      expect(dependencies(backbone.trustStack(ods)).sort()).toEqual([backbone.hubStack.artifactId, backbone.imagingStack(network).artifactId].sort());
    }
    for (const s of assembly.stacks) expect(JSON.stringify(s.template)).not.toContain('Fn::ImportValue');
  });

  test('look-ups name the network or trust that is not there', () => {
    expectBackboneError(() => backbone.dicomStore('icb-xyz'), /^networkId: "icb-xyz" is not an imaging network of backbone test-backbone \(one of: icb-qyg, icb-qop\)/);
    expectBackboneError(() => backbone.imagingStack('national'), /^networkId: "national" is not an imaging network/);
    expectBackboneError(() => backbone.dimseGateway('RBS'), /^odsCode: trust RBS has no DIMSE gateway: it has no modalities/);
    expectBackboneError(() => backbone.dimseGateway('XXX'), /^odsCode: "XXX" is not a trust of backbone test-backbone/);
  });
});

describe('DICOMweb grants from the spec', () => {
  test('an app with dicomweb read gets only read actions, on its own network\'s datastore, read from SSM in its trust stack', () => {
    for (const [ods, network, other] of [['R0A', 'icb-qop', 'icb-qyg'], ['RBS', 'icb-qyg', 'icb-qop']]) {
      const stack = backbone.trustStack(ods);
      const statements = statementsOf(stack, backbone.identity(ods, 'ai-triage').role);
      const imaging = statements.filter((s) => list(s.Action).some((a: string) => a.startsWith('medical-imaging:')));
      expect(imaging).toHaveLength(1);
      expect([...list(imaging[0].Action)].sort()).toEqual([...DICOM_READ_ACTIONS].sort());
      const param = datastoreIdParameter(stack, network);
      expect(param).toBeDefined();
      expect(JSON.stringify(imaging[0].Resource)).toContain(`{"Ref":"${param}"}`);
      expect(datastoreIdParameter(stack, other)).toBeUndefined();
      const keyUse = statements.filter((s) => JSON.stringify(s.Condition ?? {}).includes('dicom-medical-imaging.eu-west-2.amazonaws.com'));
      expect(keyUse.flatMap((s) => list(s.Action)).sort()).toEqual(['kms:Decrypt', 'kms:DescribeKey']);
    }
  });

  test('a read-write app also gets STOW-RS and import; no app gets delete, update or copy; dicomweb none gets nothing', () => {
    const rem = backbone.trustStack('REM');
    const writer = statementsOf(rem, backbone.identity('REM', 'pacs-upload').role).flatMap((s) => list(s.Action));
    expect(writer).toEqual(expect.arrayContaining([...DICOM_READ_ACTIONS, ...DICOM_WRITE_ACTIONS]));
    const rota = statementsOf(rem, backbone.identity('REM', 'rota').role).flatMap((s) => list(s.Action));
    expect(rota.filter((a) => a.startsWith('medical-imaging:'))).toEqual([]);
    for (const ods of ['REM', 'RBS', 'R0A']) {
      for (const p of resources(trust(ods), 'AWS::IAM::Policy')) {
        const actions = p.Properties.PolicyDocument.Statement.flatMap((s: any) => list(s.Action));
        expect(actions.filter((a: string) => /^medical-imaging:(Delete|Update|Copy|\*)/.test(a))).toEqual([]);
      }
    }
  });

  test('no IAM finding over the whole backbone (no wildcard admin, no public principal)', () => {
    expect(iamFindings).toEqual([]);
  });
});

describe('DIMSE gateways', () => {
  test('only trusts with modalities get one, in their IMAGING subnets, with the given pinned images', () => {
    expect(resources(trust('REM'), 'AWS::ECS::Service')).toHaveLength(1);
    expect(resources(trust('RBS'), 'AWS::ECS::Service')).toHaveLength(0);
    expect(resources(trust('R0A'), 'AWS::ECS::Service')).toHaveLength(0);
    expect(resources(json(perTrustBackbone.trustStack('REM')), 'AWS::ECS::Service')).toHaveLength(0); // no modalities in that spec
    const gateway = backbone.dimseGateway('REM');
    expect(gateway.aeTitle).toBe('REM_GW');
    const rem = backbone.trustStack('REM');
    const imagingSubnets = backbone.spoke('REM').subnetsFor(TrustSubnet.IMAGING).map((s) => rem.resolve(s.subnetId));
    const nlb = resources(trust('REM'), 'AWS::ElasticLoadBalancingV2::LoadBalancer')[0];
    expect(nlb.Properties.Subnets).toEqual(imagingSubnets);
    const td = resources(trust('REM'), 'AWS::ECS::TaskDefinition')[0];
    const image = (name: string) => JSON.stringify(td.Properties.ContainerDefinitions.find((c: any) => c.Name === name).Image);
    expect(image('orthanc')).toContain('nhs-backbone/orthanc-gateway:1.10.1');
    expect(image('sigv4-proxy')).toContain('mirror/aws-sigv4-proxy:1.10');
    expect(assembly.getStackArtifact(rem.artifactId).assets).toEqual([]); // pinned images: no Docker asset to build
    // The mirrored sidecar is pulled with the execution role's ECR rights on that repository.
    const exec = statementsOf(rem, gateway.executionRole);
    const pull = exec.find((s) => list(s.Action).includes('ecr:BatchGetImage') && JSON.stringify(s.Resource).includes('repository/mirror/aws-sigv4-proxy'));
    expect(pull).toBeDefined();
  });

  test('its roles are under the backbone\'s boundary (by name) and it forwards to its network\'s store, read from SSM', () => {
    const gateway = backbone.dimseGateway('REM');
    const rem = backbone.trustStack('REM');
    const roles = resources(trust('REM'), 'AWS::IAM::Role').filter((r) => /dimse-gateway/.test(r.Properties.RoleName));
    expect(roles).toHaveLength(2);
    for (const r of roles) expect(JSON.stringify(r.Properties.PermissionsBoundary)).toContain(`:policy/${BackbonePermissionsBoundary.policyName(spec)}`);
    const param = datastoreIdParameter(rem, 'icb-qyg')!;
    expect(rem.resolve(gateway.store.datastoreId)).toEqual({ Ref: param });
    const task = statementsOf(rem, gateway.taskRole as any).flatMap((s) => list(s.Action));
    expect(task).toEqual(expect.arrayContaining(['medical-imaging:StoreDICOM', 'elasticfilesystem:ClientMount', 'elasticfilesystem:ClientWrite']));
  });

  test('the firewall passes DIMSE from each modality host to its trust\'s IMAGING subnet on the gateway port, and nothing else from them', () => {
    const plan = backbone.addressPlan;
    const group = resources(hub.toJSON(), 'AWS::NetworkFirewall::RuleGroup').find((g) => g.Properties.RuleGroupName === 'test-backbone-hub-fw-dimse-prod');
    expect(group).toBeDefined();
    const rg = group.Properties.RuleGroup;
    expect(rg.RuleVariables.IPSets.MODALITIES_REM.Definition).toEqual(['10.20.30.40/32', '10.20.30.41/32']);
    expect(rg.RuleVariables.IPSets.DIMSE_GATEWAY_REM.Definition).toEqual([plan.trustSubnet('REM', TrustSubnet.IMAGING)]);
    expect(rg.RulesSource.RulesString.split('\n')).toEqual([
      `pass tcp $MODALITIES_REM any -> $DIMSE_GATEWAY_REM 11112 (msg:"DIMSE from the modalities of trust REM to its gateway"; sid:${2_000_000 + plan.trustSlot('REM')}; rev:1;)`,
    ]);
    const policy = resources(hub.toJSON(), 'AWS::NetworkFirewall::FirewallPolicy')[0].Properties.FirewallPolicy;
    const priorities = policy.StatefulRuleGroupReferences.map((r: any) => r.Priority);
    expect(priorities).toEqual([...priorities].sort((a: number, b: number) => a - b));
    expect(policy.StatefulDefaultActions).toEqual(['aws:drop_strict', 'aws:alert_strict']);
    // Without modalities there is no DIMSE rule group: every inbound from the HSCN is dropped.
    const otherGroups = resources(json(perTrustBackbone.hubStack), 'AWS::NetworkFirewall::RuleGroup').map((g) => g.Properties.RuleGroupName);
    expect(otherGroups.filter((n: string) => n.includes('fw-dimse'))).toEqual([]);
  });
});

describe('the hub and the spokes serve imaging', () => {
  test('the audit trail records HealthImaging data events for datastores and image sets, within CloudTrail\'s 500 values', () => {
    const trail = resources(hub.toJSON(), 'AWS::CloudTrail::Trail')[0].Properties;
    const types = trail.AdvancedEventSelectors
      .filter((s: any) => s.FieldSelectors.some((f: any) => f.Field === 'eventCategory' && f.Equals?.[0] === 'Data'))
      .map((s: any) => s.FieldSelectors.find((f: any) => f.Field === 'resources.type').Equals[0]);
    // S3 objects outside the log archive, the archive's own (reads, deletes), then DICOM.
    expect(types).toEqual(['AWS::S3::Object', 'AWS::S3::Object', 'AWS::MedicalImaging::Datastore', 'AWS::MedicalImaging::Imageset']);
    const values = trail.AdvancedEventSelectors.flatMap((s: any) => s.FieldSelectors)
      .reduce((n: number, f: any) => n + ['Equals', 'NotEquals', 'StartsWith', 'NotStartsWith', 'EndsWith', 'NotEndsWith']
        .reduce((m, k) => m + (f[k]?.length ?? 0), 0), 0);
    expect(values).toBeLessThanOrEqual(500);
    // No ARN in the HealthImaging selectors: they cover every network at any scale.
    expect(JSON.stringify(trail.AdvancedEventSelectors.slice(-2))).not.toContain('resources.ARN');
  });

  test('interface endpoints for HealthImaging (control plane, runtime, DICOMweb) with private DNS served to every spoke', () => {
    for (const svc of ['medical-imaging', 'runtime-medical-imaging', 'dicom-medical-imaging']) {
      hub.hasResourceProperties('AWS::EC2::VPCEndpoint', {
        ServiceName: `com.amazonaws.eu-west-2.${svc}`,
        VpcEndpointType: 'Interface',
        PrivateDnsEnabled: false,
      });
      hub.hasResourceProperties('AWS::Route53::HostedZone', { Name: `${svc}.eu-west-2.amazonaws.com.` });
      hub.hasResourceProperties('AWS::Route53Profiles::ProfileResourceAssociation', { Name: `test-backbone-hub-dns-${svc}-prod` });
    }
    for (const svc of ['ecr.api', 'ecr.dkr', 'logs', 'secretsmanager', 'sts']) {
      hub.hasResourceProperties('AWS::EC2::VPCEndpoint', { ServiceName: `com.amazonaws.eu-west-2.${svc}` });
    }
  });

  test('each spoke has an S3 gateway endpoint for the account\'s buckets and ECR image layers only', () => {
    const rem = backbone.trustStack('REM');
    const [endpoint] = resources(trust('REM'), 'AWS::EC2::VPCEndpoint');
    expect(endpoint.Properties).toMatchObject({ VpcEndpointType: 'Gateway', VpcId: rem.resolve(backbone.spoke('REM').vpc.vpcId) });
    expect(rem.resolve(endpoint.Properties.ServiceName)).toEqual({ 'Fn::Join': ['', ['com.amazonaws.', { Ref: 'AWS::Region' }, '.s3']] });
    expect(endpoint.Properties.RouteTableIds).toHaveLength(1);
    const [own, layers] = endpoint.Properties.PolicyDocument.Statement;
    expect(own).toMatchObject({ Effect: 'Allow', Action: 's3:*', Condition: { StringEquals: { 'aws:ResourceAccount': ACCOUNT } } });
    expect(layers).toMatchObject({ Effect: 'Allow', Action: 's3:GetObject' });
    expect(layers.Resource).toEqual({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::prod-eu-west-2-starport-layer-bucket/*']] });
    expect(layers.Condition).toBeUndefined();
  });

  test('the permissions boundary lets bounded roles use HealthImaging and mount and write EFS', () => {
    const boundary = resources(hub.toJSON(), 'AWS::IAM::ManagedPolicy')
      .find((p) => p.Properties.ManagedPolicyName === BackbonePermissionsBoundary.policyName(spec));
    const ceiling = boundary.Properties.PolicyDocument.Statement.find((s: any) => s.Sid === 'Ceiling');
    expect(ceiling.Action).toEqual(expect.arrayContaining(['medical-imaging:*', 'elasticfilesystem:ClientMount', 'elasticfilesystem:ClientWrite']));
    expect(list(ceiling.Action)).not.toContain('*');
  });
});
