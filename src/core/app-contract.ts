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
