import { APP_SUBNET_PREFIX, HUB_BLOCK_PREFIX, MAX_APPS, TRUST_BLOCK_PREFIX, prefixFor, trustCapacity } from './address-plan';
import { Cidr, isIpv4 } from './cidr';
import { BackboneError, ProblemCollector } from './errors';
import { AssuranceLevel, CiIssuer, Cis2Environment, checkCiSubject } from './identity';
import { Cloud, Residency, UkRegions } from './regions';
import { LockMode, RecordsCategory } from './retention';
import { AppIngress, BackboneSpecProps, ImagingGrouping, DataClassification, DicomWebAccess, Environment, HscnConnectionType } from './spec';
import { validateImaging } from './validate-imaging';

/**
 * Validation of a raw spec (from YAML, JSON or code) into normalised props.
 * Every problem is collected with its path; unknown fields become warnings.
 * @internal
 */

export const NAME_PATTERN = /^[a-z][a-z0-9-]{2,19}$/;
export const ODS_PATTERN = /^[A-Z0-9]{3,5}$/;
export const APP_NAME_PATTERN = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
export const APP_NAME_MAX = 24;

const TOP_FIELDS = ['name', 'environment', 'residency', 'addressPool', 'regions', 'trusts', 'apps', 'odsCode', 'owner', 'costCentre', 'dataClassification', 'network', 'identity', 'storage', 'imaging'];
const STORAGE_FIELDS = ['stores', 'logRetentionDays', 'backup'];
const STORE_FIELDS = ['name', 'category', 'years', 'lockMode', 'legalHold', 'coldAfterDays'];
const BACKUP_FIELDS = ['awsAccount', 'azureRegion', 'gcpProject'];
export const MIN_LOG_RETENTION_DAYS = 365;
const IDENTITY_FIELDS = ['ci', 'cis2', 'securityContact'];
const CI_FIELDS = ['issuer', 'subject'];
const CIS2_FIELDS = ['environment', 'clientId', 'clientSecretName', 'assurance'];
export const DEFAULT_CIS2_SECRET = 'cis2-client-secret';
const NETWORK_FIELDS = ['hscn', 'egressAllowList'];
const HSCN_FIELDS = ['connection', 'peerAddresses', 'peerAsn', 'asn', 'sharedSecretName'];
/** A domain name, optionally with a leading `*.` wildcard. */
export const DOMAIN_PATTERN = /^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
export const DEFAULT_ASN = 64512;
export const DEFAULT_PSK_SECRET = 'hscn-vpn-psk';

/** A BGP ASN a backbone may use: 1-4294967294, not 23456 (AS_TRANS) nor the reserved 64496-64511 and 65535-65551. */
export function isValidAsn(n: unknown): n is number {
  return typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= 4294967294 && n !== 23456
    && !(n >= 64496 && n <= 64511) && !(n >= 65535 && n <= 65551);
}

/** A private ASN (RFC 6996): 64512-65534 or 4200000000-4294967294. */
export function isPrivateAsn(n: number): boolean {
  return (n >= 64512 && n <= 65534) || (n >= 4200000000 && n <= 4294967294);
}
const REGION_FIELDS = ['aws', 'azure', 'gcp'];
const TRUST_FIELDS = ['odsCode', 'name', 'icb', 'owner', 'costCentre'];
const APP_FIELDS = ['name', 'trusts', 'dicomweb', 'ingress', 'store'];
const APP_STORE_FIELDS = ['category', 'years', 'lockMode', 'legalHold', 'coldAfterDays'];

/** Shown after a value that does not parse as a spec. */
export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') return JSON.stringify(v);
  return String(v);
}

export function isMapping(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
  }
  return d[a.length][b.length];
}

export function checkUnknown(obj: Record<string, unknown>, known: string[], path: string, c: ProblemCollector): void {
  for (const key of Object.keys(obj)) {
    if (known.includes(key)) continue;
    const near = known.find((k) => k.toLowerCase() === key.toLowerCase() || editDistance(k.toLowerCase(), key.toLowerCase()) <= 2);
    const where = path ? `${path}.${key}` : key;
    c.warn(where, `unknown field, ignored${near ? ` (did you mean "${near}"?)` : ''}; known fields: ${known.join(', ')}`);
  }
}

export function enumValue<T extends string>(v: unknown, values: readonly T[], path: string, fallback: T, c: ProblemCollector): T {
  if (v === undefined || v === null) return fallback;
  if (typeof v === 'string' && (values as readonly string[]).includes(v)) return v as T;
  c.error(path, `${describe(v)} is not allowed (one of: ${values.join(', ')})`);
  return fallback;
}

