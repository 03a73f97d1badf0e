import { LoggingMetric } from '@cdktf/provider-google/lib/logging-metric';
import { MonitoringAlertPolicy } from '@cdktf/provider-google/lib/monitoring-alert-policy';
import { ProjectIamAuditConfig } from '@cdktf/provider-google/lib/project-iam-audit-config';
import { ProjectIamMember } from '@cdktf/provider-google/lib/project-iam-member';
import { ServiceAccount } from '@cdktf/provider-google/lib/service-account';
import { ServiceAccountIamMember } from '@cdktf/provider-google/lib/service-account-iam-member';
import { Token } from 'cdktf';
import { Construct } from 'constructs';
import { checkRole, serviceAccountEmail } from './ids';
import { BackboneSpec } from '../../core/backbone-spec';
import { BackboneError } from '../../core/errors';
import { NameKind } from '../../core/naming';
import { GcpCompliance } from '../compliance/acknowledge';
import { isIamControlRole } from '../compliance/rules';
import { checkProjectId } from '../network/ids';

/** Why break-glass may hold IAM control (NHS-IAM-1), written into each such grant. */
const BREAK_GLASS_IAM_REASON = 'Break-glass emergency access: a keyless service account that only named operators may impersonate, '
  + 'under a time-bound IAM condition (none by default), and every use raises a CRITICAL alert to the security contact; '
  + 'restoring access for a locked-out team needs control of the project IAM policy.';

/** Props of break-glass access. */
export interface BreakGlassProps {
  /** The validated backbone spec. */
  readonly spec: BackboneSpec;
  /** The project holding the emergency service account, its log metric and alert (the hub's project). */
  readonly projectId: string;
  /**
   * Monitoring notification channels the alert goes to
   * (`projects/<project>/notificationChannels/<id>`), watched around the
   * clock (the security on-call). With none, the alert still opens an
   * incident in Cloud Monitoring, but notifies no one.
   */
  readonly notificationChannels: string[];
  /**
   * Roles the emergency account holds on each target project. Owner, editor
   * and IAM security admin are refused.
   * @default ["roles/resourcemanager.projectIamAdmin"] - enough to restore access for a locked-out team
   */
  readonly roles?: string[];
  /**
   * Projects the emergency account holds its roles on.
   * @default - `projectId` only
   */
  readonly targetProjectIds?: string[];
  /**
   * Principals (`group:` or `user:`) who may impersonate the emergency
   * account during an incident, until `accessExpires`.
   * @default - none: the account is dormant until an incident adds operators
   */
  readonly operators?: string[];
  /**
   * When the operators' access ends (RFC 3339, UTC, e.g. `2025-01-31T18:00:00Z`):
   * the IAM condition `request.time < timestamp(...)`. Required with `operators`.
   * @default - no operators
   */
  readonly accessExpires?: string;
}

/**
 * Break-glass: one emergency service account per backbone, with no key,
 * usable only by impersonation by named operators under a time-bound IAM
 * condition. Every use raises an alert: a log-based metric counts audit
 * entries where the account acts or a token is minted for it (Data Access
 * audit logs of the IAM credentials API are switched on for that), and an
 * alert policy notifies the given channels on the first one.
 */
export class BreakGlass extends Construct {
  /** The emergency service account. */
  public readonly serviceAccount: ServiceAccount;
  /** Its email. */
  public readonly email: string;
  /** The audit log filter that matches every use. */
  public readonly logFilter: string;
  /** The log-based metric. */
  public readonly metric: LoggingMetric;
  /** The alert policy. */
  public readonly alert: MonitoringAlertPolicy;

