import { AppStore } from './app-store';
import { HscnAppIngress } from './hscn-ingress';
import { findApp, ingressOf } from './internal';
import { InternetAppEdge } from './internet-edge';
import { checkAppTrustParts } from '../../core/app-contract';
import { BackboneSpec } from '../../core/backbone-spec';
import { BackboneError, entryOf } from '../../core/errors';
import { AppIngress, AppSpec } from '../../core/spec';
import { WorkloadIdentity } from '../identity/workload-identity';
import { ClinicalStore } from '../storage/clinical-store';

/** How one trust's copy of an app is reached. */
export interface AppIngressEndpoint {
  /** The trust. */
  readonly odsCode: string;
  /** The ingress kind. */
  readonly ingress: AppIngress;
  /**
   * The HSCN gateway's private address.
   * @default - none
   */
  readonly privateIpAddress?: string;
  /**
   * The internet host name (`<ods>.<domainName>`).
   * @default - none
   */
  readonly hostName?: string;
}

/** One trust's parts of an app. */
export interface SpecialistAppTrust {
  /** The trust. */
  readonly odsCode: string;
  /** The app's workload identity there. */
  readonly identity: WorkloadIdentity;
  /**
   * Its own store (apps with `store`).
   * @default - none
   */
  readonly store?: AppStore;
  /**
   * Its HSCN ingress (ingress `hscn`).
   * @default - none
   */
  readonly hscnIngress?: HscnAppIngress;
}

/** Props of a specialist app's facade. */
export interface SpecialistAppProps {
  /** The validated backbone spec. */
  readonly spec: BackboneSpec;
  /** The app. */
  readonly appName: string;
  /**
   * The app's internet edge (ingress `internet`).
   * @default - none
   */
  readonly edge?: InternetAppEdge;
}

/**
 * A specialist app on Azure as the backbone returns it: per served trust its
 * identity, store and ingress. Makes no resources.
 */
export class SpecialistApp {
  /** The app's name. */
  public readonly appName: string;
  /** The app as in the spec. */
  public readonly app: AppSpec;
  /** Its ingress kind. */
  public readonly ingress: AppIngress;
  /** Its internet edge, if any. */
  public readonly edge?: InternetAppEdge;
  private readonly spec: BackboneSpec;
  private readonly parts = new Map<string, SpecialistAppTrust>();

  constructor(props: SpecialistAppProps) {
    this.spec = props.spec;
    this.app = findApp(props.spec, props.appName);
    this.appName = props.appName;
    this.ingress = ingressOf(this.app);
    if (this.ingress === AppIngress.INTERNET && !props.edge) throw BackboneError.of('edge', `is required: app "${this.appName}" has internet ingress`);
    if (this.ingress !== AppIngress.INTERNET && props.edge) throw BackboneError.of('edge', `is given, but app "${this.appName}" has ingress ${this.ingress}`);
    if (props.edge && props.edge.appName !== this.appName) throw BackboneError.of('edge', `is the edge of app ${props.edge.appName}, not ${this.appName}`);
    this.edge = props.edge;
  }

  /** Adds a trust's parts; they must be this app's, in that trust. */
  public addTrust(parts: SpecialistAppTrust): void {
    const ods = parts.odsCode;
    checkAppTrustParts(this.spec, this.app, ods, this.parts.has(ods), parts, false);
    this.parts.set(ods, { ...parts });
  }

  /** The trusts added so far. */
  public get trusts(): string[] {
    return [...this.parts.keys()];
  }

  /** The app's identity in a trust. */
  public identityIn(odsCode: string): WorkloadIdentity {
    return this.part(odsCode).identity;
  }

  /** The app's own store in a trust. */
  public storeIn(odsCode: string): ClinicalStore {
    const s = this.part(odsCode).store;
    if (!s) throw BackboneError.of('appName', `app "${this.appName}" has no store of its own (give apps[].store in the spec)`);
    return s.store;
  }

  /** How a trust's copy is reached. */
  public ingressIn(odsCode: string): AppIngressEndpoint {
    const part = this.part(odsCode);
    if (this.ingress === AppIngress.HSCN) return { odsCode, ingress: this.ingress, privateIpAddress: part.hscnIngress!.privateIpAddress };
    if (this.ingress === AppIngress.INTERNET) return { odsCode, ingress: this.ingress, hostName: this.edge!.hostNameIn(odsCode) };
    return { odsCode, ingress: this.ingress };
  }

  private part(odsCode: string): SpecialistAppTrust {
    return entryOf(this.parts, odsCode, 'odsCode', `"${odsCode}" is not a trust added to app ${this.appName}`);
  }
}