function optionalString(v: unknown, path: string, c: ProblemCollector, max = 256): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string' || v.trim() === '' || v.length > max) {
    c.error(path, `${describe(v)} is not allowed (a non-empty text of at most ${max} characters)`);
    return undefined;
  }
  return v;
}

/** The blocks the NHS reserves on the HSCN / Transition Network, and 192.168.0.0/16 (never routed). */
export const RESERVED_BLOCKS = ['10.14.0.0/15', '10.20.0.0/14', '10.46.0.0/15', '10.104.0.0/13', '10.120.0.0/13', '192.168.0.0/16'];

export const DEFAULT_POOL = '172.16.0.0/12';

/** Checks that a pool is an RFC 1918 block clear of the NHS's reserved blocks. */
export function checkPool(pool: unknown, path: string, c: ProblemCollector): Cidr | undefined {
  const cidr = Cidr.tryParse(pool);
  if (!cidr) {
    c.error(path, `${describe(pool)} is not a CIDR block (for example 10.180.0.0/14, with no host bits set)`);
    return undefined;
  }
  const rfc1918 = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'].map((s) => Cidr.parse(s));
  if (!rfc1918.some((r) => r.contains(cidr))) {
    c.error(path, `${cidr} is not private: the pool must lie inside an RFC 1918 block (10.0.0.0/8, 172.16.0.0/12)`);
    return undefined;
  }
  const clash = RESERVED_BLOCKS.map((s) => Cidr.parse(s)).filter((r) => r.overlaps(cidr));
  if (clash.length > 0) {
    c.error(path, `${cidr} overlaps ${clash.join(', ')}, reserved by the NHS on the HSCN (10.14.0.0/15, 10.20.0.0/14, 10.46.0.0/15, 10.104.0.0/13, 10.120.0.0/13) or never routed (192.168.0.0/16)`);
    return undefined;
  }
  return cidr;
}

export interface ValidationResult {
  /** Normalised props (defaults filled in), present when there is no problem. */
  readonly props?: NormalisedSpec;
  readonly problems: ProblemCollector['problems'];
  readonly warnings: ProblemCollector['warnings'];
}

/** The spec with every default filled in. */
export interface NormalisedSpec extends BackboneSpecProps {
  readonly environment: Environment;
  readonly residency: Residency;
  readonly addressPool: string;
  readonly regions: { readonly aws: string; readonly azure: string; readonly gcp: string };
  readonly trusts: Array<{ odsCode: string; name: string; icb?: string; owner?: string; costCentre?: string }>;
  readonly apps: Array<{ name: string; trusts: string[]; dicomweb: DicomWebAccess; ingress: AppIngress; store?: StoreTerms }>;
  readonly dataClassification: DataClassification;
  readonly network: {
    readonly hscn?: { connection: HscnConnectionType; peerAddresses: string[]; peerAsn: number; asn: number; sharedSecretName: string };
    readonly egressAllowList: string[];
  };
  readonly storage: {
    readonly stores: Array<{ name: string; category: string; years: number; lockMode: LockMode; legalHold: boolean; coldAfterDays: number }>;
    readonly logRetentionDays: number;
    readonly backup: { awsAccount?: string; azureRegion: string; gcpProject?: string };
  };
  readonly imaging: {
    readonly grouping: ImagingGrouping;
    readonly gateway: { port: number; tls: boolean };
    readonly modalities: Array<{ aeTitle: string; host: string; trust: string; port: number }>;
  };
  readonly identity: {
    readonly ci?: { issuer: string; subject: string };
    readonly cis2?: { environment: string; clientId: string; clientSecretName: string; assurance: string };
    readonly securityContact?: string;
  };
}

