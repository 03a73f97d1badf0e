import {
  ArnFormat, Duration, RemovalPolicy, Stack,
  aws_ec2 as ec2,
  aws_iam as iam,
  aws_logs as logs,
  aws_networkfirewall as nfw,
  aws_route53 as route53,
  aws_route53_targets as targets,
  aws_route53profiles as r53profiles,
  aws_route53resolver as resolver,
  custom_resources as cr,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { acknowledgeCustomResourceFunction, closeDefaultSecurityGroup, CUSTOM_RESOURCE_POLICY_REASON, DefaultSecurityGroupCloser } from './default-security-group';
import { buildFirewallPolicy } from './firewall-policy';
import { HscnConnection } from './hscn-connection';
import { HubParameters, HubValue } from './hub-parameters';
import { PlanIpAddresses } from './plan-ip-addresses';
import { AWS_AZS } from './zones';
import { AddressPlan, HubSubnet } from '../../core/address-plan';
import { HSCN_CLIENT_RANGE } from '../../core/app-contract';
import { BackboneSpec } from '../../core/backbone-spec';
import { acknowledgeNag } from '../compliance/internal';
import { CentralLogStore } from '../logging/central-log-store';

/** The construct id (in the stack) of aws-cdk-lib's AwsCustomResource handler function. */
const AWS_CUSTOM_RESOURCE_FUNCTION_ID = 'AWS679f53fac002430cb0da5b7982bd2287';

/** HSCN DNS resolvers (cns0.nhs.uk, cns1.nhs.uk). */
export const HSCN_DNS_SERVERS = ['155.231.231.1', '155.231.231.2'];
/** The domain forwarded to the HSCN DNS resolvers. */
export const HSCN_DNS_DOMAIN = 'nhs.uk';
/** The NHS range on the HSCN (N3/Transition Network addressing policy). */
const HSCN_PRIVATE_RANGE = HSCN_CLIENT_RANGE;

/**
 * An AWS service reached through the hub's interface endpoints. Its private
 * DNS name is served to every spoke from a private hosted zone.
 */
export class HubEndpointService {
  public static readonly KMS = new HubEndpointService('kms', 'Kms');
  public static readonly LOGS = new HubEndpointService('logs', 'Logs');
  public static readonly STS = new HubEndpointService('sts', 'Sts');
  public static readonly SECRETS_MANAGER = new HubEndpointService('secretsmanager', 'SecretsManager');
  public static readonly ECR_API = new HubEndpointService('ecr.api', 'EcrApi', 'api.ecr');
  public static readonly ECR_DKR = new HubEndpointService('ecr.dkr', 'EcrDkr', 'dkr.ecr');
  public static readonly SSM = new HubEndpointService('ssm', 'Ssm');
  public static readonly SSM_MESSAGES = new HubEndpointService('ssmmessages', 'SsmMessages');
  public static readonly EC2_MESSAGES = new HubEndpointService('ec2messages', 'Ec2Messages');
  /** AWS HealthImaging control plane (datastores, import jobs). */
  public static readonly MEDICAL_IMAGING = new HubEndpointService('medical-imaging', 'MedicalImaging');
  /** AWS HealthImaging image-set and frame APIs. */
  public static readonly RUNTIME_MEDICAL_IMAGING = new HubEndpointService('runtime-medical-imaging', 'RuntimeMedicalImaging');
  /** AWS HealthImaging DICOMweb (STOW-RS, QIDO-RS, WADO-RS): the DIMSE gateways and DICOMweb apps. */
  public static readonly DICOM_MEDICAL_IMAGING = new HubEndpointService('dicom-medical-imaging', 'DicomMedicalImaging');

  /** Every endpoint the hub creates. */
  public static all(): HubEndpointService[] {
    return [
      this.KMS, this.LOGS, this.STS, this.SECRETS_MANAGER, this.ECR_API, this.ECR_DKR, this.SSM, this.SSM_MESSAGES, this.EC2_MESSAGES,
      this.MEDICAL_IMAGING, this.RUNTIME_MEDICAL_IMAGING, this.DICOM_MEDICAL_IMAGING,
    ];
  }

  private constructor(
    /** The endpoint service's short name, e.g. `ecr.api`. */
    public readonly name: string,
    /** Construct id. */
    public readonly id: string,
    private readonly dnsPrefix: string = name,
  ) {}

  /** The service's regional DNS name, e.g. `api.ecr.eu-west-2.amazonaws.com`. */
  public dnsName(region: string): string {
    return `${this.dnsPrefix}.${region}.amazonaws.com`;
  }
}

/** Props of the hub network. */
export interface HubNetworkProps {
  /** The validated backbone spec. */
  readonly spec: BackboneSpec;
  /** The backbone's address plan. */
  readonly addressPlan: AddressPlan;
  /**
   * The central log store that receives flow and firewall logs.
   * @default - one is created in the hub network's scope
   */
  readonly logStore?: CentralLogStore;
}

/**
 * The backbone's hub on AWS: a transit gateway whose route tables keep trust
 * spokes apart, and the central egress/inspection VPC (AWS Network Firewall,
 * NAT), the shared interface endpoints with private DNS for every spoke, the
 * Route 53 Resolver forwarding of nhs.uk to the HSCN resolvers and the HSCN
 * connection. Spokes attach themselves (see TrustSpoke) using values the hub
 * publishes in SSM parameters.
 */
export class HubNetwork extends Construct {
  /** The hub (egress/inspection) VPC. */
  public readonly vpc: ec2.Vpc;
  /** The transit gateway. */
  public readonly transitGateway: ec2.CfnTransitGateway;
  /** Route table every trust attachment associates with. */
  public readonly spokesRouteTable: ec2.CfnTransitGatewayRouteTable;
  /** Route table of the inspection VPC attachment; trust attachments propagate to it. */
  public readonly hubRouteTable: ec2.CfnTransitGatewayRouteTable;
  /** The hub VPC's transit gateway attachment. */
  public readonly hubAttachment: ec2.CfnTransitGatewayAttachment;
  /** The inspection firewall. */
  public readonly firewall: nfw.CfnFirewall;
  /** The firewall policy. */
  public readonly firewallPolicy: nfw.CfnFirewallPolicy;
  /** The central log store. */
  public readonly logStore: CentralLogStore;
  /** The Route 53 profile that serves the endpoints' private DNS to the spokes. */
  public readonly dnsProfile: r53profiles.CfnProfile;
  /** The FORWARD rule for nhs.uk, when the backbone connects to the HSCN. */
  public readonly nhsUkResolverRule?: resolver.CfnResolverRule;
  /** The HSCN connection, when the spec has one. */
  public readonly hscn?: HscnConnection;

  constructor(scope: Construct, id: string, props: HubNetworkProps) {
    super(scope, id);
    const { spec, addressPlan: plan } = props;
    const stack = Stack.of(this);
    const region = stack.region;
    const azs = AWS_AZS(spec);
    const pool = plan.addressPool;
    this.logStore = props.logStore ?? new CentralLogStore(this, 'LogStore', { spec });

    // ---- the hub VPC -------------------------------------------------------
    this.vpc = new ec2.Vpc(this, 'Resource', {
      vpcName: spec.naming.hub('vpc'),
      ipAddresses: new PlanIpAddresses(plan.hubBlock, {
        firewall: plan.hubSubnet(HubSubnet.FIREWALL),
        gateway: plan.hubSubnet(HubSubnet.GATEWAY),
        dns: plan.hubSubnet(HubSubnet.DNS),
        endpoints: plan.hubSubnet(HubSubnet.ENDPOINTS),
        egress: plan.hubSubnet(HubSubnet.EGRESS),
      }),
      availabilityZones: azs,
      natGateways: azs.length,
      natGatewaySubnets: { subnetGroupName: 'egress' },
      restrictDefaultSecurityGroup: false, // closed below by the hub's own function (no per-stack provider)
      subnetConfiguration: [
        // NAT gateways only; nothing else ever runs here, no public IP on launch.
        { name: 'egress', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 28, mapPublicIpOnLaunch: false },
        { name: 'firewall', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 28 },
        { name: 'gateway', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 28 },
        { name: 'dns', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 28 },
        { name: 'endpoints', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 26 },
      ],
    });
    const group = (name: string) => this.vpc.selectSubnets({ subnetGroupName: name }).subnets as ec2.Subnet[];
    for (const egress of group('egress')) {
      acknowledgeNag(egress, ['VPCNoUnrestrictedRouteToIGW'], 'The hub\'s egress subnets hold only the NAT gateways: their default route to the internet gateway is the backbone\'s one way out, reached only after the firewall has inspected the traffic (and its return path goes back through the firewall). Nothing else runs there and no public IP is given on launch.');
    }

    new ec2.CfnFlowLog(this, 'FlowLog', {
      resourceId: this.vpc.vpcId,
      resourceType: 'VPC',
      trafficType: 'ALL',
      logDestinationType: 's3',
      logDestination: `${this.logStore.bucket.bucketArn}/vpc-flow-logs/hub`,
      maxAggregationInterval: 60,
      destinationOptions: { FileFormat: 'parquet', HiveCompatiblePartitions: true, PerHourPartition: true },
    }).node.addDependency(this.logStore.bucket);

    const closer = new DefaultSecurityGroupCloser(this, 'DefaultSgCloser', { spec, encryptionKey: this.logStore.key });
    closeDefaultSecurityGroup(this, spec, this.vpc.node.defaultChild!, this.vpc.vpcDefaultSecurityGroup, closer.function.functionArn);

    // ---- transit gateway and its route tables --------------------------------
    this.transitGateway = new ec2.CfnTransitGateway(this, 'TransitGateway', {
      description: `nhs-backbone ${spec.name} hub`,
      amazonSideAsn: spec.network.hscn?.asn ?? 64512,
      defaultRouteTableAssociation: 'disable',
      defaultRouteTablePropagation: 'disable',
      autoAcceptSharedAttachments: 'disable',
      dnsSupport: 'enable',
      vpnEcmpSupport: 'enable',
      tags: [{ key: 'Name', value: spec.naming.hub('tgw') }],
    });
    const tgwId = this.transitGateway.ref;
    this.spokesRouteTable = new ec2.CfnTransitGatewayRouteTable(this, 'SpokesRouteTable', {
      transitGatewayId: tgwId,
      tags: [{ key: 'Name', value: spec.naming.hub('tgw-rt-spokes') }],
    });
    this.hubRouteTable = new ec2.CfnTransitGatewayRouteTable(this, 'HubRouteTable', {
      transitGatewayId: tgwId,
      tags: [{ key: 'Name', value: spec.naming.hub('tgw-rt-hub') }],
    });
    this.hubAttachment = new ec2.CfnTransitGatewayAttachment(this, 'HubAttachment', {
      transitGatewayId: tgwId,
      vpcId: this.vpc.vpcId,
      subnetIds: group('gateway').map((s) => s.subnetId),
      // Keeps both directions of a flow in one zone, so the stateful firewall sees them.
      options: { ApplianceModeSupport: 'enable', DnsSupport: 'enable' },
      tags: [{ key: 'Name', value: spec.naming.hub('tgw-attach-hub') }],
    });
    const hubAttachmentId = this.hubAttachment.attrId;
    new ec2.CfnTransitGatewayRouteTableAssociation(this, 'HubAssociation', {
      transitGatewayAttachmentId: hubAttachmentId,
      transitGatewayRouteTableId: this.hubRouteTable.attrTransitGatewayRouteTableId,
    });
    // Spokes only reach the hub: everything (internet, HSCN, other spokes) goes through inspection.
    for (const [rid, cidr] of [['SpokesDefaultRoute', '0.0.0.0/0'], ['SpokesHubRoute', plan.hubBlock]]) {
      new ec2.CfnTransitGatewayRoute(this, rid, {
        transitGatewayRouteTableId: this.spokesRouteTable.attrTransitGatewayRouteTableId,
        destinationCidrBlock: cidr,
        transitGatewayAttachmentId: hubAttachmentId,
      });
    }

    // ---- AWS Network Firewall -----------------------------------------------
    this.firewallPolicy = buildFirewallPolicy(this, 'FirewallPolicy', { spec, addressPlan: plan });
    this.firewall = new nfw.CfnFirewall(this, 'Firewall', {
      firewallName: spec.naming.hub('firewall'),
      description: `nhs-backbone ${spec.name}: inspection of spoke, egress and HSCN traffic`,
      firewallPolicyArn: this.firewallPolicy.attrFirewallPolicyArn,
      vpcId: this.vpc.vpcId,
      subnetMappings: group('firewall').map((s) => ({ subnetId: s.subnetId })),
      deleteProtection: true,
      subnetChangeProtection: true,
      firewallPolicyChangeProtection: false,
    });
    new nfw.CfnLoggingConfiguration(this, 'FirewallLogging', {
      firewallArn: this.firewall.attrFirewallArn,
      loggingConfiguration: {
        logDestinationConfigs: ['ALERT', 'FLOW'].map((type) => ({
          logType: type,
          logDestinationType: 'S3',
          logDestination: { bucketName: this.logStore.bucket.bucketName, prefix: `network-firewall/${type.toLowerCase()}` },
        })),
      },
    }).node.addDependency(this.logStore.bucket);

    // The firewall's endpoint in each zone. CloudFormation lists them
    // (attrEndpointIds) in no fixed order, so each zone's id is read from
    // DescribeFirewall.
    // The account's AwsCustomResource handler (one function per stack) logs to a
    // log group encrypted with the log store's key and kept a year.
    const crLogGroupName = `/nhs-backbone/${spec.naming.hub('custom-resources')}`;
    this.logStore.key.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'AllowLogsCustomResources',
      principals: [new iam.ServicePrincipal(`logs.${region}.amazonaws.com`)],
      actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
      resources: ['*'],
      conditions: {
        ArnEquals: { 'kms:EncryptionContext:aws:logs:arn': stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: crLogGroupName, arnFormat: ArnFormat.COLON_RESOURCE_NAME }) },
      },
    }));
    const crLogGroup = new logs.LogGroup(this, 'CustomResourceLogs', {
      logGroupName: crLogGroupName,
      encryptionKey: this.logStore.key,
      retention: logs.RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const endpoints = new cr.AwsCustomResource(this, 'FirewallEndpoints', {
      onUpdate: {
        service: 'NetworkFirewall',
        action: 'describeFirewall',
        parameters: { FirewallArn: this.firewall.attrFirewallArn },
        physicalResourceId: cr.PhysicalResourceId.of(spec.naming.hub('firewall')),
        outputPaths: azs.map((az) => `FirewallStatus.SyncStates.${az}.Attachment.EndpointId`),
      },
      policy: cr.AwsCustomResourcePolicy.fromSdkCalls({ resources: [this.firewall.attrFirewallArn] }),
      installLatestAwsSdk: false,
      timeout: Duration.minutes(2),
      logGroup: crLogGroup,
    });
    acknowledgeNag(endpoints, ['IAMNoInlinePolicy'], CUSTOM_RESOURCE_POLICY_REASON);
    const handler = stack.node.tryFindChild(AWS_CUSTOM_RESOURCE_FUNCTION_ID);
    if (handler) acknowledgeCustomResourceFunction(handler);
    const endpointIn = (az: string) => endpoints.getResponseField(`FirewallStatus.SyncStates.${az}.Attachment.EndpointId`);

    // ---- routes in the hub VPC ----------------------------------------------
    // The pool, the NHS range on the HSCN and the HSCN DNS resolvers (the pool
    // needs no route of its own when it lies inside 10.0.0.0/8).
    const toTgw = [...(pool.startsWith('10.') ? [] : [pool]), HSCN_PRIVATE_RANGE, ...HSCN_DNS_SERVERS.map((ip) => `${ip}/32`)];
    const route = (subnet: ec2.Subnet, rid: string, cidr: string, via: { gatewayId?: string; vpcEndpointId?: string; transitGatewayId?: string }) => {
      const r = new ec2.CfnRoute(subnet, rid, { routeTableId: subnet.routeTable.routeTableId, destinationCidrBlock: cidr, ...via });
      if (via.transitGatewayId) r.node.addDependency(this.hubAttachment);
      return r;
    };
    // Traffic arriving from the transit gateway goes through the firewall in its zone.
    group('gateway').forEach((s, i) => route(s, 'DefaultViaFirewall', '0.0.0.0/0', { vpcEndpointId: endpointIn(azs[i]) }));
    // After inspection: internet via NAT (added by the VPC), the pool and the HSCN back to the transit gateway.
    for (const s of group('firewall')) toTgw.forEach((c) => route(s, `ToTgw${c.replace(/[./]/g, '-')}`, c, { transitGatewayId: tgwId }));
    // Return path from the internet goes back through the firewall in its zone.
    group('egress').forEach((s, i) => route(s, 'PoolViaFirewall', pool, { vpcEndpointId: endpointIn(azs[i]) }));
    // Endpoints and resolvers answer spokes and reach the HSCN DNS directly over the transit gateway.
    for (const s of [...group('dns'), ...group('endpoints')]) toTgw.forEach((c) => route(s, `ToTgw${c.replace(/[./]/g, '-')}`, c, { transitGatewayId: tgwId }));

    // ---- centralised interface endpoints, with private DNS for every spoke ----
    const endpointSg = new ec2.SecurityGroup(this, 'EndpointsSecurityGroup', {
      vpc: this.vpc,
      securityGroupName: spec.naming.hub('endpoints'),
      description: 'Interface endpoints: HTTPS from the backbone address pool only',
      allowAllOutbound: false,
    });
    endpointSg.addIngressRule(ec2.Peer.ipv4(pool), ec2.Port.tcp(443), 'HTTPS from the backbone');
    this.dnsProfile = new r53profiles.CfnProfile(this, 'DnsProfile', { name: spec.naming.hub('dns') });
    for (const svc of HubEndpointService.all()) {
      const ep = new ec2.InterfaceVpcEndpoint(this, `Endpoint${svc.id}`, {
        vpc: this.vpc,
        service: new ec2.InterfaceVpcEndpointAwsService(svc.name),
        subnets: { subnetGroupName: 'endpoints' },
        securityGroups: [endpointSg],
        privateDnsEnabled: false, // served from the zone below, to the hub and every spoke
        open: false,
      });
      const zone = new route53.PrivateHostedZone(this, `Zone${svc.id}`, {
        zoneName: svc.dnsName(region),
        vpc: this.vpc,
        comment: `nhs-backbone ${spec.name}: private DNS of the hub's ${svc.name} endpoint`,
      });
      new route53.ARecord(zone, 'Alias', { zone, target: route53.RecordTarget.fromAlias(new targets.InterfaceVpcEndpointTarget(ep)) });
      new r53profiles.CfnProfileResourceAssociation(zone, 'ProfileAssociation', {
        name: spec.naming.hub(`dns-${svc.name.replace(/\./g, '-')}`),
        profileId: this.dnsProfile.attrId,
        resourceArn: zone.hostedZoneArn,
      });
    }

    // ---- HSCN DNS: forward nhs.uk to cns0/cns1.nhs.uk ----------------------
    if (spec.network.hscn) {
      const dnsSg = new ec2.SecurityGroup(this, 'ResolverSecurityGroup', {
        vpc: this.vpc,
        securityGroupName: spec.naming.hub('resolver-outbound'),
        description: 'Outbound resolver: DNS to the HSCN resolvers only, no inbound',
        allowAllOutbound: false,
      });
      for (const ip of HSCN_DNS_SERVERS) {
        dnsSg.addEgressRule(ec2.Peer.ipv4(`${ip}/32`), ec2.Port.udp(53), 'DNS to HSCN');
        dnsSg.addEgressRule(ec2.Peer.ipv4(`${ip}/32`), ec2.Port.tcp(53), 'DNS to HSCN');
      }
      const outbound = new resolver.CfnResolverEndpoint(this, 'OutboundResolver', {
        name: spec.naming.hub('resolver-outbound'),
        direction: 'OUTBOUND',
        securityGroupIds: [dnsSg.securityGroupId],
        ipAddresses: group('dns').map((s) => ({ subnetId: s.subnetId })),
      });
      this.nhsUkResolverRule = new resolver.CfnResolverRule(this, 'NhsUkRule', {
        name: spec.naming.hub('nhs-uk'),
        domainName: HSCN_DNS_DOMAIN,
        ruleType: 'FORWARD',
        resolverEndpointId: outbound.attrResolverEndpointId,
        targetIps: HSCN_DNS_SERVERS.map((ip) => ({ ip, port: '53' })),
      });
      new resolver.CfnResolverRuleAssociation(this, 'NhsUkRuleAssociation', {
        name: spec.naming.hub('nhs-uk'),
        resolverRuleId: this.nhsUkResolverRule.attrResolverRuleId,
        vpcId: this.vpc.vpcId,
      });
      HubParameters.publish(this, spec, HubValue.NHS_UK_RESOLVER_RULE_ID, this.nhsUkResolverRule.attrResolverRuleId);

      this.hscn = new HscnConnection(this, 'Hscn', {
        spec,
        transitGatewayId: tgwId,
        hscnRouteTableDefaultAttachmentId: hubAttachmentId,
        propagateToRouteTableId: this.hubRouteTable.attrTransitGatewayRouteTableId,
        advertisedPrefixes: [pool],
      });
    }

    // ---- values the trust stacks read ---------------------------------------
    HubParameters.publish(this, spec, HubValue.TRANSIT_GATEWAY_ID, tgwId);
    HubParameters.publish(this, spec, HubValue.SPOKES_ROUTE_TABLE_ID, this.spokesRouteTable.attrTransitGatewayRouteTableId);
    HubParameters.publish(this, spec, HubValue.HUB_ROUTE_TABLE_ID, this.hubRouteTable.attrTransitGatewayRouteTableId);
    HubParameters.publish(this, spec, HubValue.DNS_PROFILE_ID, this.dnsProfile.attrId);
  }
}
