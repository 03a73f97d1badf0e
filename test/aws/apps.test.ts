import { App, Stack, aws_elasticloadbalancingv2 as elbv2 } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import {
  AppIngressFirewallRules, AppStore, HscnAppIngress, InternetAppEdge, SpecialistApp,
} from '../../src/aws/apps';
import { Backbone } from '../../src/aws/backbone';
import { CustomerManagedKey } from '../../src/aws/identity/customer-managed-key';
import { WorkloadIdentity } from '../../src/aws/identity/workload-identity';
import { CentralLogStore } from '../../src/aws/logging/central-log-store';
import { TrustBackup } from '../../src/aws/storage/trust-backup';
import { Cidr } from '../../src/core/cidr';
import { ACKNOWLEDGEMENTS_KEY } from '../../src/core/compliance';
import { RecordsCategory } from '../../src/core/retention';
import { AppIngress } from '../../src/core/spec';
import { scanStage } from '../support/aws-iam-scan';
import { expectBackboneError } from '../support/errors';
import { smallSpec } from '../support/specs';

const ACCOUNT = '123456789012';
const REGION = 'eu-west-2';
const CERT = `arn:aws:acm:${REGION}:${ACCOUNT}:certificate/0f2a6a52-1c1e-4d6e-9d7b-5b2c3d4e5f60`;
const DOMAIN = 'reporting.example.nhs.uk';

// Four apps, one of each shape: no ingress with a store in every trust; HSCN
// ingress with a legally held store in one trust; internet ingress for two
// trusts (host rules) and for one (default action).
const spec = smallSpec({
  apps: [
    { name: 'ai-triage', trusts: ['*'], dicomweb: 'read' as any, ingress: 'none' as any, store: { category: 'imaging' } },
    { name: 'pacs-viewer', trusts: ['REM'], dicomweb: 'read' as any, ingress: 'hscn' as any, store: { category: 'adult', legalHold: true } },
    { name: 'remote-reporting', trusts: ['REM', 'RBS'], dicomweb: 'read' as any, ingress: 'internet' as any },
    { name: 'clinic-portal', trusts: ['R0A'], ingress: 'internet' as any },
  ],
});

// The wiring the Backbone is to do, built once. The app runs CDK's built-in
// CloudFormation validation (schema and rules) over every template it makes.
const app = new App({
  analyticsReporting: false,
  context: {
    '@aws-cdk/core:validateAgainstDefaultRules': true,
    'aws:cdk:version-reporting': false,
    'aws:cdk:disable-stack-trace': true,
  },
});
const backbone = new Backbone(app, 'Backbone', {
  spec,
  account: ACCOUNT,
  appIngress: {
    'pacs-viewer': { certificateArn: CERT },
    'remote-reporting': { certificateArn: CERT, domainName: DOMAIN },
    'clinic-portal': { certificateArn: CERT },
  },
});
const plan = backbone.addressPlan;
const edgeNetwork = backbone.appEdgeNetwork!;
const firewallRules = backbone.appIngressRules!;
const edgeStacks = new Map<string, Stack>(['remote-reporting', 'clinic-portal'].map((n) => [n, backbone.edgeStack(n)]));
const apps = new Map<string, SpecialistApp>(spec.apps.map((a) => [a.name, backbone.app(a.name)]));
const REM_TARGET = Cidr.parse(plan.appSubnet('REM', 'remote-reporting')).address(10);
apps.get('remote-reporting')!.edge!.addTargetIp('REM', REM_TARGET);
const PACS_TARGET = Cidr.parse(plan.appSubnet('REM', 'pacs-viewer')).address(20);
const pacsIngress = backbone.trustStack('REM').node.findChild('AppIngress-pacs-viewer') as HscnAppIngress;
pacsIngress.addTargetIp(PACS_TARGET);

const assembly = app.synth();
const templateOf = (stack: Stack) => assembly.getStackArtifact(stack.artifactId).template;
const hub = Template.fromJSON(templateOf(backbone.hubStack));
const trust = new Map(spec.trusts.map((t) => [t.odsCode, Template.fromJSON(templateOf(backbone.trustStack(t.odsCode)))]));
const edgeOf = (name: string) => Template.fromJSON(templateOf(edgeStacks.get(name)!));
const iamFindings = scanStage(app);

const res = (t: Template, type: string): Array<[string, any]> => Object.entries(t.findResources(type));
const list = (x: any): any[] => (Array.isArray(x) ? x : x === undefined ? [] : [x]);
const logicalId = (stack: Stack, c: any) => stack.getLogicalId(c.node.defaultChild);
const attrs = (lb: any): { [k: string]: string } => Object.fromEntries(lb.Properties.LoadBalancerAttributes.map((a: any) => [a.Key, a.Value]));
const acks = (r: any): Array<{ ruleId: string; reason: string }> => r.Metadata?.[ACKNOWLEDGEMENTS_KEY] ?? [];