/** Validates a raw spec; never throws for bad input. */
export function validateSpec(raw: unknown): ValidationResult {
  const c = new ProblemCollector();
  if (!isMapping(raw)) {
    c.error('', `a backbone spec is a mapping with at least "name" and "trusts", not ${describe(raw)}`);
    return { problems: c.problems, warnings: c.warnings };
  }
  checkUnknown(raw, TOP_FIELDS, '', c);

  // name
  let name = '';
  if (raw.name === undefined || raw.name === null || raw.name === '') {
    c.error('name', 'is required (3-20 characters: a-z, 0-9 and \'-\', starting with a letter)');
  } else if (typeof raw.name !== 'string' || !NAME_PATTERN.test(raw.name)) {
    c.error('name', `${describe(raw.name)} is not allowed (3-20 characters: a-z, 0-9 and '-', starting with a letter)`);
  } else if (raw.name.endsWith('-') || raw.name.includes('--')) {
    c.error('name', `${describe(raw.name)} is not allowed (no trailing '-' and no '--')`);
  } else {
    name = raw.name;
  }

  const environment = enumValue(raw.environment, Object.values(Environment), 'environment', Environment.PROD, c);
  const residency = enumValue(raw.residency, Object.values(Residency), 'residency', Residency.UK, c);
  const dataClassification = enumValue(raw.dataClassification, Object.values(DataClassification), 'dataClassification', DataClassification.OFFICIAL_SENSITIVE, c);

  // address pool (size against the trusts is checked by the address plan)
  let addressPool = DEFAULT_POOL;
  let poolCidr: Cidr | undefined = Cidr.parse(DEFAULT_POOL);
  if (raw.addressPool !== undefined && raw.addressPool !== null) {
    poolCidr = checkPool(raw.addressPool, 'addressPool', c);
    if (poolCidr) addressPool = poolCidr.toString();
  }

  // regions
  const regions = {
    aws: UkRegions.defaultRegion(Cloud.AWS),
    azure: UkRegions.defaultRegion(Cloud.AZURE),
    gcp: UkRegions.defaultRegion(Cloud.GCP),
  };
  if (raw.regions !== undefined && raw.regions !== null) {
    if (!isMapping(raw.regions)) {
      c.error('regions', `${describe(raw.regions)} is not allowed (a mapping of aws, azure and gcp to a region)`);
    } else {
      checkUnknown(raw.regions, REGION_FIELDS, 'regions', c);
      for (const cloud of [Cloud.AWS, Cloud.AZURE, Cloud.GCP]) {
        const r = raw.regions[cloud];
        if (r === undefined || r === null) continue;
        const allowed = UkRegions.allowedRegions(cloud, residency);
        if (typeof r !== 'string' || !allowed.includes(r)) {
          c.error(`regions.${cloud}`, `${describe(r)} is not allowed under residency ${residency} (allowed: ${allowed.join(', ')})`);
        } else {
          regions[cloud] = r;
        }
      }
    }
  }

  // trusts
  const trusts: NormalisedSpec['trusts'] = [];
  const seen = new Map<string, number>();
  if (raw.trusts === undefined || raw.trusts === null) {
    c.error('trusts', 'is required: list at least one trust (odsCode, name)');
  } else if (!Array.isArray(raw.trusts)) {
    c.error('trusts', `${describe(raw.trusts)} is not allowed (a list of trusts)`);
  } else if (raw.trusts.length === 0) {
    c.error('trusts', 'is empty: list at least one trust (odsCode, name)');
  } else {
    raw.trusts.forEach((t, i) => {
      const p = `trusts[${i}]`;
      if (!isMapping(t)) {
        c.error(p, `${describe(t)} is not a trust (a mapping with odsCode and name)`);
        return;
      }
      checkUnknown(t, TRUST_FIELDS, p, c);
      let ods: string | undefined;
      if (t.odsCode === undefined || t.odsCode === null) {
        c.error(`${p}.odsCode`, 'is required (the trust\'s ODS code: 3-5 upper-case letters or digits)');
      } else if (typeof t.odsCode !== 'string' || !ODS_PATTERN.test(t.odsCode)) {
        c.error(`${p}.odsCode`, `${describe(t.odsCode)} is not an ODS code (3-5 upper-case letters or digits)`);
      } else if (seen.has(t.odsCode)) {
        c.error(`${p}.odsCode`, `"${t.odsCode}" is a duplicate of trusts[${seen.get(t.odsCode)}].odsCode (ODS codes must be unique)`);
      } else {
        ods = t.odsCode;
        seen.set(ods, i);
      }
      const tname = optionalString(t.name, `${p}.name`, c);
      let icb: string | undefined;
      if (t.icb !== undefined && t.icb !== null) {
        if (typeof t.icb !== 'string' || !ODS_PATTERN.test(t.icb)) {
          c.error(`${p}.icb`, `${describe(t.icb)} is not an ODS code (3-5 upper-case letters or digits)`);
        } else {
          icb = t.icb;
        }
      }
      const owner = optionalString(t.owner, `${p}.owner`, c);
      const costCentre = optionalString(t.costCentre, `${p}.costCentre`, c);
      if (ods) trusts.push({ odsCode: ods, name: tname ?? ods, icb, owner, costCentre });
    });
  }

  // apps
  const apps: NormalisedSpec['apps'] = [];
  if (raw.apps !== undefined && raw.apps !== null) {
    if (!Array.isArray(raw.apps)) {
      c.error('apps', `${describe(raw.apps)} is not allowed (a list of apps)`);
    } else {
      const appNames = new Map<string, number>();
      raw.apps.forEach((a, i) => {
        const p = `apps[${i}]`;
        if (!isMapping(a)) {
          c.error(p, `${describe(a)} is not an app (a mapping with name, trusts, dicomweb, ingress)`);
          return;
        }
        checkUnknown(a, APP_FIELDS, p, c);
        let appName: string | undefined;
        if (a.name === undefined || a.name === null) {
          c.error(`${p}.name`, `is required (lower-kebab: a-z, 0-9 and single '-', at most ${APP_NAME_MAX} characters)`);
        } else if (typeof a.name !== 'string' || !APP_NAME_PATTERN.test(a.name) || a.name.length > APP_NAME_MAX) {
          c.error(`${p}.name`, `${describe(a.name)} is not allowed (lower-kebab: a-z, 0-9 and single '-', starting with a letter, at most ${APP_NAME_MAX} characters)`);
        } else if (appNames.has(a.name)) {
          c.error(`${p}.name`, `"${a.name}" is a duplicate of apps[${appNames.get(a.name)}].name (app names must be unique)`);
        } else {
          appName = a.name;
          appNames.set(a.name, i);
        }
        let served: string[] = ['*'];
        if (a.trusts !== undefined && a.trusts !== null) {
          if (!Array.isArray(a.trusts) || a.trusts.length === 0) {
            c.error(`${p}.trusts`, `${describe(a.trusts)} is not allowed (a non-empty list of trust ODS codes, or ["*"] for all)`);
          } else {
            served = [];
            a.trusts.forEach((t, j) => {
              if (t === '*') {
                served.push('*');
              } else if (typeof t !== 'string' || !seen.has(t)) {
                c.error(`${p}.trusts[${j}]`, `${describe(t)} is not a trust of this backbone (known: ${[...seen.keys()].slice(0, 10).join(', ')}${seen.size > 10 ? ', ...' : ''}; or "*" for all)`);
              } else if (!served.includes(t)) {
                served.push(t);
              }
            });
          }
        }
        const dicomweb = enumValue(a.dicomweb, Object.values(DicomWebAccess), `${p}.dicomweb`, DicomWebAccess.NONE, c);
        const ingress = enumValue(a.ingress, Object.values(AppIngress), `${p}.ingress`, AppIngress.NONE, c);
        let store: StoreTerms | undefined;
        let storeOk = true;
        if (a.store !== undefined && a.store !== null) {
          if (!isMapping(a.store)) {
            c.error(`${p}.store`, `${describe(a.store)} is not allowed (a mapping with category and, optionally, years, lockMode, legalHold, coldAfterDays)`);
            storeOk = false;
          } else {
            checkUnknown(a.store, APP_STORE_FIELDS, `${p}.store`, c);
            store = storeTerms(a.store, `${p}.store`, c);
            storeOk = store !== undefined;
          }
        }
        if (appName && storeOk) {
          const resolved = served.includes('*') ? trusts.map((t) => t.odsCode) : served;
          apps.push({ name: appName, trusts: resolved, dicomweb, ingress, ...(store ? { store } : {}) });
        }
      });
    }
  }

  // does the pool hold every trust, and the apps subnet every app?
  if (poolCidr && trusts.length > trustCapacity(poolCidr)) {
    c.error('addressPool', `${poolCidr} is too small: it holds ${trustCapacity(poolCidr)} trust blocks (/${TRUST_BLOCK_PREFIX}) after the hub's /${HUB_BLOCK_PREFIX}, and the spec has ${trusts.length} trusts; use a /${prefixFor(trusts.length)} or larger`);
  }
  if (apps.length > MAX_APPS) {
    c.error('apps', `${apps.length} apps are listed; a trust's apps subnet holds ${MAX_APPS} (/${APP_SUBNET_PREFIX} each)`);
  }

  // organisation running the backbone
  let odsCode: string | undefined;
  if (raw.odsCode !== undefined && raw.odsCode !== null) {
    if (typeof raw.odsCode !== 'string' || !ODS_PATTERN.test(raw.odsCode)) {
      c.error('odsCode', `${describe(raw.odsCode)} is not an ODS code (3-5 upper-case letters or digits)`);
    } else {
      odsCode = raw.odsCode;
    }
  }
  const owner = optionalString(raw.owner, 'owner', c);
  const costCentre = optionalString(raw.costCentre, 'costCentre', c);

  const network = validateNetwork(raw.network, c);
  const identity = validateIdentity(raw.identity, c);
  const storage = validateStorage(raw.storage, residency, regions.azure, c);
  const imaging = validateImaging(raw.imaging, trusts.map((t) => t.odsCode), c);
  apps.forEach((a, i) => {
    if (a.ingress === AppIngress.INTERNET && !identity.cis2) {
      c.error(`apps[${i}].ingress`, 'internet ingress needs staff sign-in: give identity.cis2 (environment, clientId) so the edge signs staff in with NHS CIS2');
    }
  });

  if (!c.ok) return { problems: c.problems, warnings: c.warnings };
  return {
    props: {
      name,
      environment,
      residency,
      addressPool,
      regions,
      trusts,
      apps,
      odsCode,
      owner,
      costCentre,
      dataClassification,
      network,
      identity,
      storage,
      imaging,
    },
    problems: c.problems,
    warnings: c.warnings,
  };
}

