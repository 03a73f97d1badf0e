import { Stack, aws_ec2 as ec2, aws_iam as iam, aws_route53profiles as r53profiles, aws_route53resolver as resolver } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { closeDefaultSecurityGroup } from './default-security-group';
import { HubParameters, HubValue } from './hub-parameters';
import { AWS_AZS } from './zones';
import { AddressPlan, TrustSubnet } from '../../core/address-plan';
import { BackboneSpec } from '../../core/backbone-spec';
import { Cidr } from '../../core/cidr';
import { BackboneError } from '../../core/errors';
import { CentralLogStore } from '../logging/central-log-store';

/** An app's place in a trust's spoke. */
export interface AppAttachment {
  /** The app's name. */
  readonly appName: string;
  /** The trust's ODS code. */
  readonly odsCode: string;
  /** The app's /27 in the trust's block (AddressPlan.appSubnet). */
  readonly cidr: string;
  /** The app's subnets: the /27 split into two /28 in two zones. */
  readonly subnets: ec2.ISubnet[];
  /** The app's security group: no inbound rule. */
  readonly securityGroup: ec2.ISecurityGroup;
}

/** Props of a trust's spoke. */
export interface TrustSpokeProps {
  /** The validated backbone spec. */
  readonly spec: BackboneSpec;
  /** The backbone's address plan. */
  readonly addressPlan: AddressPlan;
  /** The trust's ODS code. */
  readonly odsCode: string;
}

// subnet role -> prefix of each zone's subnet
// (workload three /26, data three /27, imaging and transit three /28; the
// APPS role holds two /28 per app, from the app's /27)
const ZONED: Array<[TrustSubnet, number]> = [
  [TrustSubnet.WORKLOAD, 26],
  [TrustSubnet.DATA, 27],
  [TrustSubnet.IMAGING, 28],
  [TrustSubnet.TRANSIT, 28],
];
const APP_ZONES = 2;

/**
 * A trust's spoke on AWS: a VPC addressed from the trust's block with
 * workload, data, imaging, transit and app subnets; no internet gateway, no NAT,
 * no public subnet. Its only way out is its transit gateway attachment, which
 * is associated with the hub's "spokes" route table (default route to the
 * inspection VPC) and propagates to the "hub" route table (return path),
 * plus an S3 gateway endpoint on the private route table (gateway endpoints
 * do not work across the transit gateway) whose policy admits only the
 * account's own buckets and ECR's image-layer bucket: the clinical stores and
 * container image pulls stay on the AWS network, and no data can be copied to
 * another account's bucket through it.
 * VPC flow logs (all traffic) go to the central log store; the nhs.uk
 * forwarding rule and the hub's endpoint DNS (a Route 53 profile) are
 * associated; the default security group is emptied.
 *
 * Built from CloudFormation resources with one route table per kind of subnet
 * (rather than one per subnet) so that 209 spokes stay small and quick to
 * synthesise; `vpc` is the usual `IVpc` over them.
 */
export class TrustSpoke extends Construct {
  /** The trust's ODS code. */
  public readonly odsCode: string;
  /** The spoke VPC. */
  public readonly vpc: ec2.IVpc;
  /** The spoke VPC resource. */
  public readonly vpcResource: ec2.CfnVPC;
  /** The spoke's block (AddressPlan.trustBlock). */
  public readonly cidr: string;
  /** The spoke's transit gateway attachment. */
  public readonly transitGatewayAttachment: ec2.CfnTransitGatewayAttachment;
  private readonly spec: BackboneSpec;
  private readonly plan: AddressPlan;
  private readonly bySubnetRole = new Map<TrustSubnet, ec2.ISubnet[]>();
  private readonly appSubnetsByName = new Map<string, ec2.ISubnet[]>();
  private readonly apps = new Map<string, AppAttachment>();
  private readonly makeAppSubnets: (appName: string) => ec2.ISubnet[];

