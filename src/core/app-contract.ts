import { AddressPlan } from './address-plan';
import { BackboneSpec } from './backbone-spec';
import { BackboneError } from './errors';
import { AppIngress, AppSpec } from './spec';

/**
 * The cloud-neutral checks of the specialist-app contract, shared by each
 * cloud's app constructs.
 * @internal
 */

/**
 * Where HSCN clients come from: the NHS's private 10.0.0.0/8 on the HSCN.
 * HSCN ingress admits this range (or narrower ranges inside it) only.
 */
export const HSCN_CLIENT_RANGE = '10.0.0.0/8';

/** The app of the spec with this name, or a BackboneError naming `appName`. */
export function findApp(spec: BackboneSpec, appName: string): AppSpec {
  const app = spec.apps.find((a) => a.name === appName);
  if (!app) {
    throw BackboneError.of('appName', `"${appName}" is not an app of backbone ${spec.name} (one of: ${spec.apps.map((a) => a.name).join(', ') || 'none'}; add it with spec.addApp or under apps:)`);
  }
  return app;
}

/** The app's ingress kind, with the spec's default filled in. */
export function ingressOf(app: AppSpec): AppIngress {
  return app.ingress ?? AppIngress.NONE;
}

/** Refuses a trust the app does not serve (naming `odsCode`). */
export function requireServes(spec: BackboneSpec, app: AppSpec, odsCode: string): void {
  spec.trust(odsCode);
  const trusts = app.trusts ?? [];
  if (!trusts.includes(odsCode)) {
    throw BackboneError.of('odsCode', `"${odsCode}" is not a trust app ${app.name} serves (${trusts.join(', ') || 'none'})`);
  }
}

/** Refuses an app whose ingress is not `kind` (naming `appName`). */
export function requireIngress(app: AppSpec, kind: AppIngress, what: string): void {
  const actual = ingressOf(app);
  if (actual !== kind) {
    throw BackboneError.of('appName', `app "${app.name}" has ingress ${actual}: ${what} is for apps whose ingress is ${kind}`);
  }
}

/** A part the backbone made for one app in one trust (identity, store, ingress...). */
interface AppPart {
  readonly appName?: string;
  readonly odsCode?: string;
}

/**
 * Checks one trust's parts of an app before a cloud's SpecialistApp records
 * them: the app serves the trust, the trust is not added twice, each part is
 * the app's own in that trust, the identity (and, where the cloud has one,
 * the spoke attachment) is there, and a store and an HSCN ingress are given
 * exactly when the app's spec asks for them. Throws a BackboneError naming
 * the part.
 */
export function checkAppTrustParts(spec: BackboneSpec, app: AppSpec, odsCode: string, alreadyAdded: boolean, parts: {
  readonly identity?: AppPart;
  readonly attachment?: AppPart;
  readonly store?: AppPart;
  readonly hscnIngress?: AppPart;
}, attachmentRequired: boolean): void {
  const name = app.name;
  requireServes(spec, app, odsCode);
  if (alreadyAdded) throw BackboneError.of('odsCode', `trust ${odsCode} is already added to app ${name}`);
  if (!parts.identity) throw BackboneError.of('identity', `is required (app ${name}'s workload identity in trust ${odsCode})`);
  if (attachmentRequired && !parts.attachment) throw BackboneError.of('attachment', `is required (TrustSpoke.attachApp("${name}") in trust ${odsCode})`);
  for (const [what, x] of [['identity', parts.identity], ['attachment', parts.attachment], ['store', parts.store], ['hscnIngress', parts.hscnIngress]] as const) {
    if (x && (x.appName !== name || x.odsCode !== odsCode)) {
      throw BackboneError.of(what, `belongs to app ${x.appName} in trust ${x.odsCode}, not app ${name} in trust ${odsCode}`);
    }
  }
  if (app.store && !parts.store) throw BackboneError.of('store', `is required: app ${name} has a store of its own in each trust it serves`);
  if (!app.store && parts.store) throw BackboneError.of('store', `is given, but app ${name} has no store in the spec`);
  const ingress = ingressOf(app);
  if (ingress === AppIngress.HSCN && !parts.hscnIngress) throw BackboneError.of('hscnIngress', `is required: app ${name} has HSCN ingress`);
  if (ingress !== AppIngress.HSCN && parts.hscnIngress) throw BackboneError.of('hscnIngress', `is given, but app ${name} has ingress ${ingress}`);
}

/**
 * Splits an app's trusts into edges (load balancers, application gateways)
 * of at most `per`: by rank in address-lock slot order (a trust new to the
 * backbone ranks last, so adding one moves no other), each edge's trusts
 * kept in the app's spec order. At most `per` trusts: one edge with the
 * trusts in spec order.
 */
export function shardTrustsBySlot(trusts: readonly string[], plan: AddressPlan, per: number): string[][] {
  if (trusts.length <= per) return [[...trusts]];
  const rank = new Map([...trusts].sort((a, b) => plan.trustSlot(a) - plan.trustSlot(b)).map((ods, i) => [ods, i]));
  const out: string[][] = Array.from({ length: Math.ceil(trusts.length / per) }, () => []);
  for (const ods of trusts) out[Math.floor(rank.get(ods)! / per)].push(ods);
  return out;
}
