import { IamWorkloadIdentityPool } from '@cdktf/provider-google/lib/iam-workload-identity-pool';
import { IamWorkloadIdentityPoolProvider } from '@cdktf/provider-google/lib/iam-workload-identity-pool-provider';
import { ProjectIamMember } from '@cdktf/provider-google/lib/project-iam-member';
import { ServiceAccount } from '@cdktf/provider-google/lib/service-account';
import { ServiceAccountIamMember } from '@cdktf/provider-google/lib/service-account-iam-member';
import { Construct } from 'constructs';
import { checkRole, federationId, serviceAccountEmail } from './ids';
import { BackboneSpec } from '../../core/backbone-spec';
import { BackboneError } from '../../core/errors';
import { CiIssuer, checkCiSubject } from '../../core/identity';
import { NameKind } from '../../core/naming';
import { checkProjectId } from '../network/ids';

/** Props of CI federation. */
export interface CiFederationProps {
  /** The validated backbone spec; `identity.ci` (issuer and subject) must be set. */
  readonly spec: BackboneSpec;
  /** The project holding the pool and the deploy service account (the hub's project). */
  readonly projectId: string;
  /**
   * Roles the deploy service account gets on `projectId`. Owner, editor and
   * IAM security admin are refused.
   * @default - none: grant narrow roles per project where the pipeline deploys
   */
  readonly deployRoles?: string[];
}

/**
 * CI deploys without long-lived keys: a workload identity pool with one OIDC
 * provider for the CI issuer (GitHub Actions by default), whose attribute
 * condition pins tokens to the spec's subject, and a deploy service account
 * that only that subject may impersonate (roles/iam.workloadIdentityUser).
 * The service account never has a key.
 */
export class CiFederation extends Construct {
  /** The pool. */
  public readonly pool: IamWorkloadIdentityPool;
  /** The OIDC provider. */
  public readonly provider: IamWorkloadIdentityPoolProvider;
  /** The deploy service account. */
  public readonly deployServiceAccount: ServiceAccount;
  /** The deploy service account's email (what the pipeline impersonates). */
  public readonly deployServiceAccountEmail: string;
  /** The subject tokens must carry. */
  public readonly subject: string;
  /** The CEL condition every token must satisfy. */
  public readonly attributeCondition: string;
  /** The principal (or principal set) allowed to impersonate the deploy account. */
  public readonly principal: string;

  constructor(scope: Construct, id: string, props: CiFederationProps) {
    super(scope, id);
    const { spec } = props;
    const ci = spec.identity.ci;
    if (!ci) throw BackboneError.of('identity.ci', 'is required for CI federation (issuer and subject, e.g. subject "repo:my-org/my-repo:environment:prod")');
    const project = checkProjectId('projectId', props.projectId);
    const subject = checkCiSubject(ci.subject, 'identity.ci.subject', true);
    if (subject.length > 127) {
      throw BackboneError.of('identity.ci.subject', `"${subject}" is longer than the 127 characters Google allows in google.subject`);
    }
    const issuer = ci.issuer ?? CiIssuer.GITHUB_ACTIONS.url;
    const github = issuer === CiIssuer.GITHUB_ACTIONS.url;
    const repoMatch = /^repo:([^/:]+\/[^/:]+):/.exec(subject);
    const wildcard = /[*?]/.test(subject);
    let prefix: string | undefined;
    if (wildcard) {
      if (!/^[^*?]+\*$/.test(subject)) {
        throw BackboneError.of('identity.ci.subject', `"${subject}" has a wildcard Google Cloud cannot match: only one trailing "*" is allowed (e.g. "repo:my-org/my-repo:ref:refs/heads/release-*")`);
      }
      if (!repoMatch) {
        throw BackboneError.of('identity.ci.subject', `"${subject}" has a wildcard but names no repository ("repo:<org>/<repo>:..."): give the exact subject`);
      }
      prefix = subject.slice(0, -1);
    }
    this.subject = subject;
    this.attributeCondition = prefix !== undefined
      ? `assertion.sub.startsWith('${cel(prefix)}')`
      : `assertion.sub == '${cel(subject)}'`;

    const mapping: { [k: string]: string } = { 'google.subject': 'assertion.sub' };
    // assertion.repository exists in GitHub's tokens (and GitHub-style subjects only).
    if (github || repoMatch) mapping['attribute.repository'] = 'assertion.repository';

    this.pool = new IamWorkloadIdentityPool(this, 'Pool', {
      project,
      workloadIdentityPoolId: federationId(spec, 'ci'),
      displayName: 'CI federation'.slice(0, 32),
      description: `CI pipelines of ${spec.name} (${spec.environment}), pinned to ${subject}`.slice(0, 256),
    });
    this.provider = new IamWorkloadIdentityPoolProvider(this, 'Provider', {
      project,
      workloadIdentityPoolId: this.pool.workloadIdentityPoolId,
      workloadIdentityPoolProviderId: github ? 'github-actions' : 'ci-oidc',
      displayName: (github ? 'GitHub Actions' : 'CI OIDC').slice(0, 32),
      oidc: { issuerUri: issuer },
      attributeMapping: mapping,
      attributeCondition: this.attributeCondition,
    });

    const accountId = spec.naming.name(NameKind.GCP_SERVICE_ACCOUNT, ['ci-deploy']);
    this.deployServiceAccountEmail = serviceAccountEmail(accountId, project);
    this.deployServiceAccount = new ServiceAccount(this, 'DeployAccount', {
      project,
      accountId,
      displayName: 'CI deploy',
      description: `Impersonated by CI (${subject}) through workload identity federation. No keys.`.slice(0, 256),
    });
    this.principal = prefix !== undefined
      ? `principalSet://iam.googleapis.com/${this.pool.name}/attribute.repository/${repoMatch![1]}`
      : `principal://iam.googleapis.com/${this.pool.name}/subject/${subject}`;
    new ServiceAccountIamMember(this, 'WorkloadIdentityUser', {
      serviceAccountId: this.deployServiceAccount.name,
      role: 'roles/iam.workloadIdentityUser',
      member: this.principal,
      dependsOn: [this.provider],
    });
    (props.deployRoles ?? []).forEach((role, i) => {
      checkRole(`deployRoles[${i}]`, role);
      new ProjectIamMember(this, `Deploy-${role.replace(/\//g, '-')}`, {
        project,
        role,
        member: `serviceAccount:${this.deployServiceAccountEmail}`,
        dependsOn: [this.deployServiceAccount],
      });
    });
  }
}

/** Escapes a string for a single-quoted CEL literal. */
function cel(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/'/g, "\\'");
}