  constructor(scope: Construct, id: string, props: TrustSpokeProps) {
    super(scope, id);
    const { spec, addressPlan: plan, odsCode } = props;
    spec.trust(odsCode);
    this.spec = spec;
    this.plan = plan;
    this.odsCode = odsCode;
    this.cidr = plan.trustBlock(odsCode);
    const azs = AWS_AZS(spec);
    const name = (purpose: string) => spec.naming.trust(odsCode, purpose);

    const vpc = new ec2.CfnVPC(this, 'Resource', {
      cidrBlock: this.cidr,
      enableDnsHostnames: true,
      enableDnsSupport: true,
      tags: [{ key: 'Name', value: name('vpc') }],
    });
    this.vpcResource = vpc;

    const tgwId = HubParameters.read(this, spec, HubValue.TRANSIT_GATEWAY_ID);
    const privateRt = new ec2.CfnRouteTable(this, 'PrivateRouteTable', { vpcId: vpc.ref, tags: [{ key: 'Name', value: name('rt-private') }] });
    const transitRt = new ec2.CfnRouteTable(this, 'TransitRouteTable', { vpcId: vpc.ref, tags: [{ key: 'Name', value: name('rt-transit') }] });

    const subnet = (sid: string, cidr: string, az: string, rt: ec2.CfnRouteTable, tag: string): ec2.ISubnet => {
      const s = new ec2.CfnSubnet(this, sid, {
        vpcId: vpc.ref,
        cidrBlock: cidr,
        availabilityZone: az,
        mapPublicIpOnLaunch: false,
        tags: [{ key: 'Name', value: name(tag) }],
      });
      new ec2.CfnSubnetRouteTableAssociation(this, `${sid}RouteTable`, { subnetId: s.ref, routeTableId: rt.ref });
      return ec2.Subnet.fromSubnetAttributes(this, `${sid}Ref`, { subnetId: s.ref, availabilityZone: az, ipv4CidrBlock: cidr, routeTableId: rt.ref });
    };

    for (const [role, prefix] of ZONED) {
      const parent = Cidr.parse(plan.trustSubnet(odsCode, role));
      const rt = role === TrustSubnet.TRANSIT ? transitRt : privateRt;
      this.bySubnetRole.set(role, azs.map((az, i) =>
        subnet(`${pascal(role)}Subnet${i + 1}`, parent.subnet(prefix, i).toString(), az, rt, `${role}-${az.slice(-1)}`)));
    }
    const appSubnets: ec2.ISubnet[] = [];
    // Also used by attachApp for apps added after the spoke (Backbone.addApp).
    this.makeAppSubnets = (appName: string) => {
      const parent = Cidr.parse(plan.appSubnet(odsCode, appName));
      const subnets = azs.slice(0, APP_ZONES).map((az, i) =>
        subnet(`App${pascal(appName)}Subnet${i + 1}`, parent.subnet(parent.prefix + 1, i).toString(), az, privateRt, `app-${appName}-${az.slice(-1)}`));
      this.appSubnetsByName.set(appName, subnets);
      appSubnets.push(...subnets);
      return subnets;
    };
    for (const app of spec.appsServing(odsCode)) this.makeAppSubnets(app.name);
    this.bySubnetRole.set(TrustSubnet.APPS, appSubnets);

    const zoned = ZONED.map(([role]) => this.bySubnetRole.get(role)!);
    this.vpc = ec2.Vpc.fromVpcAttributes(this, 'Vpc', {
      vpcId: vpc.ref,
      vpcCidrBlock: this.cidr,
      availabilityZones: azs,
      isolatedSubnetIds: zoned.flatMap((l) => l.map((s) => s.subnetId)),
      isolatedSubnetNames: ZONED.map(([role]) => role),
      isolatedSubnetIpv4CidrBlocks: zoned.flatMap((l) => l.map((s) => s.ipv4CidrBlock)),
      isolatedSubnetRouteTableIds: zoned.flatMap((l) => l.map((s) => s.routeTable.routeTableId)),
    });

    // ---- transit gateway: the spoke's one way out ----------------------------
    this.transitGatewayAttachment = new ec2.CfnTransitGatewayAttachment(this, 'TransitGatewayAttachment', {
      transitGatewayId: tgwId,
      vpcId: vpc.ref,
      subnetIds: this.bySubnetRole.get(TrustSubnet.TRANSIT)!.map((s) => s.subnetId),
      options: { DnsSupport: 'enable' },
      tags: [{ key: 'Name', value: name('tgw-attach') }],
    });
    const attachmentId = this.transitGatewayAttachment.attrId;
    new ec2.CfnTransitGatewayRouteTableAssociation(this, 'SpokesAssociation', {
      transitGatewayAttachmentId: attachmentId,
      transitGatewayRouteTableId: HubParameters.read(this, spec, HubValue.SPOKES_ROUTE_TABLE_ID),
    });
    new ec2.CfnTransitGatewayRouteTablePropagation(this, 'HubPropagation', {
      transitGatewayAttachmentId: attachmentId,
      transitGatewayRouteTableId: HubParameters.read(this, spec, HubValue.HUB_ROUTE_TABLE_ID),
    });
    new ec2.CfnRoute(this, 'DefaultRoute', {
      routeTableId: privateRt.ref,
      destinationCidrBlock: '0.0.0.0/0',
      transitGatewayId: tgwId,
    }).node.addDependency(this.transitGatewayAttachment);

    // ---- S3: the account's buckets and ECR image layers, privately ------------
    const stack = Stack.of(this);
    const endpointPolicy = new iam.PolicyDocument({
      statements: [
        new iam.PolicyStatement({
          sid: 'ThisAccountsBuckets',
          principals: [new iam.AnyPrincipal()],
          actions: ['s3:*'],
          resources: ['*'],
          conditions: { StringEquals: { 'aws:ResourceAccount': stack.account } },
        }),
        new iam.PolicyStatement({
          sid: 'EcrImageLayers',
          principals: [new iam.AnyPrincipal()],
          actions: ['s3:GetObject'],
          resources: [`arn:${stack.partition}:s3:::prod-${stack.region}-starport-layer-bucket/*`],
        }),
      ],
    });
    new ec2.CfnVPCEndpoint(this, 'S3Endpoint', {
      vpcId: vpc.ref,
      serviceName: ec2.GatewayVpcEndpointAwsService.S3.name,
      vpcEndpointType: 'Gateway',
      routeTableIds: [privateRt.ref],
      policyDocument: endpointPolicy,
    });

    // ---- logging, DNS, default security group --------------------------------
    new ec2.CfnFlowLog(this, 'FlowLog', {
      resourceId: vpc.ref,
      resourceType: 'VPC',
      trafficType: 'ALL',
      logDestinationType: 's3',
      logDestination: `${CentralLogStore.bucketArn(spec)}/vpc-flow-logs/${odsCode.toLowerCase()}`,
      maxAggregationInterval: 60,
      destinationOptions: { FileFormat: 'parquet', HiveCompatiblePartitions: true, PerHourPartition: true },
    });
    if (spec.network.hscn) {
      new resolver.CfnResolverRuleAssociation(this, 'NhsUkRuleAssociation', {
        name: name('nhs-uk'),
        resolverRuleId: HubParameters.read(this, spec, HubValue.NHS_UK_RESOLVER_RULE_ID),
        vpcId: vpc.ref,
      });
    }
    new r53profiles.CfnProfileAssociation(this, 'DnsProfileAssociation', {
      name: name('dns'),
      profileId: HubParameters.read(this, spec, HubValue.DNS_PROFILE_ID),
      resourceId: vpc.ref,
    });
    closeDefaultSecurityGroup(this, spec, vpc, vpc.attrDefaultSecurityGroup);
  }

