import { App, Duration, Stack, aws_certificatemanager as acm, aws_ec2 as ec2, aws_elasticloadbalancingv2 as elbv2, aws_iam as iam, aws_kms as kms } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import {
  BackbonePermissionsBoundary, BreakGlassAccess, CiFederation, Cis2SignIn, CustomerManagedKey, WorkloadIdentity,
} from '../../src/aws/identity';
import { Cis2Environment } from '../../src/core/identity';
import { scanStage, scanTemplates } from '../support/aws-iam-scan';
import { expectBackboneError } from '../support/errors';
import { smallSpec, SMALL } from '../support/specs';

const spec = smallSpec();
const env = { region: 'eu-west-2', account: '123456789012' };
const CERT = 'arn:aws:acm:eu-west-2:123456789012:certificate/11111111-2222-3333-4444-555555555555';

// One app, shared by every test: a hub stack and one trust stack, as the Backbone lays them out.
const app = new App();
const hub = new Stack(app, 'Hub', { env });
const boundary = new BackbonePermissionsBoundary(hub, 'Boundary', { spec });
const ci = new CiFederation(hub, 'Ci', { spec });
const breakGlass = new BreakGlassAccess(hub, 'BreakGlass', { spec, alertEmails: ['oncall@nhs.example'] });

const rem = new Stack(app, 'TrustREM', { env });
const remKey = new CustomerManagedKey(rem, 'Key', { spec, odsCode: 'REM' });
const imagingKey = new CustomerManagedKey(rem, 'ImagingKey', { spec, odsCode: 'REM', dataClass: 'imaging', rotationPeriod: Duration.days(180) });
const triage = new WorkloadIdentity(rem, 'AiTriage', { spec, appName: 'ai-triage', odsCode: 'REM' });
const reporting = new WorkloadIdentity(rem, 'RemoteReporting', { spec, appName: 'remote-reporting', odsCode: 'REM' });
remKey.grantEncryptDecrypt(triage);
imagingKey.grantDecrypt(reporting);
const vpc = new ec2.Vpc(rem, 'Vpc', { maxAzs: 2, natGateways: 0, restrictDefaultSecurityGroup: false });
const alb = new elbv2.ApplicationLoadBalancer(rem, 'Edge', { vpc, internetFacing: true });
const listener = alb.addListener('Https', {
  port: 443,
  protocol: elbv2.ApplicationProtocol.HTTPS,
  certificates: [acm.Certificate.fromCertificateArn(rem, 'Cert', CERT)],
  open: true,
});
const tg = new elbv2.ApplicationTargetGroup(rem, 'App', { vpc, port: 8080, protocol: elbv2.ApplicationProtocol.HTTP, targetType: elbv2.TargetType.IP });
new Cis2SignIn(rem, 'Cis2', { spec, appName: 'remote-reporting', listener, next: elbv2.ListenerAction.forward([tg]) });

const hubT = Template.fromStack(hub);
const remT = Template.fromStack(rem);
const hubJson = JSON.stringify(hubT.toJSON());
const remJson = JSON.stringify(remT.toJSON());

/** A stack in a throw-away app, for constructors that must throw (nothing is synthesised). */
function scratch(): Stack {
  return new Stack(new App(), 'Scratch', { env });
}

