import { CustomResource, Duration, Stack, aws_iam as iam, aws_lambda as lambda, aws_logs as logs } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { HubParameters } from './hub-parameters';
import { BackboneSpec } from '../../core/backbone-spec';

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
    const logGroup = new logs.LogGroup(this, 'Logs', {
      logGroupName: `/aws/lambda/${HubParameters.closeDefaultSgFunctionName(spec)}`,
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
  }
}

/**
 * Closes a VPC's default security group (no inbound, no outbound) by calling
 * the hub's function. @internal
 */
export function closeDefaultSecurityGroup(scope: Construct, spec: BackboneSpec, groupId: string, serviceToken?: string): CustomResource {
  return new CustomResource(scope, 'CloseDefaultSecurityGroup', {
    serviceToken: serviceToken ?? HubParameters.closeDefaultSgFunctionArn(spec),
    resourceType: 'Custom::DefaultSecurityGroupClosed',
    properties: { GroupId: groupId },
  });
}
