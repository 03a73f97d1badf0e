import { DataGoogleProject } from '@cdktf/provider-google/lib/data-google-project';
import { DataGoogleSecretManagerSecretVersion } from '@cdktf/provider-google/lib/data-google-secret-manager-secret-version';
import { IapSettings } from '@cdktf/provider-google/lib/iap-settings';
import { IdentityPlatformOauthIdpConfig } from '@cdktf/provider-google/lib/identity-platform-oauth-idp-config';
import { Construct } from 'constructs';
import { BackboneSpec } from '../../core/backbone-spec';
import { BackboneError } from '../../core/errors';
import { AssuranceLevel, Cis2Environment } from '../../core/identity';
import { AppIngress } from '../../core/spec';
import { checkProjectId } from '../network/ids';

/** Props of CIS2 sign-in at the edge. */
export interface Cis2EdgeProps {
  /** The validated backbone spec; `identity.cis2` must be set. */
  readonly spec: BackboneSpec;
  /**
   * The project whose Identity Platform holds the CIS2 provider and whose
   * load balancer fronts the apps (IAP and Identity Platform must be in the
   * same project). Identity Platform must be enabled in it.
   */
  readonly projectId: string;
  /**
   * The sign-in page IAP sends staff to (an Identity Platform / FirebaseUI
   * page, e.g. the one IAP can deploy to Cloud Run). It starts the CIS2
   * authorisation code flow with the scopes and `acr_values` this construct
   * exposes.
   */
  readonly signInPageUri: string;
  /**
   * The project's number (IAP names the project's Identity Platform as
   * `_<project number>`).
   * @default - read at plan time with a google_project data source
   */
  readonly projectNumber?: string;
}

/**
 * Staff sign-in with NHS CIS2 at the edge: CIS2 as an OpenID Connect
 * provider of the project's Identity Platform (authorisation code flow; issuer
 * from the spec's CIS2 environment; client secret read from Secret Manager
 * at apply time, never written into the template), and Identity-Aware Proxy
 * on each internet-facing app's backend service, set to use those external
 * identities.
 */
export class Cis2Edge extends Construct {
  /** The Identity Platform OIDC provider. */
  public readonly resource: IdentityPlatformOauthIdpConfig;
  /** The CIS2 environment. */
  public readonly environment: Cis2Environment;
  /** The provider id the sign-in page uses: `oidc.cis2-<environment>`. */
  public readonly providerId: string;
  /** The assurance the sign-in page must request (acr_values) and the app check in the `acr` claim. */
  public readonly acrValues: string;
  /** The scopes the sign-in page must request. */
  public readonly scopes: string[];
  private readonly spec: BackboneSpec;
  private readonly projectId: string;
  private readonly signInPageUri: string;
  private readonly tenantId: string;
  private readonly protectedApps = new Set<string>();

  constructor(scope: Construct, id: string, props: Cis2EdgeProps) {
    super(scope, id);
    const { spec } = props;
    const cis2 = spec.identity.cis2;
    if (!cis2) throw BackboneError.of('identity.cis2', 'is required for staff sign-in (environment, clientId)');
    this.spec = spec;
    this.environment = Cis2Environment.fromName(cis2.environment, 'identity.cis2.environment');
    this.projectId = checkProjectId('projectId', props.projectId);
    if (typeof props.signInPageUri !== 'string' || !/^https:\/\/[a-z0-9.-]+(:\d+)?(\/\S*)?$/i.test(props.signInPageUri)) {
      throw BackboneError.of('signInPageUri', `${JSON.stringify(props.signInPageUri)} is not an https URL of the sign-in page`);
    }
    this.signInPageUri = props.signInPageUri;
    if (props.projectNumber !== undefined && !/^[0-9]{6,20}$/.test(props.projectNumber)) {
      throw BackboneError.of('projectNumber', `${JSON.stringify(props.projectNumber)} is not a Google Cloud project number (digits only)`);
    }
    const assurance = cis2.assurance ?? AssuranceLevel.AAL2_OR_AAL3;
    if (!(Object.values(AssuranceLevel) as string[]).includes(assurance)) {
      throw BackboneError.of('identity.cis2.assurance', `${JSON.stringify(assurance)} is not a CIS2 assurance level (one of: ${Object.values(AssuranceLevel).join(', ')})`);
    }
    this.acrValues = assurance;
    this.scopes = [...Cis2Environment.SCOPES];
    this.providerId = `oidc.cis2-${this.environment.name}`;

    const secret = new DataGoogleSecretManagerSecretVersion(this, 'ClientSecret', {
      project: this.projectId,
      secret: cis2.clientSecretName ?? 'cis2-client-secret',
      version: 'latest',
    });
    this.resource = new IdentityPlatformOauthIdpConfig(this, 'Resource', {
      project: this.projectId,
      name: this.providerId,
      displayName: `NHS CIS2 (${this.environment.name})`,
      enabled: true,
      issuer: this.environment.issuer,
      clientId: cis2.clientId,
      clientSecret: secret.secretData,
      responseType: { code: true, idToken: false },
    });
    const number = props.projectNumber ?? new DataGoogleProject(this, 'Project', { projectId: this.projectId }).number;
    this.tenantId = `_${number}`;
  }

  /**
   * Puts an internet-facing app's backend service behind IAP with CIS2
   * sign-in (IAP external identities, agent flow on the project's Identity
   * Platform). The backend service itself must have IAP enabled
   * (`iap { enabled = true }`). Only apps whose ingress is `internet` are
   * accepted.
   */
  public protectBackend(appName: string, backendServiceName: string): IapSettings {
    const app = this.spec.apps.find((a) => a.name === appName);
    if (!app) throw BackboneError.of('appName', `"${appName}" is not an app of backbone ${this.spec.name}`);
    if (app.ingress !== AppIngress.INTERNET) {
      throw BackboneError.of('appName', `app ${appName} has ingress "${app.ingress ?? 'none'}": only apps with internet ingress sign staff in at the edge`);
    }
    if (typeof backendServiceName !== 'string' || !/^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/.test(backendServiceName)) {
      throw BackboneError.of('backendServiceName', `${JSON.stringify(backendServiceName)} is not a backend service name (RFC 1035, 1-63 characters)`);
    }
    if (this.protectedApps.has(appName)) throw BackboneError.of('appName', `app ${appName} is already behind CIS2 sign-in`);
    this.protectedApps.add(appName);
    return new IapSettings(this, `Iap-${appName}`, {
      name: `projects/${this.projectId}/iap_web/compute/services/${backendServiceName}`,
      accessSettings: {
        gcipSettings: { tenantIds: [this.tenantId], loginPageUri: this.signInPageUri },
      },
      dependsOn: [this.resource],
    });
  }
}