describe('HSCN ingress', () => {
  const rem = trust.get('REM')!;
  const remStack = backbone.trustStack('REM');
  const lbId = logicalId(remStack, pacsIngress.loadBalancer);
  const lb = rem.toJSON().Resources[lbId];
  const sgId = logicalId(remStack, pacsIngress.securityGroup);
  const appSgId = logicalId(remStack, pacsIngress.attachment.securityGroup);

  test('an internal load balancer in the trust\'s workload subnets, protected and strict on headers', () => {
    expect(lb.Properties.Scheme).toBe('internal');
    const workload = backbone.spoke('REM').subnetsFor('workload' as any).map((s) => remStack.resolve(s.subnetId));
    expect(lb.Properties.Subnets).toEqual(workload);
    const a = attrs(lb);
    expect(a['deletion_protection.enabled']).toBe('true');
    expect(a['routing.http.drop_invalid_header_fields.enabled']).toBe('true');
    expect(a['routing.http.desync_mitigation_mode']).toBe('strictest');
    expect(a['access_logs.s3.enabled']).toBeUndefined();
  });

  test('one HTTPS listener on 443 with the certificate and a TLS 1.2+ policy, forwarding to the app\'s targets', () => {
    const listeners = res(rem, 'AWS::ElasticLoadBalancingV2::Listener').filter(([, l]) => l.Properties.LoadBalancerArn.Ref === lbId);
    expect(listeners).toHaveLength(1);
    const [, l] = listeners[0];
    expect(l.Properties).toMatchObject({ Protocol: 'HTTPS', Port: 443, Certificates: [{ CertificateArn: CERT }] });
    expect(l.Properties.SslPolicy).toBe('ELBSecurityPolicy-TLS13-1-2-2021-06');
    expect(l.Properties.DefaultActions).toEqual([{ Type: 'forward', TargetGroupArn: { Ref: logicalId(remStack, pacsIngress.targetGroup) } }]);
    rem.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      TargetType: 'ip',
      Protocol: 'HTTPS',
      Port: 8443,
      Targets: [{ Id: PACS_TARGET }],
    });
  });

  test('the load balancer admits 443 from the HSCN range only and reaches only the app\'s /27', () => {
    const sg = rem.toJSON().Resources[sgId].Properties;
    expect(sg.SecurityGroupIngress.length).toBeGreaterThan(0);
    const hscn = Cidr.parse('10.0.0.0/8');
    for (const rule of sg.SecurityGroupIngress) {
      expect(rule).toMatchObject({ IpProtocol: 'tcp', FromPort: 443, ToPort: 443 });
      expect(rule.CidrIp).not.toBe('0.0.0.0/0');
      expect(hscn.contains(Cidr.parse(rule.CidrIp))).toBe(true);
    }
    expect(sg.SecurityGroupEgress).toEqual([expect.objectContaining({ CidrIp: plan.appSubnet('REM', 'pacs-viewer'), FromPort: 8443, ToPort: 8443 })]);
    // No other ingress is attached to it (no separate ingress resources, no open listener).
    expect(res(rem, 'AWS::EC2::SecurityGroupIngress').filter(([, r]) => r.Properties.GroupId?.['Fn::GetAtt']?.[0] === sgId)).toHaveLength(0);
  });

  test('the app\'s security group admits the target port from its load balancer only', () => {
    const rules = res(rem, 'AWS::EC2::SecurityGroupIngress').filter(([, r]) => r.Properties.GroupId?.['Fn::GetAtt']?.[0] === appSgId);
    expect(rules.map(([, r]) => r.Properties)).toEqual([expect.objectContaining({
      FromPort: 8443, ToPort: 8443, SourceSecurityGroupId: { 'Fn::GetAtt': [sgId, 'GroupId'] },
    })]);
    expect(rem.toJSON().Resources[appSgId].Properties.SecurityGroupIngress).toBeUndefined();
  });

  test('access logs go to the central log archive by vended delivery, and the load balancer says why', () => {
    rem.hasResourceProperties('AWS::Logs::DeliverySource', { LogType: 'ALB_ACCESS_LOGS', ResourceArn: { Ref: lbId } });
    const dest = res(rem, 'AWS::Logs::DeliveryDestination').map(([, d]) => d.Properties.DestinationResourceArn);
    expect(dest).toContainEqual(remStack.resolve(CentralLogStore.bucketArn(spec)));
    const deliveries = res(rem, 'AWS::Logs::Delivery').map(([, d]) => JSON.stringify(d.Properties.S3SuffixPath));
    expect(deliveries.some((p) => p.includes('alb-access-logs/rem/pacs-viewer/AWSLogs/'))).toBe(true);
    expect(acks(lb).map((a) => a.ruleId)).toContain('NHS-LOG-1');
  });

  test('the hub firewall passes 443 from the HSCN (not the backbone\'s pool) to the trust\'s workload block, at priority 120', () => {
    const rule = firewallRules.rules.find((r) => r.includes('trust REM'))!;
    expect(rule).toContain(`[10.0.0.0/8,!${plan.addressPool}]`);
    expect(rule).toMatch(/-> \$LB_REM 443 /);
    hub.hasResourceProperties('AWS::NetworkFirewall::RuleGroup', {
      RuleGroup: { RuleVariables: { IPSets: { LB_REM: { Definition: [plan.trustSubnet('REM', 'workload' as any)] } } } },
    });
    const policy = res(hub, 'AWS::NetworkFirewall::FirewallPolicy')[0][1].Properties.FirewallPolicy;
    expect(policy.StatefulRuleGroupReferences).toContainEqual({
      ResourceArn: { 'Fn::GetAtt': [backbone.hubStack.getLogicalId(firewallRules.ruleGroup!), 'RuleGroupArn'] }, Priority: 120,
    });
  });

  test('the firewall rules are read at synthesis: an app added in code later is passed too', () => {
    const late = smallSpec({ apps: [{ name: 'pacs-viewer', trusts: ['REM'], ingress: 'hscn' as any }] });
    const latePlan = late.addressPlan();
    const stack = new Stack(new App(), 'LateHub');
    const rules = new AppIngressFirewallRules(stack, 'Rules', { spec: late, addressPlan: latePlan });
    late.addApp({ name: 'late-portal', trusts: ['RBS'], ingress: 'internet' as any });
    latePlan.allocateApp('late-portal');
    rules.setTargetPort('late-portal', 9443);
    const group = Template.fromStack(stack).toJSON().Resources[stack.getLogicalId(rules.ruleGroup!)].Properties.RuleGroup;
    expect(group.RulesSource.RulesString).toMatch(/-> \$EDGE_TO_LATE_PORTAL 9443 /);
    expect(group.RuleVariables.IPSets.EDGE_TO_LATE_PORTAL.Definition).toEqual([latePlan.appSubnet('RBS', 'late-portal')]);
    expect(() => rules.setTargetPort('pacs-viewer', 9443)).toThrow(/appName: "pacs-viewer" is not an app with internet ingress/);
  });

  test('only the trusts the app serves get an ingress', () => {
    for (const ods of ['RBS', 'R0A']) {
      const lbs = res(trust.get(ods)!, 'AWS::ElasticLoadBalancingV2::LoadBalancer');
      expect(lbs).toHaveLength(0);
    }
  });
});

