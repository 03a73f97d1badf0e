import { Duration, Stack, Tags, aws_iam as iam } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { BackbonePermissionsBoundary } from './permissions-boundary';
import { ROLE_KIND_TAG, RoleKind } from './role-kind';
import { BackboneSpec } from '../../core/backbone-spec';
import { BackboneError } from '../../core/errors';
import { NameKind } from '../../core/naming';
import { GRANT_POLICY_REASON, acknowledgeNag } from '../compliance/internal';

const WORKLOAD_IDENTITY = Symbol.for('nhs-backbone.aws.WorkloadIdentity');


/** A specialist app's workload identity on AWS. */
export interface IWorkloadIdentity extends iam.IGrantable {
  /** The app it belongs to. */
  readonly appName: string;
  /** The role's ARN. */
  readonly roleArn: string;
  /** The role's name. */
  readonly roleName: string;
}

/** Props of a workload identity. */
export interface WorkloadIdentityProps {
  /** The validated backbone spec. */
  readonly spec: BackboneSpec;
  /** The app's name, as in the spec's `apps`. */
  readonly appName: string;
  /**
   * The trust whose copy of the app this identity runs (the role then lives
   * in that trust's stack and is named after its ODS code).
   * @default - a backbone-wide identity for the app
   */
  readonly odsCode?: string;
  /**
   * The service that runs the app and assumes the role.
   * @default "ecs-tasks.amazonaws.com"
   */
  readonly servicePrincipal?: string;
  /**
   * The permissions boundary the role is created under.
   * @default - the backbone's boundary, by its deterministic name (BackbonePermissionsBoundary)
   */
  readonly permissionsBoundary?: iam.IManagedPolicy;
  /**
   * Longest session the role hands out.
   * @default Duration.hours(1)
   */
  readonly maxSessionDuration?: Duration;
}

/**
 * A specialist app's workload identity: an IAM role named from the spec, under
 * the backbone's permissions boundary, assumable only by the service that
 * runs the app (ECS tasks by default, pinned to this account), with no
 * policies of its own. It gets access only through `grant*` methods on the
 * backbone's resources (`key.grantEncryptDecrypt(identity)`), which refuse
 * anything that is not a WorkloadIdentity.
 */
export class WorkloadIdentity extends Construct implements IWorkloadIdentity {
  /** True for a WorkloadIdentity of this library (also across copies of it). */
  public static isWorkloadIdentity(x: unknown): x is WorkloadIdentity {
    return typeof x === 'object' && x !== null && (x as { [WORKLOAD_IDENTITY]?: boolean })[WORKLOAD_IDENTITY] === true;
  }

  /** The role's name for an app (in a trust, or backbone-wide), derived from the spec alone. */
  public static roleNameFor(spec: BackboneSpec, appName: string, odsCode?: string): string {
    return odsCode
      ? spec.naming.trust(odsCode, `app-${appName}`, NameKind.IAM_ROLE)
      : spec.naming.name(NameKind.IAM_ROLE, ['app', appName]);
  }

  public readonly appName: string;
  /** The trust it serves, when it is a per-trust identity. */
  public readonly odsCode?: string;
  /** The IAM role. */
  public readonly role: iam.Role;
  public readonly roleArn: string;
  public readonly roleName: string;
  public readonly grantPrincipal: iam.IPrincipal;

  constructor(scope: Construct, id: string, props: WorkloadIdentityProps) {
    super(scope, id);
    const { spec, appName, odsCode } = props;
    const app = spec.apps.find((a) => a.name === appName);
    if (!app) {
      throw BackboneError.of('appName', `"${appName}" is not an app of backbone ${spec.name} (one of: ${spec.apps.map((a) => a.name).join(', ') || 'none'})`);
    }
    if (odsCode !== undefined && !(app.trusts ?? []).includes(odsCode)) {
      throw BackboneError.of('odsCode', `"${odsCode}" is not a trust app ${appName} serves (${(app.trusts ?? []).join(', ')})`);
    }
    const service = props.servicePrincipal ?? 'ecs-tasks.amazonaws.com';
    if (!/^[a-z0-9.-]+\.amazonaws\.com(\.cn)?$/.test(service)) {
      throw BackboneError.of('servicePrincipal', `"${service}" is not an AWS service principal (e.g. "ecs-tasks.amazonaws.com")`);
    }
    const maxSession = props.maxSessionDuration ?? Duration.hours(1);

    // ECS tasks pass the account in the assume-role request: pin it (confused deputy).
    const conditions = service === 'ecs-tasks.amazonaws.com'
      ? { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } }
      : undefined;
    this.role = new iam.Role(this, 'Resource', {
      roleName: WorkloadIdentity.roleNameFor(spec, appName, odsCode),
      description: `nhs-backbone ${spec.name}: workload identity of app ${appName}${odsCode ? ` for trust ${odsCode}` : ''}`,
      assumedBy: new iam.ServicePrincipal(service, conditions ? { conditions } : undefined),
      permissionsBoundary: props.permissionsBoundary ?? BackbonePermissionsBoundary.fromSpec(this, 'Boundary', spec),
      maxSessionDuration: maxSession,
    });
    Tags.of(this.role).add(ROLE_KIND_TAG, RoleKind.WORKLOAD);
    Tags.of(this.role).add('nhs-backbone:app', appName);

    this.appName = appName;
    this.odsCode = odsCode;
    this.roleArn = this.role.roleArn;
    this.roleName = this.role.roleName;
    this.grantPrincipal = this.role;
    Object.defineProperty(this, WORKLOAD_IDENTITY, { value: true });
    acknowledgeNag(this, ['IAMNoInlinePolicy'], GRANT_POLICY_REASON);
  }
}