  constructor(scope: Construct, id: string, props: BreakGlassProps) {
    super(scope, id);
    const { spec } = props;
    const project = checkProjectId('projectId', props.projectId);
    const channels = props.notificationChannels;
    if (!Array.isArray(channels)) {
      throw BackboneError.of('notificationChannels', `${JSON.stringify(channels)} is not a list of notification channels ("projects/<project>/notificationChannels/<id>")`);
    }
    channels.forEach((c, i) => {
      if (!Token.isUnresolved(c) && !/^projects\/[a-z][a-z0-9-]{4,28}[a-z0-9]\/notificationChannels\/[0-9]+$/.test(c)) {
        throw BackboneError.of(`notificationChannels[${i}]`, `${JSON.stringify(c)} is not a notification channel ("projects/<project>/notificationChannels/<id>")`);
      }
    });
    const roles = (props.roles ?? ['roles/resourcemanager.projectIamAdmin']).map((r, i) => checkRole(`roles[${i}]`, r));
    const targets = (props.targetProjectIds ?? [project]).map((p, i) => checkProjectId(`targetProjectIds[${i}]`, p));
    const operators = props.operators ?? [];
    operators.forEach((m, i) => {
      if (typeof m !== 'string' || !/^(group|user):[^\s@]+@[^\s@]+\.[^\s@]+$/.test(m)) {
        throw BackboneError.of(`operators[${i}]`, `${JSON.stringify(m)} is not an operator ("group:<email>" or "user:<email>")`);
      }
    });
    if (operators.length > 0 && props.accessExpires === undefined) {
      throw BackboneError.of('accessExpires', 'is required with operators: break-glass access must end (RFC 3339 UTC, e.g. "2025-01-31T18:00:00Z")');
    }
    if (props.accessExpires !== undefined && (typeof props.accessExpires !== 'string'
      || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/.test(props.accessExpires) || isNaN(Date.parse(props.accessExpires)))) {
      throw BackboneError.of('accessExpires', `${JSON.stringify(props.accessExpires)} is not an RFC 3339 UTC time (e.g. "2025-01-31T18:00:00Z")`);
    }

    const accountId = spec.naming.name(NameKind.GCP_SERVICE_ACCOUNT, ['break-glass']);
    this.email = serviceAccountEmail(accountId, project);
    this.serviceAccount = new ServiceAccount(this, 'Resource', {
      project,
      accountId,
      displayName: 'Break-glass (emergency access)',
      description: `Emergency access to ${spec.name}: impersonation only, time-bound, every use alerts. See docs/gcp-identity.md.`,
    });
    for (const target of targets) {
      for (const role of roles) {
        const grant = new ProjectIamMember(this, `Role-${target}-${role.replace(/\//g, '-')}`, {
          project: target,
          role,
          member: `serviceAccount:${this.email}`,
          dependsOn: [this.serviceAccount],
        });
        if (isIamControlRole(role)) GcpCompliance.acknowledge(grant, 'NHS-IAM-1', BREAK_GLASS_IAM_REASON);
      }
    }
    for (const op of operators) {
      new ServiceAccountIamMember(this, `Operator-${op}`, {
        serviceAccountId: this.serviceAccount.name,
        role: 'roles/iam.serviceAccountTokenCreator',
        member: op,
        condition: {
          title: 'break-glass-time-bound',
          description: `Break-glass access until ${props.accessExpires}`,
          expression: `request.time < timestamp("${props.accessExpires}")`,
        },
      });
    }

    // Token minting for the account is a Data Access audit log entry of the IAM credentials API.
    new ProjectIamAuditConfig(this, 'CredentialsAudit', {
      project,
      service: 'iamcredentials.googleapis.com',
      auditLogConfig: [{ logType: 'ADMIN_READ' }, { logType: 'DATA_READ' }, { logType: 'DATA_WRITE' }],
    });
    this.logFilter = 'logName:"cloudaudit.googleapis.com" AND ('
      + `protoPayload.authenticationInfo.principalEmail="${this.email}"`
      + ` OR (protoPayload.serviceName="iamcredentials.googleapis.com" AND protoPayload.resourceName:"${this.email}"))`;
    const metricName = spec.naming.name(NameKind.RESOURCE, ['break-glass-use']);
    this.metric = new LoggingMetric(this, 'UseMetric', {
      project,
      name: metricName,
      description: `Every audit log entry of the break-glass account ${this.email} acting or being impersonated`,
      filter: this.logFilter,
      metricDescriptor: { metricKind: 'DELTA', valueType: 'INT64', unit: '1', displayName: 'Break-glass use' },
    });
    this.alert = new MonitoringAlertPolicy(this, 'UseAlert', {
      project,
      displayName: `Break-glass account used (${spec.name} ${spec.environment})`,
      combiner: 'OR',
      severity: 'CRITICAL',
      enabled: true,
      notificationChannels: channels,
      userLabels: spec.labelsFor(),
      conditions: [{
        displayName: 'Break-glass account used',
        conditionThreshold: {
          filter: `metric.type="logging.googleapis.com/user/${metricName}"`,
          comparison: 'COMPARISON_GT',
          thresholdValue: 0,
          duration: '0s',
          aggregations: [{ alignmentPeriod: '60s', perSeriesAligner: 'ALIGN_SUM', crossSeriesReducer: 'REDUCE_SUM' }],
          trigger: { count: 1 },
        },
      }],
      alertStrategy: { autoClose: '604800s' },
      documentation: {
        mimeType: 'text/markdown',
        subject: `Break-glass used in ${spec.name}`,
        content: `The emergency account ${this.email} was used or impersonated. Confirm an incident is open and who holds the access; if not, disable the account (gcloud iam service-accounts disable ${this.email}) and remove every operator binding. Runbook: docs/gcp-identity.md#break-glass.`,
      },
      dependsOn: [this.metric],
    });
  }
}