function validateNetwork(raw: unknown, c: ProblemCollector): NormalisedSpec['network'] {
  const out: { hscn?: NonNullable<NormalisedSpec['network']['hscn']>; egressAllowList: string[] } = { egressAllowList: [] };
  if (raw === undefined || raw === null) {
    c.warn('network.hscn', 'not given: the backbone is built with no connection to the HSCN');
    return out;
  }
  if (!isMapping(raw)) {
    c.error('network', `${describe(raw)} is not allowed (a mapping with hscn and egressAllowList)`);
    return out;
  }
  checkUnknown(raw, NETWORK_FIELDS, 'network', c);
  if (raw.egressAllowList !== undefined && raw.egressAllowList !== null) {
    if (!Array.isArray(raw.egressAllowList)) {
      c.error('network.egressAllowList', `${describe(raw.egressAllowList)} is not allowed (a list of domains such as "digital.nhs.uk" or "*.nhs.uk")`);
    } else {
      raw.egressAllowList.forEach((d, i) => {
        if (typeof d !== 'string' || !DOMAIN_PATTERN.test(d)) {
          c.error(`network.egressAllowList[${i}]`, `${describe(d)} is not a domain (lower case, such as "digital.nhs.uk" or "*.nhs.uk"; no scheme, path or port)`);
        } else if (!out.egressAllowList.includes(d)) {
          out.egressAllowList.push(d);
        }
      });
    }
  }
  const h = raw.hscn;
  if (h === undefined || h === null) {
    c.warn('network.hscn', 'not given: the backbone is built with no connection to the HSCN');
    return out;
  }
  if (!isMapping(h)) {
    c.error('network.hscn', `${describe(h)} is not allowed (a mapping with connection, peerAddresses, peerAsn, asn)`);
    return out;
  }
  checkUnknown(h, HSCN_FIELDS, 'network.hscn', c);
  const connection = enumValue(h.connection, Object.values(HscnConnectionType), 'network.hscn.connection', HscnConnectionType.VPN, c);
  const peerAddresses: string[] = [];
  if (h.peerAddresses !== undefined && h.peerAddresses !== null) {
    if (!Array.isArray(h.peerAddresses) || h.peerAddresses.length > 2) {
      c.error('network.hscn.peerAddresses', `${describe(h.peerAddresses)} is not allowed (a list of one or two IPv4 addresses)`);
    } else {
      h.peerAddresses.forEach((a, i) => {
        if (!isIpv4(a)) c.error(`network.hscn.peerAddresses[${i}]`, `${describe(a)} is not an IPv4 address (four numbers 0-255, such as 203.0.113.10)`);
        else peerAddresses.push(a);
      });
    }
  }
  const noPeers = h.peerAddresses === undefined || h.peerAddresses === null || (Array.isArray(h.peerAddresses) && h.peerAddresses.length === 0);
  if (connection === HscnConnectionType.VPN && noPeers) {
    c.error('network.hscn.peerAddresses', 'is required for a VPN connection (the HSCN network provider\'s one or two VPN endpoint IPv4 addresses)');
  }
  let peerAsn = 0;
  if (h.peerAsn === undefined || h.peerAsn === null) {
    c.error('network.hscn.peerAsn', 'is required (the HSCN network provider\'s BGP ASN, 1-4294967294)');
  } else if (!isValidAsn(h.peerAsn)) {
    c.error('network.hscn.peerAsn', `${describe(h.peerAsn)} is out of range (a BGP ASN from 1 to 4294967294, not 23456, 64496-64511 or 65535-65551)`);
  } else {
    peerAsn = h.peerAsn;
  }
  let asn = DEFAULT_ASN;
  if (h.asn !== undefined && h.asn !== null) {
    if (typeof h.asn !== 'number' || !isValidAsn(h.asn) || !isPrivateAsn(h.asn)) {
      c.error('network.hscn.asn', `${describe(h.asn)} is out of range (a private BGP ASN: 64512-65534 or 4200000000-4294967294)`);
    } else if (h.asn === peerAsn) {
      c.error('network.hscn.asn', `${h.asn} is the same as network.hscn.peerAsn (eBGP needs two different ASNs)`);
    } else {
      asn = h.asn;
    }
  }
  let sharedSecretName = DEFAULT_PSK_SECRET;
  if (h.sharedSecretName !== undefined && h.sharedSecretName !== null) {
    if (typeof h.sharedSecretName !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9_-]{0,126}$/.test(h.sharedSecretName)) {
      c.error('network.hscn.sharedSecretName', `${describe(h.sharedSecretName)} is not allowed (a secret name: letters, digits, '-' and '_', at most 127 characters)`);
    } else {
      sharedSecretName = h.sharedSecretName;
    }
  }
  out.hscn = { connection, peerAddresses, peerAsn, asn, sharedSecretName };
  return out;
}

