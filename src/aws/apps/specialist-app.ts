import { aws_ec2 as ec2, aws_elasticloadbalancingv2 as elbv2 } from 'aws-cdk-lib';
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
   * The load balancer's DNS name: the trust's internal one (HSCN), or the
   * app's public edge (internet).
   * @default - none: the app takes no inbound traffic
   */
  readonly dnsName?: string;
  /**
   * The name users reach this trust's copy at (internet: `<ods>.<domainName>`).
   * @default - the load balancer's DNS name, or none
   */
  readonly hostName?: string;
  /**
   * The target group the trust's copy of the app registers its targets in.
   * @default - none: the app takes no inbound traffic
   */
  readonly targetGroup?: elbv2.IApplicationTargetGroup;
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
   * The app's internet edge (its first, when it has several): required when its ingress is `internet`.
   * @default - none
   */
  readonly edge?: InternetAppEdge;
  /**
   * Every edge of the app, the first being `edge`, in `edgeIndex` order: an
   * app serving more than InternetAppEdge.MAX_TRUSTS_PER_EDGE trusts has several.
   * @default - `edge` alone
   */
  readonly edges?: InternetAppEdge[];
}

/**
 * A specialist app plugged into the backbone on AWS, as `Backbone.addApp`
 * returns it: per trust it serves, its workload identity, its subnets and
 * security group, its own store (when the spec asks for one) and how it is
 * reached. Makes no resources: the backbone makes them in the trusts' stacks
 * (and the edge's) and adds each trust's parts with `addTrust`.
 */
export class SpecialistApp {
  /** The app's name. */
  public readonly appName: string;
  /** The app as the spec has it (trusts resolved to ODS codes). */
  public readonly app: AppSpec;
  /** How the app is reached. */
  public readonly ingress: AppIngress;
  /** The app's public edge, its first when it has several (internet ingress only). */
  public readonly edge?: InternetAppEdge;
  /** Every public edge of the app, in `edgeIndex` order (internet ingress only; empty otherwise). */
  public readonly edges: InternetAppEdge[];
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
    } else if (props.edge || (props.edges ?? []).length > 0) {
      throw BackboneError.of(props.edge ? 'edge' : 'edges', `is given, but app "${appName}" has ingress ${this.ingress}: an internet edge is for apps whose ingress is internet`);
    }
    this.edge = props.edge;
    this.edges = props.edge ? checkEdges(props.edge, props.edges, appName) : [];
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

  /** The app's place in a trust's spoke: its /27, subnets and security group. */
  public attachmentIn(odsCode: string): AppAttachment {
    return this.part(odsCode).attachment;
  }

  /** The app's subnets in a trust. */
  public subnetsIn(odsCode: string): ec2.ISubnet[] {
    return [...this.part(odsCode).attachment.subnets];
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
      const i = part.hscnIngress!;
      return { odsCode, ingress: this.ingress, dnsName: i.dnsName, hostName: i.dnsName, targetGroup: i.targetGroup };
    }
    if (this.ingress === AppIngress.INTERNET) {
      const e = this.edgeOf(odsCode);
      return { odsCode, ingress: this.ingress, dnsName: e.dnsName, hostName: e.hostNameIn(odsCode), targetGroup: e.targetGroupIn(odsCode) };
    }
    return { odsCode, ingress: this.ingress };
  }

  /**
   * The public edge that carries a trust (internet ingress only): the trust's
   * `<ods>.<domainName>` must resolve to its `dnsName`.
   */
  public edgeOf(odsCode: string): InternetAppEdge {
    if (this.ingress !== AppIngress.INTERNET) throw BackboneError.of('appName', `app "${this.appName}" has ingress ${this.ingress}: only an internet app has an edge`);
    const edge = this.edges.find((e) => e.trusts.includes(odsCode));
    if (!edge) this.part(odsCode);
    if (!edge) throw BackboneError.of('odsCode', `trust ${odsCode} is on no edge of app ${this.appName}`);
    return edge;
  }

  private part(odsCode: string): SpecialistAppTrust {
    return entryOf(this.parts, odsCode, 'odsCode', (this.app.trusts ?? []).includes(odsCode)
      ? `trust ${odsCode} has not been added to app ${this.appName} yet`
      : `"${odsCode}" is not a trust app ${this.appName} serves (${(this.app.trusts ?? []).join(', ')})`);
  }
}

/** Checks an app's edges: the first is `edge`, each is the app's, in `edgeIndex` order, one per edge. */
function checkEdges(edge: InternetAppEdge, edges: InternetAppEdge[] | undefined, appName: string): InternetAppEdge[] {
  const all = edges ?? [edge];
  if (all[0] !== edge) throw BackboneError.of('edges', 'must start with `edge` (the first edge)');
  all.forEach((e, i) => {
    if (e.appName !== appName) throw BackboneError.of(`edges[${i}]`, `is the edge of app ${e.appName}, not ${appName}`);
    if (e.edgeIndex !== i || e.edgeCount !== all.length) {
      throw BackboneError.of(`edges[${i}]`, `is edge ${e.edgeIndex + 1} of ${e.edgeCount} of app ${appName}, not edge ${i + 1} of ${all.length}: give every edge, in edgeIndex order`);
    }
  });
  return [...all];
}
