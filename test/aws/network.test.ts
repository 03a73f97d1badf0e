import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Backbone } from '../../src/aws/backbone';
import { newAwsApp } from '../../src/aws/synth';
import { BackboneSpec } from '../../src/core/backbone-spec';
import { BackboneError } from '../../src/core/errors';
import { SMALL, smallSpec } from '../support/specs';

const spec = smallSpec();
const app = newAwsApp();
const backbone = new Backbone(app, 'Backbone', { spec });
const plan = backbone.addressPlan;
const ODS = spec.trusts.map((t) => t.odsCode);
const hub = Template.fromStack(backbone.hubStack);
const trusts = new Map(ODS.map((o) => [o, Template.fromStack(backbone.trustStack(o))]));
const all: Array<[string, Template, Stack]> = [
  ['hub', hub, backbone.hubStack],
  ...ODS.map((o) => [o, trusts.get(o)!, backbone.trustStack(o)] as [string, Template, Stack]),
];

function resources(t: Template, type: string): any[] {
  return Object.values(t.findResources(type)).map((r: any) => r.Properties ?? {});
}

describe('address plan', () => {
  test('hub VPC and subnets come from the hub block and its subnets', () => {
    hub.hasResourceProperties('AWS::EC2::VPC', { CidrBlock: plan.hubBlock });
    const cidrs = resources(hub, 'AWS::EC2::Subnet').map((s) => s.CidrBlock);
    expect(cidrs).toHaveLength(18); // 15 + the public app edge's three /26s (remote-reporting has internet ingress)
    expect(cidrs).toContain('10.180.0.0/28'); // firewall a
    expect(cidrs).toContain(plan.hubSubnet('dns' as any).replace('/24', '/28'));
    expect(cidrs).toContain(plan.hubSubnet('endpoints' as any).replace('/24', '/26'));
  });

  test.each(ODS)('spoke %s uses its trust block and subnets', (ods) => {
    const t = trusts.get(ods)!;
    t.hasResourceProperties('AWS::EC2::VPC', { CidrBlock: plan.trustBlock(ods) });
    const cidrs = resources(t, 'AWS::EC2::Subnet').map((s) => s.CidrBlock as string);
    const within = (c: string, parent: string) => {
      const [a] = c.split('/');
      const [p, len] = parent.split('/');
      const n = (ip: string) => ip.split('.').reduce((x, o) => x * 256 + Number(o), 0);
      const mask = 2 ** (32 - Number(len));
      return Math.floor(n(a) / mask) === Math.floor(n(p) / mask);
    };
    for (const c of cidrs) expect(within(c, plan.trustBlock(ods))).toBe(true);
    expect(cidrs).toContain(plan.trustSubnet(ods, 'workload' as any).replace('/24', '/26'));
    const apps = spec.appsServing(ods);
    for (const served of apps) {
      const appCidr = plan.appSubnet(ods, served.name);
      expect(cidrs.filter((c) => within(c, appCidr))).toHaveLength(2);
    }
    expect(cidrs).toHaveLength(12 + 2 * apps.length);
  });
});

