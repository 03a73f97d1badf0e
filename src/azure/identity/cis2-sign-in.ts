import { DataAzurermKeyVault } from '@cdktf/provider-azurerm/lib/data-azurerm-key-vault';
import { LinuxWebAppAuthSettingsV2 } from '@cdktf/provider-azurerm/lib/linux-web-app';
import { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import { Construct } from 'constructs';
import { isWorkloadIdentity } from './grant';
import { AzureBuiltInRole } from './roles';
import { IWorkloadIdentity } from './workload-identity';
import { BackboneSpec } from '../../core/backbone-spec';
import { BackboneError } from '../../core/errors';
import { AssuranceLevel, Cis2Environment } from '../../core/identity';
import { NameKind } from '../../core/naming';
import { AppIngress } from '../../core/spec';
import { AzureKeyVaultRef } from '../network/types';

/** Props of CIS2 sign-in at an app's edge. */
export interface Cis2SignInProps {
  /** The validated backbone spec; it must have `identity.cis2`. */
  readonly spec: BackboneSpec;
  /** The app (one of spec.apps, with internet ingress). */
  readonly appName: string;
  /**
   * The web app's identity: it resolves the Key Vault reference to the client
   * secret, and is given Key Vault Secrets User on that one secret.
   */
  readonly identity: IWorkloadIdentity;
  /**
   * The Key Vault holding the client secret (secret `identity.cis2.clientSecretName`).
   * @default - the hub's secrets vault: name spec.naming.hub('secrets', AZURE_KEY_VAULT) in resource group spec.naming.hub('security', AZURE_RESOURCE_GROUP)
   */
  readonly secretsVault?: AzureKeyVaultRef;
  /**
   * Paths served without sign-in (health probes).
   * @default - none
   */
  readonly excludedPaths?: string[];
}

/**
 * NHS CIS2 sign-in at an app's edge on Azure: App Service authentication
 * (Easy Auth, auth_settings_v2) with CIS2 as a custom OpenID Connect provider
 * named `cis2` (authorisation code flow, client_secret_post). Every request
 * must be signed in (unauthenticated requests are redirected to CIS2), HTTPS
 * only, token store on.
 *
 * The client secret is never in the template: App Service reads it from the
 * app setting `CIS2_PROVIDER_AUTHENTICATION_SECRET`, whose value is a Key
 * Vault reference `@Microsoft.KeyVault(SecretUri=<vault uri>secrets/<name>)`
 * resolved by the app's workload identity. The vault is looked up with a data
 * source (its URI and ID only: the secret's value never enters Terraform state).
 *
 * Put `authSettingsV2`, `appSettings` and `keyVaultReferenceIdentityId` on the
 * app's azurerm_linux_web_app (with the identity in `identity.identity_ids`).
 */
export class Cis2SignIn extends Construct {
  /** The provider name in auth_settings_v2. */
  public static readonly PROVIDER_NAME = 'cis2';
  /** The app setting App Service reads the client secret from (`<NAME>_PROVIDER_AUTHENTICATION_SECRET`). */
  public static readonly SECRET_SETTING_NAME = 'CIS2_PROVIDER_AUTHENTICATION_SECRET';

  /** The CIS2 environment. */
  public readonly environment: Cis2Environment;
  /** The assurance required (acr value). */
  public readonly assurance: string;
  /** The client secret's versionless URI in Key Vault. */
  public readonly secretUri: string;
  /** auth_settings_v2 of the app's web app. */
  public readonly authSettingsV2: LinuxWebAppAuthSettingsV2;
  /** App settings of the app's web app (the secret only as a Key Vault reference). */
  public readonly appSettings: { [key: string]: string };
  /** key_vault_reference_identity_id of the app's web app. */
  public readonly keyVaultReferenceIdentityId: string;

  constructor(scope: Construct, id: string, props: Cis2SignInProps) {
    super(scope, id);
    const { spec } = props;
    const cis2 = spec.identity.cis2;
    if (!cis2) throw BackboneError.of('identity.cis2', 'is not set: apps with internet ingress need CIS2 sign-in (environment, clientId)');
    const app = spec.apps.find((a) => a.name === props.appName);
    if (!app) {
      throw BackboneError.of('appName', `"${props.appName}" is not an app of backbone ${spec.name} (apps: ${spec.apps.map((a) => a.name).join(', ') || 'none'})`);
    }
    if (app.ingress !== AppIngress.INTERNET) {
      throw BackboneError.of('appName', `app "${props.appName}" has ingress "${app.ingress ?? AppIngress.NONE}": CIS2 sign-in at the edge is for apps with ingress "internet"`);
    }
    if (!isWorkloadIdentity(props.identity)) {
      throw BackboneError.of('identity', 'is not a workload identity of the backbone (create one with new WorkloadIdentity(...))');
    }
    this.environment = Cis2Environment.fromName(cis2.environment, 'identity.cis2.environment');
    this.assurance = cis2.assurance ?? AssuranceLevel.AAL2_OR_AAL3;
    const secretName = cis2.clientSecretName ?? 'cis2-client-secret';
    const vaultRef = props.secretsVault ?? {
      name: spec.naming.hub('secrets', NameKind.AZURE_KEY_VAULT),
      resourceGroupName: spec.naming.hub('security', NameKind.AZURE_RESOURCE_GROUP),
    };
    const vault = new DataAzurermKeyVault(this, 'SecretsVault', vaultRef);
    this.secretUri = `${vault.vaultUri}secrets/${secretName}`;

    new RoleAssignment(this, 'SecretAccess', {
      scope: `${vault.id}/secrets/${secretName}`,
      roleDefinitionName: AzureBuiltInRole.KEY_VAULT_SECRETS_USER.roleName,
      principalId: props.identity.principalIdIn(this),
      principalType: 'ServicePrincipal',
      description: `CIS2 client secret for app ${props.appName} (${props.identity.odsCode}), granted by nhs-backbone`,
    });

    this.keyVaultReferenceIdentityId = props.identity.identityId;
    this.appSettings = {
      [Cis2SignIn.SECRET_SETTING_NAME]: `@Microsoft.KeyVault(SecretUri=${this.secretUri})`,
      CIS2_ENVIRONMENT: this.environment.name,
      CIS2_ISSUER: this.environment.issuer,
      CIS2_REQUIRED_ACR: this.assurance,
    };
    this.authSettingsV2 = {
      authEnabled: true,
      requireAuthentication: true,
      unauthenticatedAction: 'RedirectToLoginPage',
      defaultProvider: Cis2SignIn.PROVIDER_NAME,
      requireHttps: true,
      runtimeVersion: '~1',
      excludedPaths: props.excludedPaths,
      customOidcV2: [{
        name: Cis2SignIn.PROVIDER_NAME,
        clientId: cis2.clientId,
        openidConfigurationEndpoint: this.environment.discoveryUrl,
        scopes: [...Cis2Environment.SCOPES],
        nameClaimType: 'sub',
      }],
      login: {
        tokenStoreEnabled: true,
        validateNonce: true,
        preserveUrlFragmentsForLogins: false,
        cookieExpirationConvention: 'FixedTime',
        cookieExpirationTime: '08:00:00',
        logoutEndpoint: '/.auth/logout',
      },
    };
  }
}
