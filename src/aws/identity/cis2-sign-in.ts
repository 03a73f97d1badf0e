import { Duration, SecretValue, aws_elasticloadbalancingv2 as elbv2 } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { BackboneSpec } from '../../core/backbone-spec';
import { BackboneError } from '../../core/errors';
import { AssuranceLevel, Cis2Environment } from '../../core/identity';
import { AppIngress } from '../../core/spec';

/** Props of CIS2 sign-in at an app's edge. */
export interface Cis2SignInProps {
  /** The validated backbone spec: its `identity.cis2` gives the environment, client id, secret name and assurance. */
  readonly spec: BackboneSpec;
  /** The app (with internet ingress) whose edge this is. */
  readonly appName: string;
  /** The app's HTTPS listener on its application load balancer. */
  readonly listener: elbv2.IApplicationListener;
  /** What to do once the user is signed in (usually forward to the app's target group). */
  readonly next: elbv2.ListenerAction;
  /**
   * The CIS2 environment by name (`live` or `integration`); overrides the spec's.
   * @default - the spec's `identity.cis2.environment`
   */
  readonly environment?: string;
  /**
   * Conditions of a listener rule, when the listener serves more than this
   * app (give `priority` too).
   * @default - the listener's default action signs in every request
   */
  readonly conditions?: elbv2.ListenerCondition[];
  /**
   * The rule's priority, with `conditions`.
   * @default - none (default action)
   */
  readonly priority?: number;
  /**
   * How long a sign-in lasts before CIS2 is asked again.
   * @default Duration.hours(12) - one clinical shift
   */
  readonly sessionTimeout?: Duration;
}

/**
 * NHS CIS2 staff sign-in at an internet-facing app's edge: the load balancer's
 * `authenticate-oidc` action (authorisation code flow) in front of the app,
 * with the issuer and endpoints of the chosen CIS2 environment, the client id
 * from the spec, the client secret as a Secrets Manager dynamic reference
 * (never a literal in the template), CIS2's RBAC scopes and the assurance
 * level as `acr_values`. Requests without a session are sent to sign in.
 */
export class Cis2SignIn extends Construct {
  /** The CIS2 environment in use. */
  public readonly environment: Cis2Environment;
  /** The assurance level asked for (acr_values). */
  public readonly assurance: string;
  /** The session cookie's name. */
  public readonly sessionCookieName: string;

  constructor(scope: Construct, id: string, props: Cis2SignInProps) {
    super(scope, id);
    const { spec, appName } = props;
    const cis2 = spec.identity.cis2;
    if (!cis2) {
      throw BackboneError.of('identity.cis2', 'is not set: give identity.cis2 (environment, clientId) so the edge signs staff in with NHS CIS2');
    }
    const app = spec.apps.find((a) => a.name === appName);
    if (!app) {
      throw BackboneError.of('appName', `"${appName}" is not an app of backbone ${spec.name} (one of: ${spec.apps.map((a) => a.name).join(', ') || 'none'})`);
    }
    if (app.ingress !== AppIngress.INTERNET) {
      throw BackboneError.of('appName', `app "${appName}" has ingress ${app.ingress ?? AppIngress.NONE}: CIS2 sign-in at the edge is for apps whose ingress is internet`);
    }
    this.environment = props.environment !== undefined
      ? Cis2Environment.fromName(props.environment, 'environment')
      : Cis2Environment.fromName(cis2.environment, 'identity.cis2.environment');
    const assurance = cis2.assurance ?? AssuranceLevel.AAL2_OR_AAL3;
    if (!(Object.values(AssuranceLevel) as string[]).includes(assurance)) {
      throw BackboneError.of('identity.cis2.assurance', `"${assurance}" is not an assurance level (one of: ${Object.values(AssuranceLevel).join(', ')})`);
    }
    this.assurance = assurance;
    checkHttps(props.listener);
    if ((props.conditions === undefined) !== (props.priority === undefined)) {
      throw BackboneError.of(props.priority === undefined ? 'priority' : 'conditions', 'conditions and priority go together (a listener rule needs both)');
    }
    this.sessionCookieName = `nhs-backbone-${appName}-session`;

    const action = elbv2.ListenerAction.authenticateOidc({
      issuer: this.environment.issuer,
      authorizationEndpoint: this.environment.authorizationEndpoint,
      tokenEndpoint: this.environment.tokenEndpoint,
      userInfoEndpoint: this.environment.userInfoEndpoint,
      clientId: cis2.clientId,
      clientSecret: SecretValue.secretsManager(cis2.clientSecretName ?? 'cis2-client-secret'),
      scope: Cis2Environment.SCOPES.join(' '),
      authenticationRequestExtraParams: { acr_values: assurance },
      onUnauthenticatedRequest: elbv2.UnauthenticatedAction.AUTHENTICATE,
      sessionCookieName: this.sessionCookieName,
      sessionTimeout: props.sessionTimeout ?? Duration.hours(12),
      next: props.next,
    });
    props.listener.addAction(`Cis2${pascal(appName)}`, {
      action,
      conditions: props.conditions,
      priority: props.priority,
    });
  }
}

/** Refuses a listener whose protocol is known and is not HTTPS (imported listeners cannot be checked). */
function checkHttps(listener: elbv2.IApplicationListener): void {
  const cfn = listener.node.defaultChild;
  if (cfn instanceof elbv2.CfnListener && typeof cfn.protocol === 'string' && cfn.protocol !== 'HTTPS') {
    throw BackboneError.of('listener', `is an ${cfn.protocol} listener: CIS2 sign-in needs HTTPS (the session cookie and the authorisation code must not cross the network in clear)`);
  }
}

function pascal(s: string): string {
  return s.replace(/(^|-)([a-z0-9])/g, (_m, _d, c: string) => c.toUpperCase());
}
