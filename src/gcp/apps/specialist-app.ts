import { AppStore } from './app-store';
import { HscnAppIngress } from './hscn-ingress';
import { findApp, ingressOf } from './internal';
import { InternetAppEdge } from './internet-edge';
import { checkAppTrustParts } from '../../core/app-contract';
import { BackboneSpec } from '../../core/backbone-spec';
import { BackboneError, entryOf } from '../../core/errors';
import { AppIngress, AppSpec } from '../../core/spec';
import { WorkloadIdentity } from '../identity/workload-identity';
import { AppAttachment } from '../network/trust-spoke';
import { ClinicalStore } from '../storage/clinical-store';

/** How one trust's copy of an app is reached. */
export interface AppIngressEndpoint {
  /** The trust. */
  readonly odsCode: string;
  /** The app's ingress kind. */
  readonly ingress: AppIngress;
  /**
   * The address clients connect to: the internal load balancer's (HSCN) or
   * the app edge's public address (internet). Known after apply.
   * @default - none: the app takes no inbound traffic
   */
  readonly ipAddress?: string;
  /**
   * The host name users reach this trust's copy at (internet: `<ods>.<domainName>`).
   * @default - none
   */
  readonly hostName?: string;
}

/** One trust's parts of an app, as the backbone made them. */
export interface SpecialistAppTrust {
  /** The trust. */
  readonly odsCode: string;
  /** The app's workload identity in the trust. */
  readonly identity: WorkloadIdentity;
  /** The app's place in the trust's spoke (TrustSpoke.attachApp). */
  readonly attachment: AppAttachment;
  /**
   * The app's own store in the trust: required when the app has `store`.
   * @default - none
   */
  readonly store?: AppStore;
  /**
   * The app's HSCN ingress in the trust: required when its ingress is `hscn`.
   * @default - none
   */
  readonly hscnIngress?: HscnAppIngress;
}

/** Props of a specialist app's facade. */
export interface SpecialistAppProps {
  /** The validated backbone spec. */
  readonly spec: BackboneSpec;
  /** The app, as in the spec's `apps`. */
  readonly appName: string;
  /**
   * The app's internet edge: required when its ingress is `internet`.
   * @default - none
   */
  readonly edge?: InternetAppEdge;
}

/**
 * A specialist app plugged into the backbone on Google Cloud: per trust it
 * serves, its workload identity, its subnet, its own store (when the spec
 * asks for one) and how it is reached. Makes no resources: the backbone makes
 * them in the trusts' stacks (and the hub's) and adds each trust's parts with
 * `addTrust`.
 */
export class SpecialistApp {
  /** The app's name. */
  public readonly appName: string;
  /** The app as the spec has it. */
  public readonly app: AppSpec;
  /** How the app is reached. */
  public readonly ingress: AppIngress;
  /** The app's public edge (internet ingress only). */
  public readonly edge?: InternetAppEdge;
  private readonly spec: BackboneSpec;
  private readonly parts = new Map<string, SpecialistAppTrust>();

  constructor(props: SpecialistAppProps) {
    const { spec, appName } = props;
    this.spec = spec;
    this.app = findApp(spec, appName);
    this.appName = appName;
    this.ingress = ingressOf(this.app);
    if (this.ingress === AppIngress.INTERNET) {
      if (!props.edge) throw BackboneError.of('edge', `is required: app "${appName}" has internet ingress (give its InternetAppEdge)`);
      if (props.edge.appName !== appName) throw BackboneError.of('edge', `is the edge of app ${props.edge.appName}, not ${appName}`);
    } else if (props.edge) {
      throw BackboneError.of('edge', `is given, but app "${appName}" has ingress ${this.ingress}: an internet edge is for apps whose ingress is internet`);
    }
    this.edge = props.edge;
  }

  /**
   * Adds a trust's parts. The app must serve the trust, and the parts must be
   * the app's own in that trust; a store when (and only when) the app has
   * one, an HSCN ingress when (and only when) its ingress is `hscn`.
   */
  public addTrust(parts: SpecialistAppTrust): void {
    const ods = parts.odsCode;
    checkAppTrustParts(this.spec, this.app, ods, this.parts.has(ods), parts, true);
    this.parts.set(ods, { ...parts });
  }

  /** The trusts added so far, in the order added. */
  public get trusts(): string[] {
    return [...this.parts.keys()];
  }

  /** The app's workload identity in a trust. */
  public identityIn(odsCode: string): WorkloadIdentity {
    return this.part(odsCode).identity;
  }

  /** The app's place in a trust's spoke: its /27, subnet and network tag. */
  public attachmentIn(odsCode: string): AppAttachment {
    return this.part(odsCode).attachment;
  }

  /** The app's own store in a trust (apps with `store` only). */
  public storeIn(odsCode: string): ClinicalStore {
    return this.appStoreIn(odsCode).store;
  }

  /** The app's own store construct in a trust (apps with `store` only). */
  public appStoreIn(odsCode: string): AppStore {
    const part = this.part(odsCode);
    if (!part.store) throw BackboneError.of('appName', `app "${this.appName}" has no store of its own (give apps[].store in the spec)`);
    return part.store;
  }

  /** How a trust's copy of the app is reached (for ingress `none`, only the kind). */
  public ingressIn(odsCode: string): AppIngressEndpoint {
    const part = this.part(odsCode);
    if (this.ingress === AppIngress.HSCN) {
      return { odsCode, ingress: this.ingress, ipAddress: part.hscnIngress!.ipAddress };
    }
    if (this.ingress === AppIngress.INTERNET) {
      const e = this.edge!;
      return { odsCode, ingress: this.ingress, ipAddress: e.address.address, hostName: e.hostNameIn(odsCode) };
    }
    return { odsCode, ingress: this.ingress };
  }

  private part(odsCode: string): SpecialistAppTrust {
    return entryOf(this.parts, odsCode, 'odsCode', (this.app.trusts ?? []).includes(odsCode)
      ? `trust ${odsCode} has not been added to app ${this.appName} yet`
      : `"${odsCode}" is not a trust app ${this.appName} serves (${(this.app.trusts ?? []).join(', ')})`);
  }
}