/** Runs a check that throws a BackboneError and records its problems instead. */
function collect<T>(c: ProblemCollector, fn: () => T): T | undefined {
  try {
    return fn();
  } catch (e) {
    if (!BackboneError.isBackboneError(e)) throw e;
    for (const p of e.problems) c.error(p.path, p.message);
    return undefined;
  }
}

function validateIdentity(raw: unknown, c: ProblemCollector): NormalisedSpec['identity'] {
  const out: { ci?: { issuer: string; subject: string }; cis2?: NonNullable<NormalisedSpec['identity']['cis2']>; securityContact?: string } = {};
  const noContact = () => c.warn('identity.securityContact', 'not given: break-glass use raises alerts in each cloud\'s console, but e-mails no one');
  if (raw === undefined || raw === null) {
    noContact();
    return out;
  }
  if (!isMapping(raw)) {
    c.error('identity', `${describe(raw)} is not allowed (a mapping with ci and cis2)`);
    return out;
  }
  checkUnknown(raw, IDENTITY_FIELDS, 'identity', c);
  if (raw.securityContact === undefined || raw.securityContact === null) {
    noContact();
  } else if (typeof raw.securityContact !== 'string' || !/^[^@\s]+@[a-z0-9.-]+\.[a-z]{2,}$/i.test(raw.securityContact)) {
    c.error('identity.securityContact', `${describe(raw.securityContact)} is not an e-mail address`);
  } else {
    out.securityContact = raw.securityContact;
  }
  if (raw.ci !== undefined && raw.ci !== null) {
    if (!isMapping(raw.ci)) {
      c.error('identity.ci', `${describe(raw.ci)} is not allowed (a mapping with issuer and subject)`);
    } else {
      checkUnknown(raw.ci, CI_FIELDS, 'identity.ci', c);
      const ci = raw.ci;
      const issuer = ci.issuer === undefined || ci.issuer === null
        ? CiIssuer.GITHUB_ACTIONS
        : collect(c, () => CiIssuer.custom('custom', String(ci.issuer)));
      const subject = ci.subject === undefined || ci.subject === null
        ? (c.error('identity.ci.subject', 'is required: the CI subject the trust is pinned to (e.g. "repo:my-org/my-repo:environment:prod")'), undefined)
        : collect(c, () => checkCiSubject(ci.subject, 'identity.ci.subject', true));
      if (issuer && subject) out.ci = { issuer: issuer.url, subject };
    }
  }
  if (raw.cis2 !== undefined && raw.cis2 !== null) {
    if (!isMapping(raw.cis2)) {
      c.error('identity.cis2', `${describe(raw.cis2)} is not allowed (a mapping with environment and clientId)`);
    } else {
      const k = raw.cis2;
      checkUnknown(k, CIS2_FIELDS, 'identity.cis2', c);
      const env = k.environment === undefined || k.environment === null
        ? (c.error('identity.cis2.environment', 'is required (one of: live, integration)'), undefined)
        : collect(c, () => Cis2Environment.fromName(String(k.environment), 'identity.cis2.environment'));
      let clientId: string | undefined;
      if (typeof k.clientId !== 'string' || k.clientId.trim() === '') {
        c.error('identity.cis2.clientId', `${k.clientId === undefined ? 'is required' : `${describe(k.clientId)} is not allowed`} (the client id CIS2 issued for the backbone's edge)`);
      } else {
        clientId = k.clientId;
      }
      let clientSecretName = DEFAULT_CIS2_SECRET;
      if (k.clientSecretName !== undefined && k.clientSecretName !== null) {
        if (typeof k.clientSecretName !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9_-]{0,126}$/.test(k.clientSecretName)) {
          c.error('identity.cis2.clientSecretName', `${describe(k.clientSecretName)} is not allowed (a secret name: letters, digits, '-' and '_', at most 127 characters)`);
        } else {
          clientSecretName = k.clientSecretName;
        }
      }
      const assurance = enumValue(k.assurance, Object.values(AssuranceLevel), 'identity.cis2.assurance', AssuranceLevel.AAL2_OR_AAL3, c);
      if (env && clientId) out.cis2 = { environment: env.name, clientId, clientSecretName, assurance };
    }
  }
  return out;
}

