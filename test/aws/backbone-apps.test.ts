import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Backbone } from '../../src/aws/backbone';
import { TrustBackup } from '../../src/aws/storage/trust-backup';
import { expectBackboneError } from '../support/errors';
import { smallSpec } from '../support/specs';

const ACCOUNT = '123456789012';

// One app of each ingress kind, one with a store; then an app added in code after construction
// (HSCN ingress with a store, serving RBS only), before anything is synthesised.
const spec = smallSpec({
  apps: [
    { name: 'ai-triage', trusts: ['REM', 'RBS'], dicomweb: 'read' as any, ingress: 'none' as any, store: { category: 'imaging' } },
    { name: 'pacs-viewer', trusts: ['REM'], dicomweb: 'read' as any, ingress: 'hscn' as any },
    { name: 'remote-reporting', trusts: ['REM', 'RBS'], ingress: 'internet' as any },
  ],
});
const app = new App();
const backbone = new Backbone(app, 'Backbone', {
  spec,
  account: ACCOUNT,
  appIngress: { 'remote-reporting': { domainName: 'reporting.example.nhs.uk' } },
});
const late = backbone.addApp({ name: 'late-viewer', trusts: ['RBS'], ingress: 'hscn' as any, store: { category: 'adult' } } as any);
const ODS = ['REM', 'RBS', 'R0A'];
const trust = new Map(ODS.map((o) => [o, Template.fromStack(backbone.trustStack(o))]));
const hub = Template.fromStack(backbone.hubStack);
const stackNames = app.node.findAll().filter((c): c is Stack => Stack.isStack(c)).map((s) => s.stackName);

const albs = (ods: string, scheme: string) => Object.values(trust.get(ods)!.findResources('AWS::ElasticLoadBalancingV2::LoadBalancer'))
  .filter((r: any) => r.Properties.Scheme === scheme);
const bucketNames = (ods: string) => Object.values(trust.get(ods)!.findResources('AWS::S3::Bucket')).map((r: any) => r.Properties.BucketName as string);
const vaultNames = (ods: string) => Object.values(trust.get(ods)!.findResources('AWS::Backup::BackupVault')).map((r: any) => r.Properties.BackupVaultName as string);
const planNames = (ods: string) => Object.values(trust.get(ods)!.findResources('AWS::Backup::BackupPlan')).map((r: any) => r.Properties.BackupPlan.BackupPlanName as string);