  /** The spoke's subnets of a role. */
  public subnetsFor(role: TrustSubnet): ec2.ISubnet[] {
    return [...(this.bySubnetRole.get(role) ?? [])];
  }

  /** The spoke's subnets of a role, as a selection for constructs that take one. */
  public selectSubnets(role: TrustSubnet): ec2.SubnetSelection {
    return { subnets: this.subnetsFor(role) };
  }

  /**
   * An app's place in this spoke: its subnets (from AddressPlan.appSubnet) and
   * a security group with no inbound rule. The app must serve this trust
   * (spec.apps[].trusts). The same attachment is returned on every call.
   */
  public attachApp(appName: string): AppAttachment {
    const existing = this.apps.get(appName);
    if (existing) return existing;
    let subnets = this.appSubnetsByName.get(appName);
    // An app added to the spec after the spoke was made (Backbone.addApp) gets its subnets now,
    // once it serves this trust and has its slot in the address plan.
    if (!subnets && this.spec.appsServing(this.odsCode).some((a) => a.name === appName) && this.plan.lock.apps[appName] !== undefined) {
      subnets = this.makeAppSubnets(appName);
    }
    if (!subnets) {
      const known = this.spec.apps.some((a) => a.name === appName);
      throw BackboneError.of('appName', known
        ? `"${appName}" does not serve trust ${this.odsCode} (add ${this.odsCode} to the app's trusts)`
        : `"${appName}" is not an app of backbone ${this.spec.name} (one of: ${this.spec.apps.map((a) => a.name).join(', ') || 'none'})`);
    }
    const securityGroup = new ec2.SecurityGroup(this, `App${pascal(appName)}SecurityGroup`, {
      vpc: this.vpc,
      securityGroupName: this.spec.naming.trust(this.odsCode, `app-${appName}`),
      description: `App ${appName} in trust ${this.odsCode}: no inbound rule by default`,
      allowAllOutbound: true,
    });
    const attachment: AppAttachment = {
      appName,
      odsCode: this.odsCode,
      cidr: this.plan.appSubnet(this.odsCode, appName),
      subnets: [...subnets],
      securityGroup,
    };
    this.apps.set(appName, attachment);
    return attachment;
  }
}

function pascal(s: string): string {
  return s.split(/[^a-zA-Z0-9]+/).filter(Boolean).map((w) => w[0].toUpperCase() + w.slice(1)).join('');
}