function validateStorage(raw: unknown, residency: Residency, azureRegion: string, c: ProblemCollector): NormalisedSpec['storage'] {
  const out = storageFields(raw, residency, azureRegion, c);
  if (residency === Residency.UK) {
    const awsApart = out.backup.awsAccount ? `account ${out.backup.awsAccount}` : 'its own locked vault in the same account (set storage.backup.awsAccount for a separate account)';
    const gcpApart = out.backup.gcpProject ? `project ${out.backup.gcpProject}` : 'a backup project of its own';
    c.warn('storage.backup', `AWS and Google Cloud have one UK region each, so under residency uk their immutable backup copies stay in ${UkRegions.inUk(Cloud.AWS)[0]} and ${UkRegions.inUk(Cloud.GCP)[0]}, kept apart from the stores by ${awsApart} on AWS and ${gcpApart} on Google Cloud, not by region; Azure's copy goes to ${out.backup.azureRegion}`);
  }
  return out;
}

type StoreTerms = { category: string; years: number; lockMode: LockMode; legalHold: boolean; coldAfterDays: number };

/** The retention terms of a store (a storage.stores entry or an app's own store); undefined when any is wrong. */
function storeTerms(st: Record<string, unknown>, p: string, c: ProblemCollector): StoreTerms | undefined {
  let ok = true;
  const category = typeof st.category === 'string' ? RecordsCategory.fromId(st.category) : undefined;
  const clinical = RecordsCategory.all().filter((x) => x.requiresComplianceMode).map((x) => x.id);
  if (!category || !category.requiresComplianceMode) {
    c.error(`${p}.category`, `${st.category === undefined ? 'is required' : `${describe(st.category)} is not a records category`} (one of: ${clinical.join(', ')})`);
    return undefined;
  }
  let years = category.minimumLockYears;
  if (st.years !== undefined && st.years !== null) {
    if (typeof st.years !== 'number' || !Number.isInteger(st.years) || st.years < category.minimumLockYears || st.years > 100) {
      c.error(`${p}.years`, `${describe(st.years)} is shorter than the legal minimum or not a whole number of years (${category.id} records: at least ${category.minimumLockYears}, ${category.rule}; at most 100)`);
      ok = false;
    } else {
      years = st.years;
    }
  }
  const lockMode = enumValue(st.lockMode, Object.values(LockMode), `${p}.lockMode`, LockMode.COMPLIANCE, c);
  if (lockMode === LockMode.GOVERNANCE && category.requiresComplianceMode) {
    c.error(`${p}.lockMode`, `governance is not allowed for ${category.id} records: the legal minimum must be enforced in compliance mode (no administrator can shorten it)`);
    ok = false;
  }
  let legalHold = false;
  if (st.legalHold !== undefined && st.legalHold !== null) {
    if (typeof st.legalHold !== 'boolean') {
      c.error(`${p}.legalHold`, `${describe(st.legalHold)} is not allowed (true or false)`);
      ok = false;
    } else {
      legalHold = st.legalHold;
    }
  }
  let coldAfterDays = 90;
  if (st.coldAfterDays !== undefined && st.coldAfterDays !== null) {
    if (typeof st.coldAfterDays !== 'number' || !Number.isInteger(st.coldAfterDays) || st.coldAfterDays < 30 || st.coldAfterDays > 3650) {
      c.error(`${p}.coldAfterDays`, `${describe(st.coldAfterDays)} is not allowed (whole days from 30, the shortest every cloud's colder tiers accept, to 3650)`);
      ok = false;
    } else {
      coldAfterDays = st.coldAfterDays;
    }
  }
  return ok ? { category: category.id, years, lockMode, legalHold, coldAfterDays } : undefined;
}

