import { ArnFormat, CustomResource, Duration, Stack, aws_iam as iam, aws_kms as kms, aws_lambda as lambda, aws_logs as logs } from 'aws-cdk-lib';
import { Construct, IConstruct } from 'constructs';
import { HubParameters } from './hub-parameters';
import { BackboneSpec } from '../../core/backbone-spec';
import { acknowledgeGuard, acknowledgeNag } from '../compliance/internal';

/**
 * Revokes every rule of a default security group (CloudFormation cannot).
 * Inline code (no asset): AWS SDK v3 ships with the Node.js runtime.
 */
const HANDLER = `
const { EC2Client, RevokeSecurityGroupIngressCommand, RevokeSecurityGroupEgressCommand } = require('@aws-sdk/client-ec2');
const https = require('https');
const ec2 = new EC2Client({});
const ignoreMissing = (e) => { if (!/InvalidPermission\\.NotFound/.test(e.name || '')) throw e; };
function respond(event, status, reason) {
  const body = JSON.stringify({ Status: status, Reason: reason, PhysicalResourceId: event.PhysicalResourceId || ('closed-' + event.ResourceProperties.GroupId),
    StackId: event.StackId, RequestId: event.RequestId, LogicalResourceId: event.LogicalResourceId });
  const u = new URL(event.ResponseURL);
  return new Promise((resolve, reject) => {
    const req = https.request({ hostname: u.hostname, path: u.pathname + u.search, method: 'PUT', headers: { 'content-type': '', 'content-length': Buffer.byteLength(body) } }, (res) => { res.resume(); res.on('end', resolve); });
    req.on('error', reject); req.end(body);
  });
}
exports.handler = async (event) => {
  try {
    if (event.RequestType !== 'Delete') {
      const id = event.ResourceProperties.GroupId;
      await ec2.send(new RevokeSecurityGroupIngressCommand({ GroupId: id, IpPermissions: [{ IpProtocol: '-1', UserIdGroupPairs: [{ GroupId: id }] }] })).catch(ignoreMissing);
      await ec2.send(new RevokeSecurityGroupEgressCommand({ GroupId: id, IpPermissions: [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }] })).catch(ignoreMissing);
    }
    await respond(event, 'SUCCESS', 'ok');
  } catch (e) {
    await respond(event, 'FAILED', String(e && e.message || e));
  }
};
`;

/** Props of the hub function that closes default security groups. @internal */
export interface DefaultSecurityGroupCloserProps {
  readonly spec: BackboneSpec;
  /** The hub key that encrypts the function's log group (the central log store's). */
  readonly encryptionKey: kms.IKey;
}

/** Why the custom-resource functions of the hub are as they are (cdk-nag and cfn-guard). */
export const CUSTOM_RESOURCE_FUNCTION_REASONS: Array<[rules: string[], guard: string[], reason: string]> = [
  [['LambdaInsideVPC'], ['lambda_inside_vpc_check'], 'A CloudFormation custom-resource handler: it must reach the EC2 API and the pre-signed S3 response URL CloudFormation gives it, which the hub firewall\'s egress allow list refuses from inside a VPC; it handles no patient data and runs only during deployments.'],
  [['LambdaDLQ'], [], 'A CloudFormation custom-resource handler: CloudFormation waits for its response and fails (and rolls back) the deployment when it fails, so a dead-letter queue would hold nothing anyone acts on.'],
  [['LambdaConcurrency'], [], 'A CloudFormation custom-resource handler invoked once per VPC per deployment; reserving concurrency would take it from the account\'s pool and throttle parallel trust deployments without protecting anything.'],
  [['IAMNoInlinePolicy'], [], 'The handler\'s role policy is a CloudFormation-managed AWS::IAM::Policy attached to that one role and scoped to the calls it makes; a customer-managed policy would add a resource and no control.'],
];