describe('internet ingress', () => {
  const rr = edgeOf('remote-reporting');
  const rrStack = edgeStacks.get('remote-reporting')!;
  const rrEdge = apps.get('remote-reporting')!.edge!;
  const lbId = logicalId(rrStack, rrEdge.loadBalancer);
  const listeners = res(rr, 'AWS::ElasticLoadBalancingV2::Listener');
  const https = listeners.find(([, l]) => l.Properties.Protocol === 'HTTPS')!;
  const cis2 = spec.identity.cis2!;

  test('an internet-facing load balancer in the hub\'s public edge subnets, protected', () => {
    const lb = rr.toJSON().Resources[lbId];
    expect(lb.Properties.Scheme).toBe('internet-facing');
    const a = attrs(lb);
    expect(a['deletion_protection.enabled']).toBe('true');
    expect(a['routing.http.drop_invalid_header_fields.enabled']).toBe('true');
    expect(lb.Properties.Subnets).toHaveLength(3);
    // The edge subnets' ids are read at deploy time from the SSM parameters the hub publishes.
    const params = rr.toJSON().Parameters;
    expect(lb.Properties.Subnets.map((s: any) => params[s.Ref].Default)).toEqual(
      [1, 2, 3].map((i) => `/nhs-backbone/test-backbone/prod/hub/edge-subnet-${i}-id`));
    hub.hasResourceProperties('AWS::SSM::Parameter', {
      Name: '/nhs-backbone/test-backbone/prod/hub/edge-subnet-1-id',
      Value: { Ref: backbone.hubStack.getLogicalId(edgeNetwork.subnets[0]) },
    });
  });

  test('the public edge subnets are in the hub VPC, from its egress block, routed like the NAT subnets', () => {
    const egress = Cidr.parse(plan.hubSubnet('egress' as any));
    for (const cidr of edgeNetwork.cidrs) {
      expect(egress.contains(Cidr.parse(cidr))).toBe(true);
      hub.hasResourceProperties('AWS::EC2::Subnet', { CidrBlock: cidr, MapPublicIpOnLaunch: false });
    }
    const natRouteTables = backbone.hub.vpc.selectSubnets({ subnetGroupName: 'egress' }).subnets.map((s) => backbone.hubStack.resolve(s.routeTable.routeTableId));
    const assoc = res(hub, 'AWS::EC2::SubnetRouteTableAssociation')
      .filter(([, r]) => edgeNetwork.subnets.some((s) => r.Properties.SubnetId.Ref === backbone.hubStack.getLogicalId(s)));
    expect(assoc.map(([, r]) => r.Properties.RouteTableId)).toEqual(natRouteTables);
    // NAT subnets (/28) and edge subnets (/26) do not overlap.
    const nat = backbone.hub.vpc.publicSubnets.map((s) => Cidr.parse(s.ipv4CidrBlock));
    for (const e of edgeNetwork.cidrs) for (const n of nat) expect(Cidr.parse(e).overlaps(n)).toBe(false);
  });

  test('HTTPS with a TLS 1.2+ policy; HTTP only redirects to HTTPS', () => {
    expect(listeners).toHaveLength(2);
    expect(https[1].Properties).toMatchObject({ Port: 443, SslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06', Certificates: [{ CertificateArn: CERT }] });
    const http = listeners.find(([, l]) => l.Properties.Protocol === 'HTTP')![1];
    expect(http.Properties.Port).toBe(80);
    expect(http.Properties.DefaultActions).toEqual([{ Type: 'redirect', RedirectConfig: expect.objectContaining({ Protocol: 'HTTPS', Port: '443', StatusCode: 'HTTP_301' }) }]);
    for (const [, rule] of res(rr, 'AWS::ElasticLoadBalancingV2::ListenerRule')) {
      expect(rule.Properties.ListenerArn).toEqual({ Ref: https[0] });
    }
  });

  test('CIS2 sign-in comes before every forward, on the default action and on each trust\'s host rule', () => {
    const actionLists = [
      https[1].Properties.DefaultActions,
      ...res(rr, 'AWS::ElasticLoadBalancingV2::ListenerRule').map(([, r]) => r.Properties.Actions),
    ];
    let forwards = 0;
    for (const actions of actionLists) {
      const sorted = [...actions].sort((a: any, b: any) => a.Order - b.Order);
      expect(sorted[0].Type).toBe('authenticate-oidc');
      expect(sorted[0].AuthenticateOidcConfig).toMatchObject({
        Issuer: 'https://am.nhsint.auth-ptl.cis2.spineservices.nhs.uk:443/openam/oauth2/realms/root/realms/NHSIdentity/realms/Healthcare',
        ClientId: cis2.clientId,
        OnUnauthenticatedRequest: 'authenticate',
        AuthenticationRequestExtraParams: { acr_values: 'AAL2_OR_AAL3_ANY' },
      });
      expect(sorted[0].AuthenticateOidcConfig.ClientSecret).toMatch(/^\{\{resolve:secretsmanager:cis2-client-secret:SecretString/);
      forwards += sorted.filter((a: any) => a.Type === 'forward').length;
    }
    expect(forwards).toBe(2); // one per trust served
    // Multi-trust: the default signs in, then answers 404; each trust has its host.
    expect(https[1].Properties.DefaultActions.map((a: any) => a.Type)).toEqual(['authenticate-oidc', 'fixed-response']);
    const hosts = res(rr, 'AWS::ElasticLoadBalancingV2::ListenerRule').map(([, r]) => r.Properties.Conditions[0].HostHeaderConfig.Values[0]).sort();
    expect(hosts).toEqual([`rbs.${DOMAIN}`, `rem.${DOMAIN}`]);
  });

  test('one trust: the default action signs in with CIS2, then forwards to that trust\'s targets', () => {
    const portal = edgeOf('clinic-portal');
    const stack = edgeStacks.get('clinic-portal')!;
    const l = res(portal, 'AWS::ElasticLoadBalancingV2::Listener').find(([, x]) => x.Properties.Protocol === 'HTTPS')![1];
    const actions = [...l.Properties.DefaultActions].sort((a: any, b: any) => a.Order - b.Order);
    expect(actions.map((a: any) => a.Type)).toEqual(['authenticate-oidc', 'forward']);
    expect(actions[1].TargetGroupArn).toEqual({ Ref: logicalId(stack, apps.get('clinic-portal')!.edge!.targetGroupIn('R0A')) });
    expect(res(portal, 'AWS::ElasticLoadBalancingV2::ListenerRule')).toHaveLength(0);
  });

  test('a WAF web ACL with the managed rule groups and a rate limit is on the load balancer, logging encrypted', () => {
    const [aclId, acl] = res(rr, 'AWS::WAFv2::WebACL')[0];
    expect(acl.Properties.Scope).toBe('REGIONAL');
    const groups = acl.Properties.Rules.filter((r: any) => r.Statement.ManagedRuleGroupStatement)
      .map((r: any) => r.Statement.ManagedRuleGroupStatement.Name);
    expect(groups).toEqual(expect.arrayContaining([
      'AWSManagedRulesCommonRuleSet', 'AWSManagedRulesKnownBadInputsRuleSet', 'AWSManagedRulesAmazonIpReputationList', 'AWSManagedRulesSQLiRuleSet',
    ]));
    expect(acl.Properties.Rules.find((r: any) => r.Statement.RateBasedStatement)).toMatchObject({
      Action: { Block: {} }, Statement: { RateBasedStatement: { Limit: 1000, AggregateKeyType: 'IP' } },
    });
    rr.hasResourceProperties('AWS::WAFv2::WebACLAssociation', { ResourceArn: { Ref: lbId }, WebACLArn: { 'Fn::GetAtt': [aclId, 'Arn'] } });
    const [, group] = res(rr, 'AWS::Logs::LogGroup')[0];
    expect(group.Properties.LogGroupName).toMatch(/^aws-waf-logs-/);
    expect(group.Properties.KmsKeyId).toEqual({ 'Fn::GetAtt': [logicalId(rrStack, rrEdge.logKey.key), 'Arn'] });
    expect(group.Properties.RetentionInDays).toBeGreaterThanOrEqual(365);
    expect(res(rr, 'AWS::Logs::LogGroup')[0][1].DeletionPolicy).toBe('Retain');
    rr.hasResourceProperties('AWS::WAFv2::LoggingConfiguration', { ResourceArn: { 'Fn::GetAtt': [aclId, 'Arn'] } });
  });

  test('the security group admits 443 and 80 from anywhere, a declared edge for NHS-NET-1', () => {
    const [, sg] = res(rr, 'AWS::EC2::SecurityGroup')[0];
    const ports = sg.Properties.SecurityGroupIngress.map((r: any) => [r.CidrIp, r.FromPort]).sort();
    expect(ports).toEqual([['0.0.0.0/0', 443], ['0.0.0.0/0', 80]]);
    // Out: the app's targets (through the hub firewall), and CIS2's token and user-info endpoints (added for authenticate-oidc).
    expect(sg.Properties.SecurityGroupEgress).toEqual([
      expect.objectContaining({ CidrIp: plan.addressPool, FromPort: 8443, ToPort: 8443 }),
      expect.objectContaining({ CidrIp: '0.0.0.0/0', FromPort: 443, ToPort: 443, Description: 'Allow to IdP endpoint' }),
    ]);
    // A declared edge (tags + the stack's record), checked by NHS-NET-1 rather than acknowledged.
    const tagsOf = (r: any) => Object.fromEntries((r.Properties.Tags ?? []).map((t: any) => [t.Key, t.Value]));
    for (const r of [sg, rr.toJSON().Resources[lbId]]) {
      expect(acks(r).map((a) => a.ruleId)).not.toContain('NHS-NET-1');
      expect(tagsOf(r)).toMatchObject({ 'nhs-backbone:app': 'remote-reporting', 'nhs-backbone:ingress': 'internet' });
    }
    expect(rr.toJSON().Metadata['nhs-backbone'].internetIngressApps).toEqual(['clinic-portal', 'remote-reporting']);
  });

  test('targets live in the app\'s /27 of each trust, registered for every zone; the firewall passes only that', () => {
    rr.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      TargetType: 'ip', Protocol: 'HTTPS', Port: 8443, Targets: [{ Id: REM_TARGET, AvailabilityZone: 'all' }],
    });
    const rule = firewallRules.rules.find((r) => r.includes('app remote-reporting'))!;
    expect(rule).toContain(`[${edgeNetwork.cidrs.join(',')}]`);
    expect(rule).toMatch(/-> \$EDGE_TO_REMOTE_REPORTING 8443 /);
    hub.hasResourceProperties('AWS::NetworkFirewall::RuleGroup', {
      RuleGroup: { RuleVariables: { IPSets: { EDGE_TO_REMOTE_REPORTING: { Definition: ['REM', 'RBS'].map((o) => plan.appSubnet(o, 'remote-reporting')) } } } },
    });
    expect(() => rrEdge.addTargetIp('REM', Cidr.parse(plan.appSubnet('RBS', 'remote-reporting')).address(5))).toThrow(/ip: .* is not in app remote-reporting's subnet in trust REM/);
    expect(() => rrEdge.addTargetIp('R0A', '10.0.0.1')).toThrow(/odsCode: "R0A" is not a trust app remote-reporting serves/);
  });

  test('the edge stack stays small and makes no cross-stack reference', () => {
    expect(Object.keys(rr.toJSON().Resources).length).toBeLessThan(60);
    expect(JSON.stringify(rr.toJSON())).not.toContain('Fn::ImportValue');
    expect(Object.keys(rr.toJSON().Outputs ?? {})).toHaveLength(0);
  });
});

describe('no ingress', () => {
  test('an app with ingress none has no load balancer, no listener and no inbound rule in any trust', () => {
    const triage = apps.get('ai-triage')!;
    for (const ods of triage.trusts) {
      const t = trust.get(ods)!;
      const stack = backbone.trustStack(ods);
      const sgId = logicalId(stack, triage.attachmentIn(ods).securityGroup);
      expect(t.toJSON().Resources[sgId].Properties.SecurityGroupIngress).toBeUndefined();
      expect(res(t, 'AWS::EC2::SecurityGroupIngress').filter(([, r]) => r.Properties.GroupId?.['Fn::GetAtt']?.[0] === sgId)).toHaveLength(0);
      const appLbs = res(t, 'AWS::ElasticLoadBalancingV2::LoadBalancer')
        .filter(([, lb]) => (lb.Properties.Tags ?? []).some((x: any) => x.Key === 'nhs-backbone:app' && x.Value === 'ai-triage'));
      expect(appLbs).toHaveLength(0);
      expect(triage.ingressIn(ods)).toEqual({ odsCode: ods, ingress: AppIngress.NONE });
    }
    for (const [, t] of trust) {
      for (const [, l] of res(t, 'AWS::ElasticLoadBalancingV2::Listener')) expect(l.Properties.Protocol).toBe('HTTPS');
    }
    expect(firewallRules.rules.some((r) => r.includes('ai-triage'))).toBe(false);
  });
});

describe('app stores', () => {
  const bucketOf = (ods: string, name: string) => {
    const s = apps.get(name)!.storeIn(ods);
    const stack = backbone.trustStack(ods);
    return { id: logicalId(stack, s.bucket), r: trust.get(ods)!.toJSON().Resources[logicalId(stack, s.bucket)], stack };
  };

  test.each(['REM', 'RBS', 'R0A'])('ai-triage\'s store in %s locks at the imaging floor with the trust\'s key, kept on delete', (ods) => {
    const { r, stack } = bucketOf(ods, 'ai-triage');
    expect(r.Properties.BucketName).toBe(`test-backbone-${ods.toLowerCase()}-store-app-ai-triage-prod`);
    expect(r.Properties.ObjectLockConfiguration.Rule.DefaultRetention).toEqual({ Mode: 'COMPLIANCE', Days: RecordsCategory.IMAGING.minimumLockDays });
    const sse = r.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault;
    expect(sse.KMSMasterKeyID).toEqual({ 'Fn::GetAtt': [logicalId(stack, backbone.key(ods).key), 'Arn'] });
    expect(r.DeletionPolicy).toBe('Retain');
    expect(r.UpdateReplacePolicy).toBe('Retain');
    expect(r.Properties.Tags).toContainEqual({ Key: 'nhs-backbone:app', Value: 'ai-triage' });
  });

  test('pacs-viewer\'s store in REM locks at the adult floor under a legal hold; it has none elsewhere', () => {
    const { id, r } = bucketOf('REM', 'pacs-viewer');
    expect(r.Properties.ObjectLockConfiguration.Rule.DefaultRetention).toEqual({ Mode: 'COMPLIANCE', Days: RecordsCategory.ADULT.minimumLockDays });
    const policy = res(trust.get('REM')!, 'AWS::S3::BucketPolicy').find(([, p]) => p.Properties.Bucket.Ref === id)![1];
    expect(policy.Properties.PolicyDocument.Statement.map((s: any) => s.Sid)).toContain('LegalHold');
    expect(() => apps.get('pacs-viewer')!.storeIn('RBS')).toThrow(/odsCode: "RBS" is not a trust app pacs-viewer serves/);
    expect(() => apps.get('remote-reporting')!.storeIn('REM')).toThrow(/appName: app "remote-reporting" has no store/);
  });

  test('an app store joins the trust\'s backup like any clinical store (a locked vault at its lock)', () => {
    const stack = new Stack(new App(), 'BackupScratch', { env: { region: REGION, account: ACCOUNT } });
    const key = new CustomerManagedKey(stack, 'Key', { spec, odsCode: 'REM' });
    const identity = new WorkloadIdentity(stack, 'Identity', { spec, appName: 'pacs-viewer', odsCode: 'REM' });
    const store = new AppStore(stack, 'Store', { spec, appName: 'pacs-viewer', odsCode: 'REM', encryptionKey: key, identity });
    new TrustBackup(stack, 'Backup', { spec, odsCode: 'REM', stores: [store.store] });
    Template.fromStack(stack).hasResourceProperties('AWS::Backup::BackupVault', {
      BackupVaultName: TrustBackup.vaultNameFor(spec, 'REM', 'app-pacs-viewer'),
      LockConfiguration: { MinRetentionDays: RecordsCategory.ADULT.minimumLockDays },
    });
  });

  test('only the trust\'s own app role can read-write its store', () => {
    for (const ods of ['REM', 'RBS', 'R0A']) {
      const { id, stack } = bucketOf(ods, 'ai-triage');
      const roleId = logicalId(stack, backbone.identity(ods, 'ai-triage').role);
      const writers = res(trust.get(ods)!, 'AWS::IAM::Policy')
        .filter(([, p]) => JSON.stringify(p.Properties.PolicyDocument).includes(`"${id}"`));
      expect(writers.flatMap(([, p]) => p.Properties.Roles)).toEqual([{ Ref: roleId }]);
      const actions = writers.flatMap(([, p]) => p.Properties.PolicyDocument.Statement)
        .filter((s: any) => JSON.stringify(s.Resource).includes(`"${id}"`)).flatMap((s: any) => list(s.Action));
      expect(actions).toEqual(expect.arrayContaining(['s3:PutObject', 's3:GetObject*']));
      expect(actions).not.toContain('s3:BypassGovernanceRetention');
    }
    // No other stack names another trust's app bucket.
    for (const [ods, t] of trust) {
      const others = ['REM', 'RBS', 'R0A'].filter((o) => o !== ods).map((o) => `test-backbone-${o.toLowerCase()}-store-app-ai-triage-prod`);
      for (const [, p] of res(t, 'AWS::IAM::Policy')) for (const name of others) expect(JSON.stringify(p)).not.toContain(name);
    }
    expect(iamFindings).toEqual([]);
  });
});

describe('the facade', () => {
  test('per trust: identity, subnets, store and ingress endpoint', () => {
    const rr = apps.get('remote-reporting')!;
    expect(rr.trusts).toEqual(['REM', 'RBS']);
    expect(rr.identityIn('RBS')).toBe(backbone.identity('RBS', 'remote-reporting'));
    expect(rr.subnetsIn('REM')).toHaveLength(2);
    expect(rr.ingressIn('RBS')).toMatchObject({ odsCode: 'RBS', ingress: AppIngress.INTERNET, hostName: `rbs.${DOMAIN}` });
    expect(rr.ingressIn('RBS').targetGroup).toBe(rr.edge!.targetGroupIn('RBS'));
    const pv = apps.get('pacs-viewer')!.ingressIn('REM');
    expect(pv.ingress).toBe(AppIngress.HSCN);
    expect(pv.dnsName).toBe(pacsIngress.dnsName);
    expect(apps.get('ai-triage')!.storeIn('RBS')).toBe(apps.get('ai-triage')!.appStoreIn('RBS').store);
    expect(() => rr.ingressIn('R0A')).toThrow(/odsCode: "R0A" is not a trust app remote-reporting serves/);
  });

  test('wrong parts are refused', () => {
    const sa = new SpecialistApp({ spec, appName: 'ai-triage' });
    expectBackboneError(() => sa.addTrust({
      odsCode: 'REM', identity: backbone.identity('REM', 'remote-reporting'), attachment: backbone.spoke('REM').attachApp('ai-triage'),
    }), /identity: belongs to app remote-reporting in trust REM/);
    expectBackboneError(() => sa.addTrust({
      odsCode: 'REM', identity: backbone.identity('REM', 'ai-triage'), attachment: backbone.spoke('REM').attachApp('ai-triage'),
    }), /store: is required/);
    expectBackboneError(() => new SpecialistApp({ spec, appName: 'remote-reporting' }), /edge: is required/);
    expectBackboneError(() => new SpecialistApp({ spec, appName: 'nope' }), /appName: "nope" is not an app of backbone test-backbone/);
  });
});

describe('bad props name the prop', () => {
  const rem = backbone.trustStack('REM');
  const hscn = (over: any) => () => new HscnAppIngress(rem, `Bad${Math.random()}`.replace('.', ''), {
    spec, appName: 'pacs-viewer', odsCode: 'REM', spoke: backbone.spoke('REM'), certificateArn: CERT, ...over,
  });
  const scratchEdge = (over: any) => () => new InternetAppEdge(new Stack(new App(), 'Scratch', { env: { region: REGION, account: ACCOUNT } }), 'Edge', {
    spec, appName: 'remote-reporting', addressPlan: plan, certificateArn: CERT, domainName: DOMAIN, ...over,
  });

  test('a missing or wrong certificate', () => {
    expectBackboneError(hscn({ certificateArn: undefined }), /^certificateArn: is required for app "pacs-viewer"/);
    expectBackboneError(scratchEdge({ certificateArn: undefined }), /^certificateArn: is required for app "remote-reporting"/);
    expectBackboneError(hscn({ certificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/abc' }), /^certificateArn: .* is in us-east-1: .* eu-west-2/);
    expectBackboneError(hscn({ certificateArn: 'my-cert' }), /^certificateArn: "my-cert" is not an ACM certificate ARN/);
  });

  test('an app not in the spec, or of another ingress', () => {
    expectBackboneError(hscn({ appName: 'nope' }), /^appName: "nope" is not an app of backbone test-backbone/);
    expectBackboneError(scratchEdge({ appName: 'nope' }), /^appName: "nope" is not an app/);
    expectBackboneError(hscn({ appName: 'remote-reporting' }), /^appName: app "remote-reporting" has ingress internet/);
    expectBackboneError(scratchEdge({ appName: 'pacs-viewer' }), /^appName: app "pacs-viewer" has ingress hscn/);
    expectBackboneError(() => new AppStore(rem, 'BadStore1', {
      spec, appName: 'nope', odsCode: 'REM', encryptionKey: backbone.key('REM'), identity: backbone.identity('REM', 'ai-triage'),
    }), /^appName: "nope" is not an app/);
  });

  test('HSCN sources outside the HSCN range, a weak TLS policy, a trust not served, a foreign spoke', () => {
    expectBackboneError(hscn({ sourceRanges: ['0.0.0.0/0'] }), /^sourceRanges\[0\]: 0.0.0.0\/0 is not inside the HSCN range/);
    expectBackboneError(hscn({ sourceRanges: [] }), /^sourceRanges: is empty/);
    expectBackboneError(hscn({ sslPolicy: elbv2.SslPolicy.TLS12_EXT }), /^sslPolicy: ELBSecurityPolicy-TLS-1-2-Ext-2018-06 is not allowed/);
    expectBackboneError(hscn({ odsCode: 'RBS' }), /^odsCode: "RBS" is not a trust app pacs-viewer serves/);
    expectBackboneError(hscn({ spoke: backbone.spoke('RBS') }), /^spoke: is not the spoke of trust REM/);
    expectBackboneError(() => pacsIngress.addTargetIp('10.0.0.1'), /^ip: 10.0.0.1 is not in app pacs-viewer's subnet in trust REM/);
  });

  test('an edge without a domain for several trusts, a bad rate limit', () => {
    expectBackboneError(scratchEdge({ domainName: undefined }), /^domainName: is required: app "remote-reporting" serves 2 trusts/);
    expectBackboneError(scratchEdge({ domainName: 'Not A Name' }), /^domainName: "Not A Name" is not a lower-case DNS name/);
    expectBackboneError(scratchEdge({ rateLimit: 5 }), /^rateLimit: 5 is not allowed/);
  });

  test('a store for an app without one, or for another trust\'s or app\'s identity', () => {
    const key = backbone.key('REM');
    expectBackboneError(() => new AppStore(rem, 'BadStore2', {
      spec, appName: 'remote-reporting', odsCode: 'REM', encryptionKey: key, identity: backbone.identity('REM', 'remote-reporting'),
    }), /^appName: app "remote-reporting" has no store/);
    expectBackboneError(() => new AppStore(rem, 'BadStore3', {
      spec, appName: 'ai-triage', odsCode: 'REM', encryptionKey: key, identity: backbone.identity('RBS', 'ai-triage'),
    }), /^identity: is the identity of app ai-triage in trust RBS/);
    expectBackboneError(() => new AppStore(rem, 'BadStore4', {
      spec, appName: 'ai-triage', odsCode: 'REM', encryptionKey: key, identity: backbone.identity('REM', 'pacs-viewer'),
    }), /^identity: is the identity of app pacs-viewer in trust REM/);
  });

  test('firewall target ports for apps without internet ingress', () => {
    expectBackboneError(() => new AppIngressFirewallRules(new Stack(new App(), 'Fw'), 'Rules', { spec, addressPlan: plan, targetPorts: { 'ai-triage': 8443 } }),
      /^targetPorts.ai-triage: "ai-triage" is not an app with internet ingress/);
  });
});