describe('apps wired into the backbone', () => {
  test('an HSCN app gets an internal load balancer in each trust it serves, and nowhere else', () => {
    expect(albs('REM', 'internal')).toHaveLength(1); // pacs-viewer
    expect(albs('RBS', 'internal')).toHaveLength(1); // late-viewer
    expect(albs('R0A', 'internal')).toHaveLength(0);
    for (const o of ODS) expect(albs(o, 'internet-facing')).toHaveLength(0);
    expect(backbone.app('pacs-viewer').ingressIn('REM').ingress).toBe('hscn');
    expect(() => backbone.app('pacs-viewer').ingressIn('RBS')).toThrow(/odsCode: "RBS" is not a trust app pacs-viewer serves/);
  });

  test('without a certificate ARN, the listener reads it from the app\'s SSM parameter at deploy time', () => {
    const name = Backbone.certificateParameterName(spec, 'pacs-viewer');
    expect(name).toBe(`/nhs-backbone/${spec.name}/${spec.environment}/apps/pacs-viewer/certificate-arn`);
    trust.get('REM')!.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Certificates: [{ CertificateArn: `{{resolve:ssm:${name}}}` }] });
  });

  test('an internet app gets one edge stack, after the hub, with WAF and CIS2; the trusts do not wait for it', () => {
    const edgeStack = backbone.edgeStack('remote-reporting');
    expect(edgeStack.stackName).toBe(spec.naming.name('stack' as any, ['edge', 'remote-reporting']));
    expect(stackNames.filter((n) => n.includes('edge'))).toEqual([edgeStack.stackName]);
    expect(edgeStack.dependencies).toContain(backbone.hubStack);
    for (const o of ODS) expect(backbone.trustStack(o).dependencies).not.toContain(edgeStack);
    const edge = Template.fromStack(edgeStack);
    edge.resourceCountIs('AWS::WAFv2::WebACL', 1);
    edge.resourceCountIs('AWS::WAFv2::WebACLAssociation', 1);
    edge.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', { Scheme: 'internet-facing' });
    const actions = JSON.stringify(edge.findResources('AWS::ElasticLoadBalancingV2::ListenerRule'));
    expect(actions).toContain('authenticate-oidc');
    expect(edge.toJSON().Metadata['nhs-backbone'].internetIngressApps).toEqual(['remote-reporting']);
    // The hub has the public edge subnets and the firewall's app ingress rules.
    expect(backbone.appEdgeNetwork!.subnets).toHaveLength(3);
    hub.hasResourceProperties('AWS::NetworkFirewall::RuleGroup', {
      RuleGroup: { RuleVariables: { IPSets: { EDGE_TO_REMOTE_REPORTING: { Definition: ['REM', 'RBS'].map((o) => backbone.addressPlan.appSubnet(o, 'remote-reporting')) } } } },
    });
  });

  test('an app with a store gets it only in its trusts, backed up with the trust\'s other stores', () => {
    for (const o of ['REM', 'RBS']) {
      expect(bucketNames(o).some((n) => n.includes('store-app-ai-triage'))).toBe(true);
      expect(vaultNames(o)).toContain(TrustBackup.vaultNameFor(spec, o, 'app-ai-triage'));
      expect(planNames(o)).toContain(TrustBackup.vaultNameFor(spec, o, 'app-ai-triage'));
    }
    expect(bucketNames('R0A').some((n) => n.includes('app-'))).toBe(false);
    expect(() => backbone.backup('R0A').vault('app-ai-triage')).toThrow(/storeName/);
    expect(backbone.app('ai-triage').storeIn('REM').bucket.node.path).toContain('TrustREM');
  });

  test('addApp after construction: subnets, identity, store in the backup, ingress, firewall rules', () => {
    expect(late.trusts).toEqual(['RBS']);
    expect(backbone.app('late-viewer')).toBe(late);
    const rbs = trust.get('RBS')!;
    const subnets = Object.values(rbs.findResources('AWS::EC2::Subnet')).map((r: any) => r.Properties.CidrBlock);
    expect(subnets).toContain(late.attachmentIn('RBS').subnets[0].ipv4CidrBlock);
    expect(late.attachmentIn('RBS').cidr).toBe(backbone.addressPlan.appSubnet('RBS', 'late-viewer'));
    expect(bucketNames('RBS').some((n) => n.includes('store-app-late-viewer'))).toBe(true);
    expect(vaultNames('RBS')).toContain(TrustBackup.vaultNameFor(spec, 'RBS', 'app-late-viewer'));
    expect(planNames('RBS')).toContain(TrustBackup.vaultNameFor(spec, 'RBS', 'app-late-viewer'));
    expect(backbone.identity('RBS', 'late-viewer').odsCode).toBe('RBS');
    expect(backbone.appIngressRules!.rules.some((r) => r.includes('trust RBS (late-viewer)'))).toBe(true);
    expect(() => backbone.identity('REM', 'late-viewer')).toThrow(/appName/);
  });

  test('a bad app, or a bad ingress option, is one BackboneError naming the field', () => {
    const other = new Backbone(new App(), 'Other', { spec: smallSpec(), account: ACCOUNT });
    expectBackboneError(() => other.addApp({ name: 'Bad Name', trusts: ['REM'] } as any), /app\.name/);
    expectBackboneError(() => other.addApp({ name: 'ok-app', trusts: ['NOPE'] } as any), /app\.trusts/);
    expectBackboneError(() => new Backbone(new App(), 'Third', { spec: smallSpec(), appIngress: { nope: {} } }), /^appIngress\.nope: "nope" is not an app/);
    expectBackboneError(() => backbone.app('nope'), /^appName: "nope" is not an app/);
  });
});
