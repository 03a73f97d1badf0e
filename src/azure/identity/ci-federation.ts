import { FederatedIdentityCredential } from '@cdktf/provider-azurerm/lib/federated-identity-credential';
import { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import { UserAssignedIdentity } from '@cdktf/provider-azurerm/lib/user-assigned-identity';
import { TerraformOutput, Token } from 'cdktf';
import { Construct } from 'constructs';
import { AzureBuiltInRole } from './roles';
import { BackboneSpec } from '../../core/backbone-spec';
import { BackboneError } from '../../core/errors';
import { checkCiSubject } from '../../core/identity';
import { Cloud } from '../../core/regions';

/** Props of the CI federation. */
export interface CiFederationProps {
  /** The validated backbone spec; it must have `identity.ci`. */
  readonly spec: BackboneSpec;
  /** The resource group of the pipeline's identity (the hub's), as a plain name. */
  readonly resourceGroupName: string;
  /**
   * IDs of the resource groups the pipeline deploys into (the hub's and each
   * trust's). Subscription or management-group scopes are refused.
   */
  readonly deployScopes: string[];
  /**
   * IDs of single resources outside the deploy scopes on which the pipeline
   * may only assign (and remove) the backbone's grantable roles: Role Based
   * Access Control Administrator with the same condition, no Contributor.
   * E.g. the container registry the DIMSE gateways pull from (AcrPull).
   * @default - none
   */
  readonly roleAssignmentScopes?: string[];
  /**
   * More exact subjects (e.g. `repo:my-org/my-repo:pull_request` for plans);
   * at most 19 (Azure allows 20 credentials per identity).
   * @default - only spec.identity.ci.subject
   */
  readonly additionalSubjects?: string[];
}

/**
 * CI federation without long-lived secrets: a user-assigned identity for the
 * deploy pipeline with a federated identity credential per subject (issuer
 * from spec.identity.ci, audience api://AzureADTokenExchange). Entra ID
 * matches subjects exactly, so wildcards are refused. The pipeline logs in
 * with `azure/login` (client-id, tenant-id, subscription-id; no secret).
 *
 * On each deploy scope (a resource group, never the subscription) it gets
 * Contributor, Key Vault Crypto Officer (to create keys and rotation
 * policies in RBAC vaults) and Role Based Access Control Administrator with a
 * condition that lets it assign and remove only the data-plane roles the
 * backbone grants (never Owner, User Access Administrator or RBAC
 * administration itself). On each `roleAssignmentScopes` resource (e.g. the
 * gateways' container registry) it gets only that conditioned role.
 */
export class CiFederation extends Construct {
  /** The audience Entra ID expects in federated tokens. */
  public static readonly AUDIENCE = 'api://AzureADTokenExchange';

  /** The ABAC condition on the pipeline's role-assignment rights. */
  public static roleAssignmentCondition(): string {
    const ids = AzureBuiltInRole.grantable().map((r) => r.roleId).join(', ');
    return [
      "((!(ActionMatches{'Microsoft.Authorization/roleAssignments/write'}))",
      ` OR (@Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {${ids}}))`,
      " AND ((!(ActionMatches{'Microsoft.Authorization/roleAssignments/delete'}))",
      ` OR (@Resource[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {${ids}}))`,
    ].join('');
  }

  /** The pipeline's identity. */
  public readonly identity: UserAssignedIdentity;
  /** Its client id: the `client-id` of azure/login. */
  public readonly clientId: string;
  /** The subjects trusted, exactly. */
  public readonly subjects: string[];
  /** The issuer trusted. */
  public readonly issuer: string;

  constructor(scope: Construct, id: string, props: CiFederationProps) {
    super(scope, id);
    const { spec } = props;
    const ci = spec.identity.ci;
    if (!ci) throw BackboneError.of('identity.ci', 'is not set: CI federation needs the CI issuer and subject');
    const subject = checkCiSubject(ci.subject, 'identity.ci.subject', false);
    const more = (props.additionalSubjects ?? []).map((s, i) => checkCiSubject(s, `additionalSubjects[${i}]`, false));
    this.subjects = [...new Set([subject, ...more])];
    if (this.subjects.length > 20) {
      throw BackboneError.of('additionalSubjects', `${more.length} subjects is too many (Azure allows 20 federated credentials per identity, one is spec.identity.ci.subject)`);
    }
    if (!props.deployScopes || props.deployScopes.length === 0) {
      throw BackboneError.of('deployScopes', 'is empty: give the IDs of the resource groups the pipeline deploys into');
    }
    props.deployScopes.forEach((s, i) => {
      if (!Token.isUnresolved(s) && !/^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+$/i.test(s)) {
        throw BackboneError.of(`deployScopes[${i}]`, `"${s}" is not a resource group ID (/subscriptions/<id>/resourceGroups/<name>): the pipeline never gets rights on a whole subscription`);
      }
    });
    (props.roleAssignmentScopes ?? []).forEach((s, i) => {
      if (!Token.isUnresolved(s) && !/^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/[^/]+\/[^/]+\/[^/]+/i.test(s)) {
        throw BackboneError.of(`roleAssignmentScopes[${i}]`, `"${s}" is not a resource ID (/subscriptions/<id>/resourceGroups/<rg>/providers/<namespace>/<type>/<name>): role-assignment rights are given on single resources only`);
      }
    });
    this.issuer = ci.issuer ?? 'https://token.actions.githubusercontent.com';
    const tags = { ...spec.tagsFor(), 'backbone-principal': 'ci' };

    this.identity = new UserAssignedIdentity(this, 'Resource', {
      name: spec.naming.hub('ci-deploy-id'),
      resourceGroupName: props.resourceGroupName,
      location: spec.region(Cloud.AZURE),
      tags,
    });
    this.clientId = this.identity.clientId;
    new TerraformOutput(this, 'ClientId', {
      value: this.identity.clientId,
      description: 'client-id for azure/login in the deploy pipeline (with the tenant and subscription ids; no secret)',
    });

    this.subjects.forEach((s, i) => {
      new FederatedIdentityCredential(this, i === 0 ? 'Credential' : `Credential-${slug(s)}`, {
        name: i === 0 ? spec.naming.hub('ci-fic') : spec.naming.hub(`ci-fic-${slug(s)}`),
        resourceGroupName: props.resourceGroupName,
        parentId: this.identity.id,
        issuer: this.issuer,
        subject: s,
        audience: [CiFederation.AUDIENCE],
      });
    });

    const condition = CiFederation.roleAssignmentCondition();
    props.deployScopes.forEach((scopeId, i) => {
      const key = Token.isUnresolved(scopeId) ? String(i) : scopeId.split('/').pop()!;
      const assign = (role: AzureBuiltInRole, extra: { condition?: string; conditionVersion?: string } = {}) =>
        new RoleAssignment(this, `${role.roleName.replace(/\s+/g, '')}-${key}`, {
          scope: scopeId,
          roleDefinitionName: role.roleName,
          principalId: this.identity.principalId,
          principalType: 'ServicePrincipal',
          description: `nhs-backbone deploy pipeline (${this.subjects[0]})`,
          ...extra,
        });
      assign(AzureBuiltInRole.CONTRIBUTOR);
      assign(AzureBuiltInRole.KEY_VAULT_CRYPTO_OFFICER);
      assign(AzureBuiltInRole.ROLE_BASED_ACCESS_CONTROL_ADMINISTRATOR, { condition, conditionVersion: '2.0' });
    });
    (props.roleAssignmentScopes ?? []).forEach((scopeId, i) => {
      const key = Token.isUnresolved(scopeId) ? String(i) : scopeId.split('/').slice(-2).join('-');
      new RoleAssignment(this, `RoleAssignments-${key}`, {
        scope: scopeId,
        roleDefinitionName: AzureBuiltInRole.ROLE_BASED_ACCESS_CONTROL_ADMINISTRATOR.roleName,
        principalId: this.identity.principalId,
        principalType: 'ServicePrincipal',
        description: `nhs-backbone deploy pipeline (${this.subjects[0]}): assigns the backbone's grantable roles only`,
        condition,
        conditionVersion: '2.0',
      });
    });
  }
}

function slug(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(-40);
}