describe('transit gateway isolation', () => {
  test('no default route table association or propagation', () => {
    hub.hasResourceProperties('AWS::EC2::TransitGateway', {
      DefaultRouteTableAssociation: 'disable', DefaultRouteTablePropagation: 'disable',
    });
  });

  test.each(ODS)('trust %s: exactly one attachment, associated to spokes, propagated to hub', (ods) => {
    const t = trusts.get(ods)!;
    t.resourceCountIs('AWS::EC2::TransitGatewayAttachment', 1);
    const params = t.toJSON().Parameters ?? {};
    const paramFor = (suffix: string) => Object.keys(params).find((k) => (params[k].Default ?? '').endsWith(suffix))!;
    t.resourcePropertiesCountIs('AWS::EC2::TransitGatewayRouteTableAssociation', {
      TransitGatewayRouteTableId: { Ref: paramFor('tgw-spokes-route-table-id') },
    }, 1);
    t.resourceCountIs('AWS::EC2::TransitGatewayRouteTableAssociation', 1);
    t.resourcePropertiesCountIs('AWS::EC2::TransitGatewayRouteTablePropagation', {
      TransitGatewayRouteTableId: { Ref: paramFor('tgw-hub-route-table-id') },
    }, 1);
    t.resourceCountIs('AWS::EC2::TransitGatewayRouteTablePropagation', 1);
    // default route of the spoke goes to the transit gateway
    t.hasResourceProperties('AWS::EC2::Route', { DestinationCidrBlock: '0.0.0.0/0', TransitGatewayId: Match.anyValue() });
  });

  test('spokes route table routes only 0.0.0.0/0 and the hub block, to the hub attachment', () => {
    const spokesRt = Object.keys(hub.findResources('AWS::EC2::TransitGatewayRouteTable')).find((k) => k.includes('SpokesRouteTable'))!;
    const routes = resources(hub, 'AWS::EC2::TransitGatewayRoute')
      .filter((r) => JSON.stringify(r.TransitGatewayRouteTableId).includes(spokesRt));
    expect(routes.map((r) => r.DestinationCidrBlock).sort()).toEqual(['0.0.0.0/0', plan.hubBlock].sort());
    for (const r of routes) expect(JSON.stringify(r.TransitGatewayAttachmentId)).toContain('HubAttachment');
    for (const ods of ODS) expect(routes.map((r) => r.DestinationCidrBlock)).not.toContain(plan.trustBlock(ods));
    // no trust propagates into the spokes route table (only into the hub's)
    for (const ods of ODS) {
      const params = trusts.get(ods)!.toJSON().Parameters ?? {};
      const props = resources(trusts.get(ods)!, 'AWS::EC2::TransitGatewayRouteTablePropagation');
      for (const p of props) expect(params[p.TransitGatewayRouteTableId.Ref].Default).toMatch(/tgw-hub-route-table-id$/);
    }
  });

  test('inspection VPC attachment associates with the hub route table, appliance mode on', () => {
    hub.hasResourceProperties('AWS::EC2::TransitGatewayAttachment', { Options: { ApplianceModeSupport: 'enable' } });
    hub.hasResourceProperties('AWS::EC2::TransitGatewayRouteTableAssociation', {
      TransitGatewayAttachmentId: { 'Fn::GetAtt': [Match.stringLikeRegexp('HubAttachment'), 'Id'] },
      TransitGatewayRouteTableId: { 'Fn::GetAtt': [Match.stringLikeRegexp('HubRouteTable'), 'TransitGatewayRouteTableId'] },
    });
  });
});

describe('firewall', () => {
  test('policy: strict order, default drop with alert', () => {
    hub.hasResourceProperties('AWS::NetworkFirewall::FirewallPolicy', {
      FirewallPolicy: Match.objectLike({
        StatefulEngineOptions: { RuleOrder: 'STRICT_ORDER' },
        StatefulDefaultActions: ['aws:drop_strict', 'aws:alert_strict'],
      }),
    });
  });

  test('egress allow list: TLS SNI and HTTP host, ALLOWLIST, from spec', () => {
    hub.hasResourceProperties('AWS::NetworkFirewall::RuleGroup', {
      Type: 'STATEFUL',
      RuleGroup: Match.objectLike({
        RulesSource: { RulesSourceList: { Targets: ['.nhs.uk', 'digital.nhs.uk'], TargetTypes: ['TLS_SNI', 'HTTP_HOST'], GeneratedRulesType: 'ALLOWLIST' } },
      }),
    });
  });

  test('spoke-to-spoke pass only for an app that serves several trusts, between its app subnets', () => {
    const groups = resources(hub, 'AWS::NetworkFirewall::RuleGroup').filter((g) => g.RuleGroup.RulesSource.RulesString?.includes('pass ip'));
    expect(groups).toHaveLength(1);
    const rules: string = groups[0].RuleGroup.RulesSource.RulesString;
    expect(rules.split('\n')).toHaveLength(1); // ai-triage serves 3 trusts; remote-reporting serves one
    expect(rules).toContain('$APP_AI_TRIAGE any -> $APP_AI_TRIAGE');
    expect(groups[0].RuleGroup.RuleVariables.IPSets.APP_AI_TRIAGE.Definition).toEqual(ODS.map((o) => plan.appSubnet(o, 'ai-triage')));
  });

  test('alert and flow logs go to the central log store', () => {
    hub.hasResourceProperties('AWS::NetworkFirewall::LoggingConfiguration', {
      LoggingConfiguration: {
        LogDestinationConfigs: [
          Match.objectLike({ LogType: 'ALERT', LogDestinationType: 'S3' }),
          Match.objectLike({ LogType: 'FLOW', LogDestinationType: 'S3' }),
        ],
      },
    });
  });
});

