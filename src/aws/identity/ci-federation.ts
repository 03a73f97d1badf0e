import { Duration, Stack, Tags, aws_iam as iam } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { BackbonePermissionsBoundary } from './permissions-boundary';
import { ROLE_KIND_TAG, RoleKind } from './role-kind';
import { BackboneSpec } from '../../core/backbone-spec';
import { BackboneError } from '../../core/errors';
import { CiIssuer, checkCiSubject } from '../../core/identity';
import { NameKind } from '../../core/naming';
import { Cloud } from '../../core/regions';
import { acknowledgeNag } from '../compliance/internal';

/** The audience AWS's STS expects in a CI token (what aws-actions/configure-aws-credentials asks for). */
const STS_AUDIENCE = 'sts.amazonaws.com';

/** Props of CI federation. */
export interface CiFederationProps {
  /** The validated backbone spec: its `identity.ci` gives the issuer and the subject. */
  readonly spec: BackboneSpec;
  /**
   * The subject the deploy role is pinned to; overrides the spec's.
   * A bare wildcard, or one before the repository is named, is refused.
   * @default - the spec's `identity.ci.subject`
   */
  readonly subject?: string;
  /**
   * The ARN of an OIDC provider for the issuer that already exists in the
   * account (IAM allows one per issuer URL per account).
   * @default - the provider is created (AWS::IAM::OIDCProvider)
   */
  readonly existingProviderArn?: string;
  /**
   * The CDK bootstrap qualifier whose roles (deploy, file and image
   * publishing, lookup) the pipeline may assume in the backbone's region.
   * @default "hnb659fds" (CDK's default)
   */
  readonly cdkQualifier?: string;
  /**
   * The permissions boundary the deploy role is created under.
   * @default - the backbone's boundary, by its deterministic name
   */
  readonly permissionsBoundary?: iam.IManagedPolicy;
}

/**
 * CI federation: the pipeline (GitHub Actions by default) deploys with
 * short-lived tokens, never long-lived keys. An IAM OIDC provider for the
 * issuer (the native AWS::IAM::OIDCProvider, no custom-resource Lambda) and a
 * deploy role that trusts it only for tokens whose audience is STS and whose
 * subject is the spec's (StringEquals; StringLike only when the subject has
 * a wildcard after the repository), under the backbone's boundary, with
 * one-hour sessions. The role may only assume CDK's bootstrap roles in the
 * backbone's region: CloudFormation does the deploying.
 */
export class CiFederation extends Construct {
  /** The deploy role's name, derived from the spec alone. */
  public static roleName(spec: BackboneSpec): string {
    return spec.naming.hub('ci-deploy', NameKind.IAM_ROLE);
  }

  /** The OIDC provider. */
  public readonly provider: iam.IOidcProvider;
  /** The deploy role the pipeline assumes. */
  public readonly role: iam.Role;
  /** The subject the role is pinned to. */
  public readonly subject: string;
  /** The issuer trusted. */
  public readonly issuerUrl: string;

  constructor(scope: Construct, id: string, props: CiFederationProps) {
    super(scope, id);
    const { spec } = props;
    const ci = spec.identity.ci;
    if (props.subject === undefined && !ci) {
      throw BackboneError.of('identity.ci', 'is not set: give identity.ci.subject (e.g. "repo:my-org/my-repo:environment:prod") or the subject prop');
    }
    // AWS matches wildcards with StringLike, so a wildcard after the repository is allowed.
    this.subject = props.subject !== undefined
      ? checkCiSubject(props.subject, 'subject', true)
      : checkCiSubject(ci!.subject, 'identity.ci.subject', true);
    const issuer = ci?.issuer ? CiIssuer.custom('ci', ci.issuer) : CiIssuer.GITHUB_ACTIONS;
    this.issuerUrl = issuer.url;

    if (props.existingProviderArn !== undefined) {
      this.provider = iam.OidcProviderNative.fromOidcProviderArn(this, 'Provider', props.existingProviderArn);
    } else {
      this.provider = new iam.OidcProviderNative(this, 'Provider', {
        url: issuer.url,
        clientIds: [STS_AUDIENCE],
      });
    }

    const key = issuer.hostPath;
    const subjectMatch = /[*?]/.test(this.subject) ? 'StringLike' : 'StringEquals';
    const conditions: { [op: string]: { [k: string]: string } } = {
      StringEquals: { [`${key}:aud`]: STS_AUDIENCE },
    };
    conditions[subjectMatch] = { ...(conditions[subjectMatch] ?? {}), [`${key}:sub`]: this.subject };

    this.role = new iam.Role(this, 'Resource', {
      roleName: CiFederation.roleName(spec),
      description: `nhs-backbone ${spec.name}: CI deploy role for ${this.subject}`,
      assumedBy: new iam.OpenIdConnectPrincipal(this.provider, conditions),
      permissionsBoundary: props.permissionsBoundary ?? BackbonePermissionsBoundary.fromSpec(this, 'Boundary', spec),
      maxSessionDuration: Duration.hours(1),
    });
    Tags.of(this.role).add(ROLE_KIND_TAG, RoleKind.CI_DEPLOY);

    acknowledgeNag(this, ['IAMNoInlinePolicy'], 'The deploy role\'s one statement (sts:AssumeRole on the four CDK bootstrap roles of the backbone\'s region) is a CloudFormation-managed AWS::IAM::Policy attached to this role only; a customer-managed policy would add a resource and no control.');
    const qualifier = props.cdkQualifier ?? 'hnb659fds';
    if (!/^[a-z0-9]{1,10}$/.test(qualifier)) {
      throw BackboneError.of('cdkQualifier', `"${qualifier}" is not a CDK bootstrap qualifier (1-10 lower-case letters or digits)`);
    }
    const region = spec.region(Cloud.AWS);
    this.role.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'AssumeCdkBootstrapRoles',
      actions: ['sts:AssumeRole'],
      resources: ['deploy', 'file-publishing', 'image-publishing', 'lookup'].map((r) =>
        Stack.of(this).formatArn({ service: 'iam', region: '', resource: 'role', resourceName: `cdk-${qualifier}-${r}-role-${Stack.of(this).account}-${region}` })),
    }));
  }
}
