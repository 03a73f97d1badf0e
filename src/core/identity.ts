import { BackboneError } from './errors';

/**
 * An NHS Care Identity Service 2 (CIS2) environment: the OpenID Connect
 * provider staff sign in with (authorisation code flow only).
 *
 * Endpoints follow CIS2's published discovery documents (ForgeRock AM realm
 * `NHSIdentity/Healthcare`); check them against the live discovery document
 * when onboarding. Source: NHS England CIS2 developer guidance (NHS-FACTS.md).
 */
export class Cis2Environment {
  /** The live (production) CIS2 environment. */
  public static readonly LIVE = new Cis2Environment('live', 'am.nhsidentity.spineservices.nhs.uk');
  /** The integration (INT) CIS2 environment, for testing with test smartcards. */
  public static readonly INTEGRATION = new Cis2Environment('integration', 'am.nhsint.auth-ptl.cis2.spineservices.nhs.uk');

  /** The scopes the backbone asks for: OpenID plus CIS2's RBAC scopes. */
  public static readonly SCOPES = ['openid', 'profile', 'nationalrbacaccess', 'associatedorgs', 'selectedrole'];

  /** Every named environment. */
  public static all(): Cis2Environment[] {
    return [Cis2Environment.LIVE, Cis2Environment.INTEGRATION];
  }

  /**
   * The environment with this name (`live` or `integration`). Throws a
   * BackboneError naming `path` for any other name.
   */
  public static fromName(name: string, path: string = 'cis2.environment'): Cis2Environment {
    const env = Cis2Environment.all().find((e) => e.name === name);
    if (!env) {
      throw BackboneError.of(path, `${JSON.stringify(name)} is not a CIS2 environment (one of: ${Cis2Environment.all().map((e) => e.name).join(', ')})`);
    }
    return env;
  }

  private constructor(
    /** `live` or `integration`. */
    public readonly name: string,
    /** The CIS2 host. */
    public readonly host: string,
  ) {}

  /** The realm's base URL. */
  public get realmUrl(): string {
    return `https://${this.host}/openam/oauth2/realms/root/realms/NHSIdentity/realms/Healthcare`;
  }

  /** The OIDC issuer (CIS2 publishes it with the explicit :443 port). */
  public get issuer(): string {
    return `https://${this.host}:443/openam/oauth2/realms/root/realms/NHSIdentity/realms/Healthcare`;
  }

  /** The discovery document. */
  public get discoveryUrl(): string {
    return `${this.realmUrl}/.well-known/openid-configuration`;
  }

  public get authorizationEndpoint(): string {
    return `${this.realmUrl}/authorize`;
  }

  public get tokenEndpoint(): string {
    return `${this.realmUrl}/access_token`;
  }

  public get userInfoEndpoint(): string {
    return `${this.realmUrl}/userinfo`;
  }

  public get jwksUri(): string {
    return `${this.realmUrl}/connect/jwk_uri`;
  }
}

/** Authenticator assurance a staff-facing app requires of CIS2 (sent as acr_values). */
export enum AssuranceLevel {
  /** AAL2 or AAL3 authenticators (e.g. smartcard, FIDO2, mobile apps). */
  AAL2_OR_AAL3 = 'AAL2_OR_AAL3_ANY',
  /** AAL3 authenticators only (smartcard, FIDO2 security key). */
  AAL3 = 'AAL3_ANY',
}

/** The CI system a pipeline runs on, and its token issuer. */
export class CiIssuer {
  /** GitHub Actions: https://token.actions.githubusercontent.com */
  public static readonly GITHUB_ACTIONS = new CiIssuer('github-actions', 'https://token.actions.githubusercontent.com');

  /** Another OIDC issuer (e.g. a GitLab instance). */
  public static custom(name: string, url: string): CiIssuer {
    if (!/^https:\/\/[a-z0-9.-]+(\/[^\s]*)?$/i.test(url)) {
      throw BackboneError.of('ci.issuer', `${JSON.stringify(url)} is not an https issuer URL`);
    }
    return new CiIssuer(name, url.replace(/\/$/, ''));
  }

  private constructor(public readonly name: string, public readonly url: string) {}

  /** The issuer host and path without the scheme (as AWS condition keys use it). */
  public get hostPath(): string {
    return this.url.replace(/^https:\/\//, '');
  }
}

/**
 * Checks a CI subject claim (e.g. `repo:nhs-org/backbone:ref:refs/heads/main`).
 * A bare wildcard, or a wildcard before the repository is named, is refused:
 * the trust must be pinned to one repository. Returns the subject.
 */
export function checkCiSubject(subject: unknown, path: string, allowWildcard: boolean): string {
  if (typeof subject !== 'string' || subject.trim() === '') {
    throw BackboneError.of(path, `${JSON.stringify(subject)} is not a CI subject (for GitHub Actions, e.g. "repo:my-org/my-repo:ref:refs/heads/main" or "repo:my-org/my-repo:environment:prod")`);
  }
  const s = subject.trim();
  if (/^[*?]+$/.test(s) || /^repo:[*?]/.test(s) || /^repo:[^/:]*[*?][^/:]*\//.test(s) || /^repo:[^/]+\/[^:]*[*?]/.test(s)) {
    throw BackboneError.of(path, `${JSON.stringify(s)} is a wildcard that does not pin one repository: name the organisation and repository (e.g. "repo:my-org/my-repo:ref:refs/heads/main")`);
  }
  if (!allowWildcard && /[*?]/.test(s)) {
    throw BackboneError.of(path, `${JSON.stringify(s)} has a wildcard, which this cloud's federation cannot match: give the exact subject`);
  }
  return s;
}