describe('customer-managed keys', () => {
  test('a trust key: rotated yearly, retained, 30-day deletion window, alias from the naming', () => {
    remT.hasResource('AWS::KMS::Key', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({ EnableKeyRotation: true, RotationPeriodInDays: 365, PendingWindowInDays: 30 }),
    });
    remT.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/test-backbone-rem-key-prod' });
  });

  test('a key per data class has its own alias and rotation period', () => {
    remT.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/test-backbone-rem-key-imaging-prod' });
    remT.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true, RotationPeriodInDays: 180 });
    expect(imagingKey.rotationPeriodDays).toBe(180);
  });

  test('no key is ever deleted by an update: every key in every stack is retained', () => {
    for (const t of [hubT, remT]) {
      const keys = Object.values(t.findResources('AWS::KMS::Key'));
      expect(keys.length).toBeGreaterThan(0);
      for (const k of keys) {
        expect(k.DeletionPolicy).toBe('Retain');
        expect(k.Properties.EnableKeyRotation).toBe(true);
      }
    }
  });

  test('key policies name the account as administrator, allow nothing to a wildcard principal and refuse grants except to AWS services', () => {
    for (const t of [hubT, remT]) {
      for (const k of Object.values(t.findResources('AWS::KMS::Key'))) {
        const statements: any[] = k.Properties.KeyPolicy.Statement;
        for (const s of statements.filter((x) => x.Effect === 'Allow')) {
          expect(JSON.stringify(s.Principal)).not.toMatch(/"\*"/);
        }
        expect(statements).toContainEqual({
          Sid: 'DenyGrantsExceptForAwsServices',
          Effect: 'Deny',
          Principal: { AWS: '*' },
          Action: 'kms:CreateGrant',
          Resource: '*',
          Condition: { BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' } },
        });
        expect(statements[0]).toMatchObject({
          Effect: 'Allow',
          Action: 'kms:*',
          Principal: { AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::123456789012:root']] } },
        });
      }
    }
  });

  test.each([[Duration.days(30)], [Duration.days(89)], [Duration.days(2561)], [Duration.hours(2200)]])('rotation period %s is refused, naming the prop', (d) => {
    expectBackboneError(() => new CustomerManagedKey(scratch(), 'K', { spec, odsCode: 'REM', rotationPeriod: d }),
      /^rotationPeriod: .* is not a KMS rotation period \(whole days from 90 to 2560\)/);
  });

  test('the ends of the KMS range are accepted', () => {
    const s = scratch();
    expect(new CustomerManagedKey(s, 'Min', { spec, rotationPeriod: Duration.days(90) }).rotationPeriodDays).toBe(90);
    expect(new CustomerManagedKey(s, 'Max', { spec, rotationPeriod: Duration.days(2560) }).rotationPeriodDays).toBe(2560);
  });

  test('a bad data class or an unknown trust is refused', () => {
    expectBackboneError(() => new CustomerManagedKey(scratch(), 'K', { spec, odsCode: 'REM', dataClass: 'Imaging Data' }), /^dataClass: /);
    expectBackboneError(() => new CustomerManagedKey(scratch(), 'K', { spec, odsCode: 'XYZ' }), /^odsCode: "XYZ" is not a trust/);
  });
});