describe('DNS', () => {
  test('nhs.uk is forwarded to cns0/cns1.nhs.uk from the hub dns subnets', () => {
    hub.hasResourceProperties('AWS::Route53Resolver::ResolverRule', {
      DomainName: 'nhs.uk',
      RuleType: 'FORWARD',
      TargetIps: [{ Ip: '155.231.231.1', Port: '53' }, { Ip: '155.231.231.2', Port: '53' }],
    });
    hub.hasResourceProperties('AWS::Route53Resolver::ResolverEndpoint', { Direction: 'OUTBOUND' });
    hub.resourceCountIs('AWS::Route53Resolver::ResolverRuleAssociation', 1);
  });

  test.each(ODS)('rule and endpoint DNS profile associated with spoke %s', (ods) => {
    const t = trusts.get(ods)!;
    const params = t.toJSON().Parameters ?? {};
    const [assoc] = resources(t, 'AWS::Route53Resolver::ResolverRuleAssociation');
    expect(params[assoc.ResolverRuleId.Ref].Default).toMatch(/nhs-uk-resolver-rule-id$/);
    expect(assoc.VPCId).toEqual({ Ref: Object.keys(t.findResources('AWS::EC2::VPC'))[0] });
    t.resourceCountIs('AWS::Route53Profiles::ProfileAssociation', 1);
  });

  test('interface endpoints with private hosted zones in the profile', () => {
    for (const svc of ['kms', 'logs', 'sts', 'secretsmanager', 'ecr.api', 'ecr.dkr', 'ssm']) {
      hub.hasResourceProperties('AWS::EC2::VPCEndpoint', { ServiceName: `com.amazonaws.eu-west-2.${svc}`, VpcEndpointType: 'Interface', PrivateDnsEnabled: false });
    }
    hub.hasResourceProperties('AWS::Route53::HostedZone', { Name: 'api.ecr.eu-west-2.amazonaws.com.' });
    expect(resources(hub, 'AWS::Route53Profiles::ProfileResourceAssociation').length).toBeGreaterThanOrEqual(7);
  });
});

describe('secure by default', () => {
  test.each(all.map(([n, t]) => [n, t] as [string, Template]))('%s: VPC flow logs, ALL traffic, to the central store', (_n, t) => {
    const vpcs = Object.keys(t.findResources('AWS::EC2::VPC'));
    const logs = resources(t, 'AWS::EC2::FlowLog');
    expect(logs).toHaveLength(vpcs.length);
    for (const l of logs) {
      expect(l.TrafficType).toBe('ALL');
      expect(l.LogDestinationType).toBe('s3');
      expect(JSON.stringify(l.LogDestination)).toMatch(/test-backbone-hub-logs-prod|LogStore/);
    }
  });

  test.each(ODS)('spoke %s: no IGW, NAT, EIP or public subnet', (ods) => {
    const t = trusts.get(ods)!;
    for (const type of ['AWS::EC2::InternetGateway', 'AWS::EC2::NatGateway', 'AWS::EC2::EIP', 'AWS::EC2::VPCGatewayAttachment']) t.resourceCountIs(type, 0);
    for (const s of resources(t, 'AWS::EC2::Subnet')) expect(s.MapPublicIpOnLaunch).toBe(false);
  });

  test.each(all.map(([n, t]) => [n, t] as [string, Template]))('%s: no ingress from 0.0.0.0/0, default SG closed', (_n, t) => {
    const json = t.toJSON();
    for (const r of Object.values<any>(json.Resources)) {
      if (r.Type === 'AWS::EC2::SecurityGroup') {
        for (const i of r.Properties.SecurityGroupIngress ?? []) expect(i.CidrIp).not.toBe('0.0.0.0/0');
      }
      if (r.Type === 'AWS::EC2::SecurityGroupIngress') expect(r.Properties.CidrIp).not.toBe('0.0.0.0/0');
    }
    t.resourceCountIs('Custom::DefaultSecurityGroupClosed', Object.keys(t.findResources('AWS::EC2::VPC')).length);
    for (const s of resources(t, 'AWS::EC2::Subnet')) if (!s.Tags?.some((x: any) => /egress/.test(x.Value))) expect(s.MapPublicIpOnLaunch ?? false).toBe(false);
  });

  test('the hub NAT subnets do not map public IPs on launch', () => {
    for (const s of resources(hub, 'AWS::EC2::Subnet')) expect(s.MapPublicIpOnLaunch ?? false).toBe(false);
  });

  test('trust stacks carry no Lambda, asset or cross-stack export', () => {
    for (const ods of ODS) {
      const t = trusts.get(ods)!;
      t.resourceCountIs('AWS::Lambda::Function', 0);
      expect(JSON.stringify(t.toJSON())).not.toContain('Fn::ImportValue');
    }
    expect(hub.toJSON().Outputs ?? {}).toEqual({});
  });

  test.each(ODS)('trust %s resources carry its ODS code tag', (ods) => {
    const t = trusts.get(ods)!;
    for (const type of ['AWS::EC2::VPC', 'AWS::EC2::Subnet', 'AWS::EC2::TransitGatewayAttachment', 'AWS::EC2::SecurityGroup']) {
      for (const r of resources(t, type)) expect(r.Tags).toEqual(expect.arrayContaining([expect.objectContaining({ Value: ods })]));
    }
  });

  test('central log store: CMK with rotation, versioned, private, TLS only, retained', () => {
    hub.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    hub.hasResource('AWS::S3::Bucket', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        BucketName: spec.naming.hub('logs', 's3-bucket' as any),
        VersioningConfiguration: { Status: 'Enabled' },
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
        BucketEncryption: { ServerSideEncryptionConfiguration: [Match.objectLike({ ServerSideEncryptionByDefault: Match.objectLike({ SSEAlgorithm: 'aws:kms' }) })] },
      }),
    });
    hub.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
  });
});