/** Why a custom resource's SDK-call policy is an AWS::IAM::Policy (cdk-nag). */
export const CUSTOM_RESOURCE_POLICY_REASON = 'The AwsCustomResource\'s policy is a CloudFormation-managed AWS::IAM::Policy on the handler\'s role allowing only the read-only SDK call it makes (DescribeFirewall, DescribeTransitGatewayAttachments); a customer-managed policy would add a resource and no control.';

/** Acknowledges the cdk-nag and cfn-guard findings a custom-resource handler function has by design. */
export function acknowledgeCustomResourceFunction(scope: Construct): void {
  for (const [nag, guard, reason] of CUSTOM_RESOURCE_FUNCTION_REASONS) {
    acknowledgeNag(scope, nag, reason);
    if (guard.length > 0) acknowledgeGuard(scope, guard, reason);
  }
}

/**
 * One function in the hub stack that empties default security groups. Every
 * VPC stack calls it through a custom resource whose service token is the
 * function's deterministic ARN, so the trust stacks carry no Lambda, no asset
 * and no IAM role of their own (CDK's `restrictDefaultSecurityGroup` would
 * stage a provider in each of the 209 stacks).
 * @internal
 */
export class DefaultSecurityGroupCloser extends Construct {
  public readonly function: lambda.Function;

  constructor(scope: Construct, id: string, props: DefaultSecurityGroupCloserProps) {
    super(scope, id);
    const { spec } = props;
    const stack = Stack.of(this);
    const logGroupName = `/aws/lambda/${HubParameters.closeDefaultSgFunctionName(spec)}`;
    props.encryptionKey.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'AllowLogsCloseDefaultSg',
      principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
      actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
      resources: ['*'],
      conditions: {
        ArnEquals: { 'kms:EncryptionContext:aws:logs:arn': stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: logGroupName, arnFormat: ArnFormat.COLON_RESOURCE_NAME }) },
      },
    }));
    const logGroup = new logs.LogGroup(this, 'Logs', {
      logGroupName,
      encryptionKey: props.encryptionKey,
      retention: logs.RetentionDays.ONE_YEAR,
    });
    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Revokes the rules of default security groups of the backbone VPCs',
    });
    role.addToPolicy(new iam.PolicyStatement({
      actions: ['ec2:RevokeSecurityGroupIngress', 'ec2:RevokeSecurityGroupEgress'],
      resources: [stack.formatArn({ service: 'ec2', resource: 'security-group', resourceName: '*' })],
    }));
    role.addToPolicy(new iam.PolicyStatement({
      actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      resources: [logGroup.logGroupArn, `${logGroup.logGroupArn}:*`],
    }));
    this.function = new lambda.Function(this, 'Resource', {
      functionName: HubParameters.closeDefaultSgFunctionName(spec),
      description: 'nhs-backbone: closes default security groups (custom resource handler)',
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline(HANDLER),
      timeout: Duration.minutes(1),
      role,
      logGroup,
    });
    acknowledgeCustomResourceFunction(this);
  }
}

/**
 * Closes a VPC's default security group (no inbound, no outbound) by calling
 * the hub's function. @internal
 */
export function closeDefaultSecurityGroup(
  scope: Construct, spec: BackboneSpec, vpc: IConstruct, groupId: string, serviceToken?: string,
): CustomResource {
  const closed = 'The VPC\'s default security group is emptied at deploy time by the Custom::DefaultSecurityGroupClosed resource beside it (the hub\'s function revokes its inbound and outbound rules); CloudFormation cannot express that, so the template shows the group as AWS creates it.';
  acknowledgeNag(vpc, ['VPCDefaultSecurityGroupClosed'], closed);
  return new CustomResource(scope, 'CloseDefaultSecurityGroup', {
    serviceToken: serviceToken ?? HubParameters.closeDefaultSgFunctionArn(spec),
    resourceType: 'Custom::DefaultSecurityGroupClosed',
    properties: { GroupId: groupId },
  });
}
