import { ServiceAccount } from '@cdktf/provider-google/lib/service-account';
import { ITerraformDependable, TerraformStack } from 'cdktf';
import { Construct, IConstruct } from 'constructs';
import { serviceAccountEmail } from './ids';
import { BackboneSpec } from '../../core/backbone-spec';
import { BackboneError } from '../../core/errors';
import { NameKind } from '../../core/naming';
import { checkProjectId } from '../network/ids';

/** An identity of the backbone that resources can grant access to. */
export interface IWorkloadIdentity extends IConstruct {
  /** The service account's email. */
  readonly email: string;
  /** The IAM member string: `serviceAccount:<email>`. */
  readonly member: string;
  /** The project the service account lives in. */
  readonly projectId: string;
}

/** Props of a workload identity. */
export interface WorkloadIdentityProps {
  /** The validated backbone spec. */
  readonly spec: BackboneSpec;
  /** The app (by its name in the spec) this identity runs. */
  readonly appName: string;
  /** The project the service account is created in (the trust's project). */
  readonly projectId: string;
  /**
   * The trust the app runs for: the identity is then per app and trust, and
   * the app must serve that trust.
   * @default - one identity for the app across the backbone
   */
  readonly odsCode?: string;
}

const WORKLOAD_IDENTITY = Symbol.for('nhs-backbone.gcp.WorkloadIdentity');

/**
 * The identity a specialist app runs as: one Google service account, with no
 * key ever (the app gets short-lived tokens from the metadata server or from
 * workload identity federation; the organisation policy
 * `iam.disableServiceAccountKeyCreation` should forbid keys outright, see
 * docs/gcp-identity.md). It has no role of its own: resources grant it access
 * through their own methods (`key.grantEncryptDecrypt(identity)`).
 */
export class WorkloadIdentity extends Construct implements IWorkloadIdentity {
  /** True for a WorkloadIdentity built by this library (also across copies of it). */
  public static isWorkloadIdentity(x: unknown): x is WorkloadIdentity {
    return typeof x === 'object' && x !== null && (x as any)[WORKLOAD_IDENTITY] === true;
  }

  /**
   * Refuses (with a BackboneError naming `path`) anything that is not a
   * backbone WorkloadIdentity. Used by every grant method.
   * @internal
   */
  public static _check(grantee: unknown, path: string = 'grantee'): WorkloadIdentity {
    if (!WorkloadIdentity.isWorkloadIdentity(grantee)) {
      const what = typeof grantee === 'object' && grantee !== null && 'node' in grantee
        ? `construct ${(grantee as IConstruct).node.path}`
        : JSON.stringify(grantee);
      throw BackboneError.of(path, `${what} is not an identity of the backbone (grant to a WorkloadIdentity)`);
    }
    return grantee;
  }

  public readonly email: string;
  public readonly member: string;
  public readonly projectId: string;
  /** The service account id (6-30 characters). */
  public readonly accountId: string;
  /** The app this identity runs. */
  public readonly appName: string;
  /** The trust, when the identity is per trust. */
  public readonly odsCode?: string;
  /** The service account. */
  public readonly resource: ServiceAccount;

  constructor(scope: Construct, id: string, props: WorkloadIdentityProps) {
    super(scope, id);
    Object.defineProperty(this, WORKLOAD_IDENTITY, { value: true });
    const { spec } = props;
    const app = spec.apps.find((a) => a.name === props.appName);
    if (!app) {
      throw BackboneError.of('appName', `"${props.appName}" is not an app of backbone ${spec.name} (one of: ${spec.apps.map((a) => a.name).join(', ') || 'none'})`);
    }
    if (props.odsCode !== undefined) {
      spec.trust(props.odsCode);
      if (!(app.trusts ?? []).includes(props.odsCode)) {
        throw BackboneError.of('odsCode', `"${props.odsCode}" is not a trust app ${app.name} serves (${(app.trusts ?? []).join(', ')})`);
      }
    }
    this.projectId = checkProjectId('projectId', props.projectId);
    this.appName = app.name;
    this.odsCode = props.odsCode;
    this.accountId = spec.naming.name(NameKind.GCP_SERVICE_ACCOUNT, props.odsCode ? [props.odsCode, app.name] : [app.name]);
    this.email = serviceAccountEmail(this.accountId, this.projectId);
    this.member = `serviceAccount:${this.email}`;
    this.resource = new ServiceAccount(this, 'Resource', {
      project: this.projectId,
      accountId: this.accountId,
      displayName: `${app.name}${props.odsCode ? ` (${props.odsCode})` : ''}`.slice(0, 100),
      description: `Workload identity of app ${app.name}${props.odsCode ? ` for trust ${props.odsCode}` : ''} (${spec.name}). No keys: short-lived tokens only.`,
    });
  }

  /**
   * What a grant resource made for this identity should depend on: the
   * service account when the grant is in the same stack, else nothing (the
   * identity's stack is applied first).
   * @internal
   */
  public _dependable(from: IConstruct): ITerraformDependable[] {
    return TerraformStack.of(from) === TerraformStack.of(this) ? [this.resource] : [];
  }
}