function storageFields(raw: unknown, residency: Residency, azureRegion: string, c: ProblemCollector): NormalisedSpec['storage'] {
  const defaultStore = { name: 'clinical-records', category: RecordsCategory.ADULT.id, years: RecordsCategory.ADULT.minimumLockYears, lockMode: LockMode.COMPLIANCE, legalHold: false, coldAfterDays: 90 };
  const out = {
    stores: [defaultStore] as NormalisedSpec['storage']['stores'],
    logRetentionDays: MIN_LOG_RETENTION_DAYS,
    backup: { azureRegion: UkRegions.pairedRegion(Cloud.AZURE, azureRegion) } as { awsAccount?: string; azureRegion: string; gcpProject?: string },
  };
  if (raw === undefined || raw === null) return out;
  if (!isMapping(raw)) {
    c.error('storage', `${describe(raw)} is not allowed (a mapping with stores, logRetentionDays and backup)`);
    return out;
  }
  checkUnknown(raw, STORAGE_FIELDS, 'storage', c);
  if (raw.stores !== undefined && raw.stores !== null) {
    if (!Array.isArray(raw.stores) || raw.stores.length === 0) {
      c.error('storage.stores', `${describe(raw.stores)} is not allowed (a non-empty list of stores with name and category)`);
    } else {
      out.stores = [];
      const names = new Map<string, number>();
      raw.stores.forEach((st, i) => {
        const p = `storage.stores[${i}]`;
        if (!isMapping(st)) {
          c.error(p, `${describe(st)} is not a store (a mapping with name and category)`);
          return;
        }
        checkUnknown(st, STORE_FIELDS, p, c);
        let ok = true;
        if (typeof st.name !== 'string' || !APP_NAME_PATTERN.test(st.name) || st.name.length > 20) {
          c.error(`${p}.name`, `${st.name === undefined ? 'is required' : `${describe(st.name)} is not allowed`} (lower-kebab, at most 20 characters, e.g. "clinical-records")`);
          ok = false;
        } else if (names.has(st.name)) {
          c.error(`${p}.name`, `"${st.name}" is a duplicate of storage.stores[${names.get(st.name)}].name`);
          ok = false;
        } else {
          names.set(st.name, i);
        }
        const entry = storeTerms(st, p, c);
        if (!entry) return;
        if (ok) out.stores.push({ name: st.name as string, ...entry });
      });
    }
  }
  if (raw.logRetentionDays !== undefined && raw.logRetentionDays !== null) {
    const d = raw.logRetentionDays;
    if (typeof d !== 'number' || !Number.isInteger(d) || d < MIN_LOG_RETENTION_DAYS || d > 36500) {
      c.error('storage.logRetentionDays', `${describe(d)} is not allowed (whole days from ${MIN_LOG_RETENTION_DAYS}, the profile's minimum, to 36500)`);
    } else {
      out.logRetentionDays = d;
    }
  }
  const b = raw.backup;
  if (b !== undefined && b !== null) {
    if (!isMapping(b)) {
      c.error('storage.backup', `${describe(b)} is not allowed (a mapping with awsAccount, azureRegion and gcpProject)`);
    } else {
      checkUnknown(b, BACKUP_FIELDS, 'storage.backup', c);
      if (b.awsAccount !== undefined && b.awsAccount !== null) {
        if (typeof b.awsAccount !== 'string' || !/^\d{12}$/.test(b.awsAccount)) c.error('storage.backup.awsAccount', `${describe(b.awsAccount)} is not an AWS account id (12 digits)`);
        else out.backup.awsAccount = b.awsAccount;
      }
      if (b.azureRegion !== undefined && b.azureRegion !== null) {
        const allowed = UkRegions.allowedRegions(Cloud.AZURE, residency);
        if (typeof b.azureRegion !== 'string' || !allowed.includes(b.azureRegion)) {
          c.error('storage.backup.azureRegion', `${describe(b.azureRegion)} is not allowed under residency ${residency} (allowed: ${allowed.join(', ')})`);
        } else {
          out.backup.azureRegion = b.azureRegion;
        }
      }
      if (b.gcpProject !== undefined && b.gcpProject !== null) {
        if (typeof b.gcpProject !== 'string' || !/^[a-z][a-z0-9-]{4,28}[a-z0-9]$/.test(b.gcpProject)) c.error('storage.backup.gcpProject', `${describe(b.gcpProject)} is not a Google Cloud project id (6-30 characters: a-z, 0-9 and '-', starting with a letter)`);
        else out.backup.gcpProject = b.gcpProject;
      }
    }
  }
  return out;
}