describe('HSCN', () => {
  test('VPN: one customer gateway and BGP VPN per peer, on the TGW, no PSK literal', () => {
    const peers = spec.network.hscn!.peerAddresses!;
    hub.resourceCountIs('AWS::EC2::CustomerGateway', peers.length);
    for (const ip of peers) hub.hasResourceProperties('AWS::EC2::CustomerGateway', { IpAddress: ip, BgpAsn: 65010 });
    const vpns = resources(hub, 'AWS::EC2::VPNConnection');
    expect(vpns).toHaveLength(peers.length);
    for (const v of vpns) {
      expect(v.StaticRoutesOnly).toBe(false);
      expect(v.TransitGatewayId).toEqual({ Ref: expect.stringMatching(/TransitGateway/) });
      for (const t of v.VpnTunnelOptionsSpecifications) expect(t.PreSharedKey).toBe('{{resolve:secretsmanager:hscn-vpn-psk:SecretString}}');
    }
    expect(JSON.stringify(hub.toJSON())).not.toMatch(/"PreSharedKey":"(?!\{\{resolve:)/);
  });

  test('private: a Direct Connect gateway associated with the TGW, no VPN', () => {
    const s = BackboneSpec.fromProps({ ...SMALL, network: { hscn: { connection: 'private' as any, peerAsn: 65010 } } });
    const a = newAwsApp();
    const t = Template.fromStack(new Backbone(a, 'B', { spec: s }).hubStack);
    t.resourceCountIs('AWS::EC2::VPNConnection', 0);
    t.resourceCountIs('AWS::DirectConnect::DirectConnectGateway', 1);
    t.hasResourceProperties('AWS::DirectConnect::DirectConnectGatewayAssociation', {
      AssociatedGatewayId: { Ref: Match.stringLikeRegexp('TransitGateway') },
      AllowedPrefixesToDirectConnectGateway: [s.addressPool],
    });
  });

  test('no hscn in the spec: no HSCN resources', () => {
    const s = BackboneSpec.fromProps({ ...SMALL, network: { egressAllowList: [] } });
    const a = newAwsApp();
    const b = new Backbone(a, 'B', { spec: s });
    const t = Template.fromStack(b.hubStack);
    for (const type of ['AWS::EC2::VPNConnection', 'AWS::EC2::CustomerGateway', 'AWS::DirectConnect::DirectConnectGateway', 'AWS::Route53Resolver::ResolverRule']) t.resourceCountIs(type, 0);
    Template.fromStack(b.trustStack('REM')).resourceCountIs('AWS::Route53Resolver::ResolverRuleAssociation', 0);
  });

  test('bad values give a BackboneError naming the path', () => {
    const bad = () => BackboneSpec.fromProps({ ...SMALL, network: { hscn: { peerAddresses: ['203.0.113.10'], peerAsn: 99999999999 } } });
    expect(bad).toThrow(/network\.hscn\.peerAsn: .*out of range/);
    try { bad(); } catch (e) { expect(BackboneError.isBackboneError(e)).toBe(true); }
  });
});

describe('app contract', () => {
  test('attachApp returns the app subnets and a security group with no inbound rule', () => {
    const spoke = backbone.spoke('REM');
    const a = spoke.attachApp('remote-reporting');
    expect(a.cidr).toBe(plan.appSubnet('REM', 'remote-reporting'));
    expect(a.subnets.map((s) => s.ipv4CidrBlock)).toHaveLength(2);
    expect(spoke.attachApp('remote-reporting')).toBe(a);
    const sgs = resources(trusts.get('REM')!, 'AWS::EC2::SecurityGroup');
    for (const sg of sgs) expect(sg.SecurityGroupIngress ?? []).toEqual([]);
  });

  test('attachApp of an app that does not serve the trust names the prop', () => {
    expect(() => backbone.spoke('RBS').attachApp('remote-reporting')).toThrow(/appName: "remote-reporting" does not serve trust RBS/);
    expect(() => backbone.spoke('RBS').attachApp('nope')).toThrow(/appName: "nope" is not an app/);
  });
});
