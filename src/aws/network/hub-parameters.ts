import { Aws, aws_ssm as ssm } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { BackboneSpec } from '../../core/backbone-spec';

/** What the hub publishes for the trust stacks. @internal */
export enum HubValue {
  TRANSIT_GATEWAY_ID = 'transit-gateway-id',
  SPOKES_ROUTE_TABLE_ID = 'tgw-spokes-route-table-id',
  HUB_ROUTE_TABLE_ID = 'tgw-hub-route-table-id',
  NHS_UK_RESOLVER_RULE_ID = 'nhs-uk-resolver-rule-id',
  DNS_PROFILE_ID = 'dns-profile-id',
}

/**
 * The hub hands its generated ids (transit gateway, route tables, resolver
 * rule, DNS profile) to the trust stacks through SSM parameters with names
 * derived from the spec, read at deploy time. No CloudFormation export is
 * made, so the hub stays updatable while 209 trust stacks use its values.
 * @internal
 */
export class HubParameters {
  /** The SSM parameter name of a hub value. */
  public static parameterName(spec: BackboneSpec, value: HubValue): string {
    return `/nhs-backbone/${spec.name}/${spec.environment}/hub/${value}`;
  }

  /** Publishes a value (in the hub stack). */
  public static publish(scope: Construct, spec: BackboneSpec, value: HubValue, stringValue: string): ssm.StringParameter {
    return new ssm.StringParameter(scope, `Param-${value}`, {
      parameterName: HubParameters.parameterName(spec, value),
      stringValue,
      description: `nhs-backbone ${spec.name}: ${value} of the hub, read by the trust stacks`,
    });
  }

  /** Reads a value (in a trust stack): a deploy-time SSM parameter reference. */
  public static read(scope: Construct, spec: BackboneSpec, value: HubValue): string {
    return ssm.StringParameter.valueForStringParameter(scope, HubParameters.parameterName(spec, value));
  }

  /** Name of the hub function that closes default security groups. */
  public static closeDefaultSgFunctionName(spec: BackboneSpec): string {
    return spec.naming.hub('close-default-sg');
  }

  /** ARN of that function, from the spec alone. */
  public static closeDefaultSgFunctionArn(spec: BackboneSpec): string {
    return `arn:${Aws.PARTITION}:lambda:${Aws.REGION}:${Aws.ACCOUNT_ID}:function:${HubParameters.closeDefaultSgFunctionName(spec)}`;
  }
}
