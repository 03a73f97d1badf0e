import { Token } from 'cdktf';
import { AppTlsProfile } from './tls-profile';
import { HSCN_CLIENT_RANGE } from '../../core/app-contract';
import { BackboneSpec } from '../../core/backbone-spec';
import { Cidr } from '../../core/cidr';
import { BackboneError } from '../../core/errors';
import { WorkloadIdentity } from '../identity/workload-identity';
export { findApp, ingressOf, requireServes, requireIngress } from '../../core/app-contract';

// Helpers shared by the app constructs. Not re-exported from index.ts: not
// part of the jsii API.

/** Where HSCN clients come from: the NHS's private range on the HSCN. */
export const HSCN_RANGE = HSCN_CLIENT_RANGE;

/** The port the load balancers reach an app's endpoints on, unless told otherwise. */
export const DEFAULT_TARGET_PORT = 443;

/**
 * Priority base of the HSCN ingress rules in the trust's firewall policy (plus
 * twice the app's index). Above the trust spoke's (1000-1100, 2000+slot) and
 * the DIMSE gateway's (4000, 4010) rules: priorities are unique in a policy.
 */
export const HSCN_RULE_PRIORITY = 5000;

/** Refuses anything but the app's own workload identity in the trust (naming `identity`). */
export function requireOwnIdentity(identity: unknown, appName: string, odsCode: string): WorkloadIdentity {
  const id = WorkloadIdentity._check(identity, 'identity');
  if (id.appName !== appName || id.odsCode !== odsCode) {
    throw BackboneError.of('identity', `is the identity of app ${id.appName}${id.odsCode ? ` in trust ${id.odsCode}` : ' (backbone-wide)'}: only app ${appName}'s identity in trust ${odsCode} may be used here`);
  }
  return id;
}

/** Checks certificate ids (naming `certificateIds`): at least one, and no empty string. */
export function checkCertificates(ids: unknown, app: string, what: string): string[] {
  if (!Array.isArray(ids) || ids.length === 0) {
    throw BackboneError.of('certificateIds', `is required for app "${app}": give at least one ${what}`);
  }
  ids.forEach((c, i) => {
    if (typeof c !== 'string' || (!Token.isUnresolved(c) && !/^(projects\/|https:\/\/)\S+$/.test(c))) {
      throw BackboneError.of(`certificateIds[${i}]`, `${JSON.stringify(c)} is not a certificate id (projects/<p>/.../sslCertificates/<name> or a self link)`);
    }
  });
  return ids as string[];
}

/** Checks a TCP port (naming `path`). */
export function checkPort(port: number | undefined, path: string = 'targetPort'): number {
  const p = port ?? DEFAULT_TARGET_PORT;
  if (typeof p !== 'number' || !Number.isInteger(p) || p < 1 || p > 65535) {
    throw BackboneError.of(path, `${JSON.stringify(p)} is not a TCP port (1-65535)`);
  }
  return p;
}

/** Checks a health check path (naming `healthCheckPath`). */
export function checkHealthPath(path: string | undefined): string {
  const p = path ?? '/';
  if (typeof p !== 'string' || !/^\/[\x21-\x7e]{0,1023}$/.test(p)) {
    throw BackboneError.of('healthCheckPath', `${JSON.stringify(p)} is not an HTTP path (starts with '/', printable characters, at most 1024)`);
  }
  return p;
}

/** Checks source ranges: each inside the HSCN range (naming `sourceRanges[i]`). */
export function checkHscnRanges(ranges: string[] | undefined): string[] {
  const r = ranges ?? [HSCN_RANGE];
  if (!Array.isArray(r) || r.length === 0) throw BackboneError.of('sourceRanges', `must list at least one range inside the HSCN range ${HSCN_RANGE}`);
  const hscn = Cidr.parse(HSCN_RANGE);
  r.forEach((s, i) => {
    const c = typeof s === 'string' ? Cidr.tryParse(s) : undefined;
    if (!c || !hscn.contains(c)) {
      throw BackboneError.of(`sourceRanges[${i}]`, `${JSON.stringify(s)} is not inside the HSCN range ${HSCN_RANGE}`);
    }
  });
  return r;
}

/** Checks that `ip` is a single IPv4 address inside `cidr` (naming `path`). */
export function checkIpIn(ip: string, cidr: string, path: string, where: string): void {
  if (Token.isUnresolved(ip)) return;
  const c = typeof ip === 'string' ? Cidr.tryParse(`${ip}/32`) : undefined;
  if (!c) throw BackboneError.of(path, `${JSON.stringify(ip)} is not an IPv4 address`);
  if (!Cidr.parse(cidr).contains(c)) {
    throw BackboneError.of(path, `${ip} is not in ${where} (${cidr}): an app's endpoints live in its own subnet only`);
  }
}

/** The app's index in the spec (stable per spec; used for rule priorities). */
export function appIndex(spec: BackboneSpec, appName: string): number {
  return spec.apps.findIndex((a) => a.name === appName);
}

/** PascalCase of a kebab name, for construct ids. */
export function pascal(s: string): string {
  return s.split(/[^a-zA-Z0-9]+/).filter(Boolean).map((w) => w[0].toUpperCase() + w.slice(1)).join('');
}

/** Checks a TLS profile (naming `tlsProfile`). */
export function checkTlsProfile(p: AppTlsProfile | undefined): AppTlsProfile {
  const v = p ?? AppTlsProfile.RESTRICTED;
  if (!Object.values(AppTlsProfile).includes(v)) {
    throw BackboneError.of('tlsProfile', `${JSON.stringify(v)} is not allowed (one of: ${Object.values(AppTlsProfile).join(', ')}; both with TLS 1.2 minimum)`);
  }
  return v;
}

/** Cloud Armor's preconfigured WAF rules every edge denies (sensitivity 1). */
export const EDGE_WAF_RULES = [
  'sqli-v33-stable', 'xss-v33-stable', 'lfi-v33-stable', 'rfi-v33-stable', 'rce-v33-stable',
  'methodenforcement-v33-stable', 'scannerdetection-v33-stable', 'protocolattack-v33-stable',
  'sessionfixation-v33-stable',
];

/** Cloud Armor's allowed rate-limit intervals, in seconds. */
export const RATE_INTERVALS = [10, 30, 60, 120, 180, 240, 300, 600, 900, 1200, 1800, 2700, 3600];
