import { Duration, Tags, aws_events as events, aws_events_targets as targets, aws_iam as iam, aws_sns as sns, aws_sns_subscriptions as subs } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { CustomerManagedKey } from './customer-managed-key';
import { ROLE_KIND_TAG, RoleKind } from './role-kind';
import { BackboneSpec } from '../../core/backbone-spec';
import { BackboneError } from '../../core/errors';
import { NameKind } from '../../core/naming';
import { AwsCompliance } from '../compliance/acknowledge';

/** Props of break-glass access. */
export interface BreakGlassAccessProps {
  /** The validated backbone spec. */
  readonly spec: BackboneSpec;
  /**
   * ARNs of the IAM principals (e.g. the sealed break-glass users) that may
   * assume the role. The account's root user and these only, always with MFA.
   * @default - any principal of the account that an IAM policy lets assume it, with MFA
   */
  readonly trustedPrincipalArns?: string[];
  /**
   * AWS managed policies the role gets in an emergency.
   * @default ["AdministratorAccess"]
   */
  readonly managedPolicyNames?: string[];
  /**
   * E-mail addresses told when the role is used (the SNS topic can take
   * other subscribers too).
   * @default - none: subscribe to `topic` elsewhere (e.g. the on-call pager)
   */
  readonly alertEmails?: string[];
}

/**
 * Break-glass: the backbone's one emergency-access role. Only the account
 * (and, with `trustedPrincipalArns`, only named principals) can assume it,
 * only with MFA signed in within the last hour, for one-hour sessions. It is
 * the one backbone role outside the permissions boundary, so that it can
 * repair the boundary itself. Every AssumeRole of it that CloudTrail records
 * raises an alert on an SNS topic encrypted with a customer-managed key.
 */
export class BreakGlassAccess extends Construct {
  /** The role's name, derived from the spec alone. */
  public static roleName(spec: BackboneSpec): string {
    return spec.naming.hub('break-glass', NameKind.IAM_ROLE);
  }

  /** The emergency-access role. */
  public readonly role: iam.Role;
  /** The topic that announces each use. */
  public readonly topic: sns.Topic;
  /** The key that encrypts the topic. */
  public readonly key: CustomerManagedKey;
  /** The EventBridge rule that watches for the role being assumed. */
  public readonly rule: events.Rule;

  constructor(scope: Construct, id: string, props: BreakGlassAccessProps) {
    super(scope, id);
    const { spec } = props;
    const trusted = props.trustedPrincipalArns ?? [];
    trusted.forEach((arn, i) => {
      if (!/^arn:aws[a-z-]*:(iam|sts)::\d{12}:[A-Za-z-]+\/?[\w+=,.@/-]*$/.test(arn)) {
        throw BackboneError.of(`trustedPrincipalArns[${i}]`, `"${arn}" is not an IAM principal ARN (e.g. "arn:aws:iam::123456789012:user/break-glass-1")`);
      }
    });
    const policies = props.managedPolicyNames ?? ['AdministratorAccess'];
    policies.forEach((p, i) => {
      if (!/^[\w+=,.@/-]{1,128}$/.test(p)) {
        throw BackboneError.of(`managedPolicyNames[${i}]`, `"${p}" is not an AWS managed policy name (e.g. "AdministratorAccess")`);
      }
    });

    const conditions: { [op: string]: { [k: string]: unknown } } = {
      Bool: { 'aws:MultiFactorAuthPresent': 'true' },
      NumericLessThan: { 'aws:MultiFactorAuthAge': 3600 },
    };
    if (trusted.length > 0) conditions.ArnEquals = { 'aws:PrincipalArn': trusted };

    this.role = new iam.Role(this, 'Resource', {
      roleName: BreakGlassAccess.roleName(spec),
      description: `nhs-backbone ${spec.name}: BREAK-GLASS emergency access. Use only in an emergency; every use alerts the on-call team. See docs/aws-identity.md.`,
      assumedBy: new iam.AccountRootPrincipal().withConditions(conditions),
      managedPolicies: policies.map((p) => iam.ManagedPolicy.fromAwsManagedPolicyName(p)),
      maxSessionDuration: Duration.hours(1),
    });
    Tags.of(this.role).add(ROLE_KIND_TAG, RoleKind.BREAK_GLASS);
    Tags.of(this.role).add('nhs-backbone:break-glass', 'every use raises an alert');
    if (policies.some((p) => ['AdministratorAccess', 'PowerUserAccess', 'IAMFullAccess'].includes(p))) {
      AwsCompliance.acknowledge(this.role, 'NHS-IAM-1', `The break-glass role is the backbone's one emergency-access role, administrative by design (${policies.join(', ')}) so that it can repair anything, the permissions boundary included. Only the account${trusted.length > 0 ? '\'s named principals' : ''} can assume it, only with MFA used within the hour, for one-hour sessions, and every AssumeRole raises an alert on an encrypted SNS topic.`);
    }

    this.key = new CustomerManagedKey(this, 'AlertKey', { spec, dataClass: 'alerts' });
    this.topic = new sns.Topic(this, 'Topic', {
      topicName: spec.naming.hub('break-glass-alerts'),
      displayName: `nhs-backbone ${spec.name}: break-glass used`,
      masterKey: this.key.key,
      enforceSSL: true,
    });
    (props.alertEmails ?? []).forEach((email, i) => {
      if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) {
        throw BackboneError.of(`alertEmails[${i}]`, `"${email}" is not an e-mail address`);
      }
    });
    for (const email of props.alertEmails ?? []) {
      this.topic.addSubscription(new subs.EmailSubscription(email));
    }

    // CloudTrail records every AssumeRole (API and console switch-role) as an sts event.
    this.rule = new events.Rule(this, 'UseAlert', {
      ruleName: spec.naming.hub('break-glass-used'),
      description: 'Alerts when the break-glass role is assumed',
      eventPattern: {
        source: ['aws.sts'],
        detailType: ['AWS API Call via CloudTrail'],
        detail: {
          eventSource: ['sts.amazonaws.com'],
          eventName: ['AssumeRole'],
          requestParameters: { roleArn: [this.role.roleArn] },
        },
      },
      targets: [new targets.SnsTopic(this.topic, {
        message: events.RuleTargetInput.fromText(
          `BREAK-GLASS role ${BreakGlassAccess.roleName(spec)} in account ${events.EventField.account} was assumed by ${events.EventField.fromPath('$.detail.userIdentity.arn')} from ${events.EventField.fromPath('$.detail.sourceIPAddress')} at ${events.EventField.fromPath('$.time')}`,
        ),
      })],
    });
  }
}