describe('grants', () => {
  function policyOf(role: WorkloadIdentity): any[] {
    const roleId = rem.getLogicalId(role.role.node.defaultChild as iam.CfnRole);
    const policies = Object.values(remT.findResources('AWS::IAM::Policy'))
      .filter((p) => JSON.stringify(p.Properties.Roles).includes(roleId));
    return policies.flatMap((p) => p.Properties.PolicyDocument.Statement);
  }

  test('grantEncryptDecrypt gives the app the key data actions on that key only', () => {
    const statements = policyOf(triage);
    expect(statements).toEqual([expect.objectContaining({
      Effect: 'Allow',
      Action: expect.arrayContaining(['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey*']),
      Resource: { 'Fn::GetAtt': [rem.getLogicalId(remKey.key.node.defaultChild as kms.CfnKey), 'Arn'] },
    })]);
  });

  test('grantDecrypt gives decrypt only, on the imaging key only', () => {
    const statements = policyOf(reporting);
    expect(statements).toHaveLength(1);
    expect(statements[0].Action).toBe('kms:Decrypt');
    expect(statements[0].Resource).toEqual({ 'Fn::GetAtt': [rem.getLogicalId(imagingKey.key.node.defaultChild as kms.CfnKey), 'Arn'] });
  });

  test('a grant to anything that is not a backbone workload identity is refused, naming grantee', () => {
    const s = scratch();
    const key = new CustomerManagedKey(s, 'K', { spec, odsCode: 'REM' });
    const handMade = new iam.Role(s, 'HandMade', { assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com') });
    expectBackboneError(() => key.grantEncryptDecrypt(handMade as any), /^grantee: construct Scratch\/HandMade is not a workload identity of the backbone/);
    expectBackboneError(() => key.grantDecrypt(new iam.AnyPrincipal() as any), /^grantee: a AnyPrincipal is not a workload identity/);
    expectBackboneError(() => key.grantEncrypt({ grantPrincipal: new iam.AccountRootPrincipal(), appName: 'x', roleArn: 'a', roleName: 'r' } as any), /^grantee: /);
  });

  test('isWorkloadIdentity tells backbone identities from other constructs', () => {
    expect(WorkloadIdentity.isWorkloadIdentity(triage)).toBe(true);
    expect(WorkloadIdentity.isWorkloadIdentity(ci.role)).toBe(false);
    expect(WorkloadIdentity.isWorkloadIdentity(undefined)).toBe(false);
  });
});

describe('workload identities', () => {
  test('a role per app per trust, named from the spec, under the boundary, assumable by ECS tasks of this account only', () => {
    remT.hasResourceProperties('AWS::IAM::Role', {
      RoleName: 'test-backbone-rem-app-ai-triage-prod',
      MaxSessionDuration: 3600,
      PermissionsBoundary: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::123456789012:policy/test-backbone-hub-boundary-prod']] },
      AssumeRolePolicyDocument: {
        Statement: [{
          Effect: 'Allow',
          Action: 'sts:AssumeRole',
          Principal: { Service: 'ecs-tasks.amazonaws.com' },
          Condition: { StringEquals: { 'aws:SourceAccount': '123456789012' } },
        }],
      },
      Tags: Match.arrayWith([{ Key: 'nhs-backbone:app', Value: 'ai-triage' }, { Key: 'nhs-backbone:role', Value: 'workload' }]),
    });
  });

  test('app roles have no inline or managed policies of their own', () => {
    const roles = Object.values(remT.findResources('AWS::IAM::Role', { Properties: { Tags: Match.arrayWith([{ Key: 'nhs-backbone:role', Value: 'workload' }]) } }));
    expect(roles).toHaveLength(2);
    for (const r of roles) {
      expect(r.Properties.Policies).toBeUndefined();
      expect(r.Properties.ManagedPolicyArns).toBeUndefined();
    }
  });

  test('the boundary the roles name is the one the hub defines', () => {
    expect(BackbonePermissionsBoundary.policyName(spec)).toBe('test-backbone-hub-boundary-prod');
    hubT.hasResourceProperties('AWS::IAM::ManagedPolicy', { ManagedPolicyName: 'test-backbone-hub-boundary-prod' });
    expect(boundary.policy.node.path).toBe('Hub/Boundary/Resource');
  });

  test('an unknown app, a trust the app does not serve, or a bad service principal are refused', () => {
    expectBackboneError(() => new WorkloadIdentity(scratch(), 'W', { spec, appName: 'pacs' }), /^appName: "pacs" is not an app of backbone test-backbone \(one of: ai-triage, remote-reporting\)/);
    expectBackboneError(() => new WorkloadIdentity(scratch(), 'W', { spec, appName: 'remote-reporting', odsCode: 'RBS' }), /^odsCode: "RBS" is not a trust app remote-reporting serves \(REM\)/);
    expectBackboneError(() => new WorkloadIdentity(scratch(), 'W', { spec, appName: 'ai-triage', servicePrincipal: '*' }), /^servicePrincipal: /);
  });
});

describe('permissions boundary', () => {
  const doc = () => Object.values(hubT.findResources('AWS::IAM::ManagedPolicy'))[0].Properties.PolicyDocument;
  const sid = (id: string) => doc().Statement.find((s: any) => s.Sid === id);

  test('its ceiling never allows every action', () => {
    const ceiling = sid('Ceiling');
    expect(ceiling.Effect).toBe('Allow');
    expect(ceiling.Action).not.toContain('*');
    expect(ceiling.Action).toEqual(expect.arrayContaining(['s3:*', 'kms:*', 'medical-imaging:*', 'secretsmanager:GetSecretValue']));
    expect(ceiling.Action).not.toContain('iam:*');
  });

  test('denies long-lived credentials, key destruction, public access changes and audit tampering', () => {
    expect(sid('DenyLongLivedCredentials')).toMatchObject({ Effect: 'Deny', Resource: '*', Action: expect.arrayContaining(['iam:CreateUser', 'iam:CreateAccessKey']) });
    expect(sid('DenyKeyDestruction')).toMatchObject({ Effect: 'Deny', Action: expect.arrayContaining(['kms:ScheduleKeyDeletion', 'kms:DisableKey']) });
    expect(sid('DenyPublicAccessChanges')).toMatchObject({ Effect: 'Deny', Action: ['s3:PutBucketPublicAccessBlock', 's3:PutAccountPublicAccessBlock'] });
    expect(sid('DenyAuditTampering')).toMatchObject({ Effect: 'Deny', Action: ['cloudtrail:StopLogging', 'cloudtrail:DeleteTrail'] });
  });

  test('denies every regional action outside the UK region; global services are exempt', () => {
    const st = sid('DenyOutsideAllowedRegions');
    expect(st).toMatchObject({ Effect: 'Deny', Resource: '*', Condition: { StringNotEquals: { 'aws:RequestedRegion': ['eu-west-2'] } } });
    expect(st.NotAction).toEqual(expect.arrayContaining(['iam:*', 'sts:*', 'route53:*', 'cloudfront:*']));
    expect(st.NotAction).not.toContain('s3:*');
  });

  test('denies changing, removing or escaping itself', () => {
    const selfArn = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::123456789012:policy/test-backbone-hub-boundary-prod']] };
    expect(sid('DenyBoundaryChanges')).toMatchObject({ Effect: 'Deny', Resource: selfArn, Action: expect.arrayContaining(['iam:CreatePolicyVersion', 'iam:SetDefaultPolicyVersion', 'iam:DeletePolicy']) });
    expect(sid('DenyBoundaryRemoval')).toMatchObject({ Effect: 'Deny', Action: ['iam:DeleteRolePermissionsBoundary', 'iam:DeleteUserPermissionsBoundary'] });
    expect(sid('DenyRolesWithoutThisBoundary')).toMatchObject({ Effect: 'Deny', Condition: { StringNotEquals: { 'iam:PermissionsBoundary': selfArn } } });
  });

  test('uk-eea residency lets roles act in the EEA regions too; "*" in the ceiling is refused', () => {
    const s = scratch();
    const eea = smallSpec({ residency: 'uk-eea' as any });
    new BackbonePermissionsBoundary(s, 'B', { spec: eea });
    const st = Template.fromStack(s).findResources('AWS::IAM::ManagedPolicy');
    const region = Object.values(st)[0].Properties.PolicyDocument.Statement.find((x: any) => x.Sid === 'DenyOutsideAllowedRegions');
    expect(region.Condition.StringNotEquals['aws:RequestedRegion']).toEqual(expect.arrayContaining(['eu-west-2', 'eu-west-1']));
    expectBackboneError(() => new BackbonePermissionsBoundary(scratch(), 'B', { spec, allowedActions: ['s3:*', '*'] }), /^allowedActions\[1\]: "\*" is not an IAM action of one service/);
  });
});

describe('CI federation', () => {
  test('uses the native AWS::IAM::OIDCProvider for GitHub Actions, audience STS, and no custom resource or Lambda', () => {
    hubT.hasResourceProperties('AWS::IAM::OIDCProvider', {
      Url: 'https://token.actions.githubusercontent.com',
      ClientIdList: ['sts.amazonaws.com'],
    });
    expect(hubJson).not.toMatch(/Custom::AWSCDKOpenIdConnectProvider|AWS::Lambda::Function/);
  });

  test('the deploy role trusts the provider only for the spec subject (StringEquals) and the STS audience', () => {
    hubT.hasResourceProperties('AWS::IAM::Role', {
      RoleName: 'test-backbone-hub-ci-deploy-prod',
      MaxSessionDuration: 3600,
      PermissionsBoundary: Match.anyValue(),
      AssumeRolePolicyDocument: {
        Statement: [{
          Effect: 'Allow',
          Action: 'sts:AssumeRoleWithWebIdentity',
          Principal: { Federated: { Ref: hub.getLogicalId(ci.provider.node.defaultChild as iam.CfnOIDCProvider) } },
          Condition: {
            StringEquals: {
              'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
              'token.actions.githubusercontent.com:sub': SMALL.identity!.ci!.subject,
            },
          },
        }],
      },
    });
  });

  test('the deploy role may only assume the CDK bootstrap roles of this account in the UK region', () => {
    const policies = Object.values(hubT.findResources('AWS::IAM::Policy'))
      .filter((p) => JSON.stringify(p.Properties.Roles).includes('CiRole') || JSON.stringify(p.Properties.Roles).includes(hub.getLogicalId(ci.role.node.defaultChild as iam.CfnRole)));
    const statements = policies.flatMap((p) => p.Properties.PolicyDocument.Statement);
    expect(statements).toHaveLength(1);
    expect(statements[0].Action).toBe('sts:AssumeRole');
    const arn = (name: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::123456789012:role/${name}`]] });
    expect(statements[0].Resource).toEqual(['deploy', 'file-publishing', 'image-publishing', 'lookup']
      .map((r) => arn(`cdk-hnb659fds-${r}-role-123456789012-eu-west-2`)));
  });

  test('a wildcard after the repository is matched with StringLike; the audience stays StringEquals', () => {
    const s = scratch();
    new CiFederation(s, 'Ci', { spec, subject: 'repo:nhs-example/test-backbone:ref:refs/tags/v*' });
    Template.fromStack(s).hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [Match.objectLike({
          Condition: {
            StringEquals: { 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com' },
            StringLike: { 'token.actions.githubusercontent.com:sub': 'repo:nhs-example/test-backbone:ref:refs/tags/v*' },
          },
        })],
      },
    });
  });

  test('an existing provider is reused by ARN (one per issuer per account)', () => {
    const s = scratch();
    new CiFederation(s, 'Ci', { spec, existingProviderArn: 'arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com' });
    const t = Template.fromStack(s);
    t.resourceCountIs('AWS::IAM::OIDCProvider', 0);
    t.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Federated: 'arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com' } })] },
    });
  });

  test.each(['*', 'repo:*', 'repo:nhs-example/*:ref:refs/heads/main', ''])('subject %j is refused, naming the prop', (subject) => {
    expectBackboneError(() => new CiFederation(scratch(), 'Ci', { spec, subject }), /^subject: /);
  });

  test('no CI section and no subject prop is refused', () => {
    expectBackboneError(() => new CiFederation(scratch(), 'Ci', { spec: smallSpec({ identity: { cis2: SMALL.identity!.cis2 } }) }), /^identity\.ci: is not set/);
  });
});

describe('CIS2 sign-in at the edge', () => {
  const actions = () => Object.values(remT.findResources('AWS::ElasticLoadBalancingV2::Listener'))[0].Properties.DefaultActions;

  test('the HTTPS listener authenticates with CIS2 (integration) before forwarding', () => {
    const int = Cis2Environment.INTEGRATION;
    remT.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Protocol: 'HTTPS', Port: 443 });
    const [auth, forward] = actions();
    expect(auth).toEqual({
      Type: 'authenticate-oidc',
      Order: 1,
      AuthenticateOidcConfig: {
        Issuer: int.issuer,
        AuthorizationEndpoint: int.authorizationEndpoint,
        TokenEndpoint: int.tokenEndpoint,
        UserInfoEndpoint: int.userInfoEndpoint,
        ClientId: 'test-backbone-edge',
        ClientSecret: '{{resolve:secretsmanager:cis2-client-secret:SecretString:::}}',
        Scope: 'openid profile nationalrbacaccess associatedorgs selectedrole',
        AuthenticationRequestExtraParams: { acr_values: 'AAL2_OR_AAL3_ANY' },
        OnUnauthenticatedRequest: 'authenticate',
        SessionCookieName: 'nhs-backbone-remote-reporting-session',
        SessionTimeout: '43200',
      },
    });
    expect(forward).toMatchObject({ Type: 'forward', Order: 2 });
  });

  test('the client secret is only ever a dynamic reference to Secrets Manager', () => {
    const refs = remJson.match(/\{\{resolve:[^}]+\}\}/g) ?? [];
    expect(refs).toEqual(['{{resolve:secretsmanager:cis2-client-secret:SecretString:::}}']);
    expect(remJson).not.toMatch(/"ClientSecret":"(?!\{\{resolve:secretsmanager:)/);
  });

  test('live is selectable by name; a rule with conditions serves one host among several', () => {
    const s = scratch();
    const v = new ec2.Vpc(s, 'Vpc', { maxAzs: 2, natGateways: 0, restrictDefaultSecurityGroup: false });
    const l = new elbv2.ApplicationLoadBalancer(s, 'Alb', { vpc: v, internetFacing: true }).addListener('Https', {
      port: 443, certificates: [elbv2.ListenerCertificate.fromArn(CERT)], defaultAction: elbv2.ListenerAction.fixedResponse(404),
    });
    const live = smallSpec({ identity: { cis2: { environment: 'live', clientId: 'edge', clientSecretName: 'edge-cis2', assurance: 'AAL3_ANY' } } });
    new Cis2SignIn(s, 'Cis2', {
      spec: live,
      appName: 'remote-reporting',
      listener: l,
      next: elbv2.ListenerAction.fixedResponse(200),
      conditions: [elbv2.ListenerCondition.hostHeaders(['reporting.example.nhs.uk'])],
      priority: 10,
    });
    Template.fromStack(s).hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerRule', {
      Priority: 10,
      Actions: Match.arrayWith([Match.objectLike({
        Type: 'authenticate-oidc',
        AuthenticateOidcConfig: Match.objectLike({
          Issuer: Cis2Environment.LIVE.issuer,
          TokenEndpoint: 'https://am.nhsidentity.spineservices.nhs.uk/openam/oauth2/realms/root/realms/NHSIdentity/realms/Healthcare/access_token',
          ClientSecret: '{{resolve:secretsmanager:edge-cis2:SecretString:::}}',
          AuthenticationRequestExtraParams: { acr_values: 'AAL3_ANY' },
        }),
      })]),
    });
  });

  test('an unknown CIS2 environment, an app without internet ingress and an HTTP listener are refused', () => {
    const s = scratch();
    const v = new ec2.Vpc(s, 'Vpc', { maxAzs: 2, natGateways: 0 });
    const lb = new elbv2.ApplicationLoadBalancer(s, 'Alb', { vpc: v });
    const https = lb.addListener('Https', { port: 443, certificates: [elbv2.ListenerCertificate.fromArn(CERT)] });
    const http = lb.addListener('Http', { port: 80 });
    const next = elbv2.ListenerAction.fixedResponse(200);
    expectBackboneError(() => new Cis2SignIn(s, 'A', { spec, appName: 'remote-reporting', listener: https, next, environment: 'prod' }),
      /^environment: "prod" is not a CIS2 environment \(one of: live, integration\)/);
    expectBackboneError(() => new Cis2SignIn(s, 'B', { spec, appName: 'ai-triage', listener: https, next }), /^appName: app "ai-triage" has ingress none/);
    expectBackboneError(() => new Cis2SignIn(s, 'C', { spec, appName: 'remote-reporting', listener: http, next }), /^listener: is an HTTP listener/);
    expectBackboneError(() => new Cis2SignIn(s, 'D', { spec, appName: 'remote-reporting', listener: https, next, priority: 5 }), /^conditions: /);
  });
});

describe('break-glass', () => {
  test('one emergency role: account only, MFA within the hour, one-hour sessions, tagged and described', () => {
    hubT.hasResourceProperties('AWS::IAM::Role', {
      RoleName: 'test-backbone-hub-break-glass-prod',
      MaxSessionDuration: 3600,
      Description: Match.stringLikeRegexp('^nhs-backbone test-backbone: BREAK-GLASS emergency access'),
      AssumeRolePolicyDocument: {
        Statement: [{
          Effect: 'Allow',
          Action: 'sts:AssumeRole',
          Principal: { AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::123456789012:root']] } },
          Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' }, NumericLessThan: { 'aws:MultiFactorAuthAge': 3600 } },
        }],
      },
      Tags: Match.arrayWith([{ Key: 'nhs-backbone:role', Value: 'break-glass' }]),
    });
    const roles = Object.values(hubT.findResources('AWS::IAM::Role', { Properties: { Tags: Match.arrayWith([{ Key: 'nhs-backbone:role', Value: 'break-glass' }]) } }));
    expect(roles).toHaveLength(1);
  });

  test('its use (AssumeRole of that role ARN in CloudTrail) alerts on a topic encrypted with a customer key', () => {
    const roleId = hub.getLogicalId(breakGlass.role.node.defaultChild as iam.CfnRole);
    const topicId = hub.getLogicalId(breakGlass.topic.node.defaultChild as any);
    hubT.hasResourceProperties('AWS::Events::Rule', {
      State: 'ENABLED',
      EventPattern: {
        'source': ['aws.sts'],
        'detail-type': ['AWS API Call via CloudTrail'],
        'detail': { eventSource: ['sts.amazonaws.com'], eventName: ['AssumeRole'], requestParameters: { roleArn: [{ 'Fn::GetAtt': [roleId, 'Arn'] }] } },
      },
      Targets: [Match.objectLike({ Arn: { Ref: topicId } })],
    });
    const keyId = hub.getLogicalId(breakGlass.key.key.node.defaultChild as kms.CfnKey);
    hubT.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] } });
    hubT.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'oncall@nhs.example', TopicArn: { Ref: topicId } });
    // EventBridge may use the key to publish to the topic; the key is the backbone's own, retained and rotated.
    const key = hubT.findResources('AWS::KMS::Key')[keyId];
    expect(key.DeletionPolicy).toBe('Retain');
    expect(key.Properties.EnableKeyRotation).toBe(true);
    expect(key.Properties.KeyPolicy.Statement).toEqual(expect.arrayContaining([expect.objectContaining({
      Effect: 'Allow',
      Principal: { Service: 'events.amazonaws.com' },
      Action: expect.arrayContaining(['kms:GenerateDataKey*', 'kms:Decrypt']),
    })]));
    hubT.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/test-backbone-hub-key-alerts-prod' });
  });

  test('trusted principals narrow who may assume it; bad ARNs are refused', () => {
    const s = scratch();
    new BreakGlassAccess(s, 'Bg', { spec, trustedPrincipalArns: ['arn:aws:iam::123456789012:user/break-glass-1'] });
    Template.fromStack(s).hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Condition: Match.objectLike({ ArnEquals: { 'aws:PrincipalArn': ['arn:aws:iam::123456789012:user/break-glass-1'] } }) })] },
    });
    expectBackboneError(() => new BreakGlassAccess(scratch(), 'Bg', { spec, trustedPrincipalArns: ['*'] }), /^trustedPrincipalArns\[0\]: /);
    expectBackboneError(() => new BreakGlassAccess(scratch(), 'Bg', { spec, alertEmails: ['not-an-email'] }), /^alertEmails\[0\]: /);
  });
});

describe('IAM scan', () => {
  test('nothing the identity constructs synthesise grants all actions on all resources, nor admin to an app role', () => {
    expect(scanStage(app)).toEqual([]);
  });

  test('the only admin policy is the break-glass role, and the scan sees it when not exempted', () => {
    const findings = scanStage(app, { adminAllowedRoleKinds: [] });
    expect(findings).toEqual([expect.objectContaining({
      rule: 'admin-managed-policy',
      logicalId: hub.getLogicalId(breakGlass.role.node.defaultChild as iam.CfnRole),
      detail: expect.stringContaining(':iam::aws:policy/AdministratorAccess attached'),
    })]);
  });

  test('the scan flags *:* policies, admin managed policies on app roles, and public principals', () => {
    const s = scratch();
    const bad = new iam.Role(s, 'AppRole', {
      assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com'),
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('PowerUserAccess')],
      inlinePolicies: { all: new iam.PolicyDocument({ statements: [new iam.PolicyStatement({ actions: ['*'], resources: ['*'] })] }) },
    });
    // CDK refuses '*:*' in a PolicyStatement; write it raw, as a hand-written template would.
    new iam.CfnPolicy(s, 'Raw', { policyName: 'raw', roles: [bad.roleName], policyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*:*', Resource: '*' }] } });
    new iam.ManagedPolicy(s, 'Loose', { statements: [new iam.PolicyStatement({ notActions: ['iam:*'], resources: ['*'] })] });
    new kms.Key(s, 'Open').addToResourcePolicy(new iam.PolicyStatement({ principals: [new iam.AnyPrincipal()], actions: ['kms:Decrypt'], resources: ['*'] }));
    const findings = scanTemplates({ Scratch: Template.fromStack(s).toJSON() });
    expect(findings.map((f) => `${f.type} ${f.rule}`).sort()).toEqual([
      'AWS::IAM::ManagedPolicy all-actions-all-resources',
      'AWS::IAM::Policy all-actions-all-resources',
      'AWS::IAM::Role admin-managed-policy',
      'AWS::IAM::Role all-actions-all-resources',
      'AWS::KMS::Key public-principal',
    ]);
  });
});
