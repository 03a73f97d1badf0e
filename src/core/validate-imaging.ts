import { isIpv4 } from './cidr';
import { ProblemCollector } from './errors';
import { ImagingGrouping } from './spec';
import { NormalisedSpec, checkUnknown, describe, enumValue, isMapping } from './validate';

/**
 * Validation of the spec's `imaging` section.
 * @internal
 */

const IMAGING_FIELDS = ['grouping', 'gateway', 'modalities'];
const GATEWAY_FIELDS = ['port', 'tls'];
const MODALITY_FIELDS = ['aeTitle', 'host', 'trust', 'port'];
/** An AE title the backbone accepts: 1-16 of A-Z a-z 0-9 '_' '-' (a safe subset of PS3.5's default character repertoire). */
export const AE_TITLE_PATTERN = /^[A-Za-z0-9_-]{1,16}$/;
export const DEFAULT_GATEWAY_PORT = 11112;
export const DEFAULT_MODALITY_PORT = 104;

/** The AE title of a trust's DIMSE gateway: `<ODS>_GW` (modalities call it; the gateway checks it). */
export function gatewayAeTitle(odsCode: string): string {
  return `${odsCode}_GW`;
}

export function validateImaging(raw: unknown, trustCodes: string[], c: ProblemCollector): NormalisedSpec['imaging'] {
  const out = {
    grouping: ImagingGrouping.ICB,
    gateway: { port: DEFAULT_GATEWAY_PORT, tls: true },
    modalities: [] as Array<{ aeTitle: string; host: string; trust: string; port: number }>,
  };
  if (raw === undefined || raw === null) return out;
  if (!isMapping(raw)) {
    c.error('imaging', `${describe(raw)} is not allowed (a mapping with grouping, gateway and modalities)`);
    return out;
  }
  checkUnknown(raw, IMAGING_FIELDS, 'imaging', c);
  out.grouping = enumValue(raw.grouping, Object.values(ImagingGrouping), 'imaging.grouping', ImagingGrouping.ICB, c);

  const g = raw.gateway;
  if (g !== undefined && g !== null) {
    if (!isMapping(g)) {
      c.error('imaging.gateway', `${describe(g)} is not allowed (a mapping with port and tls)`);
    } else {
      checkUnknown(g, GATEWAY_FIELDS, 'imaging.gateway', c);
      if (g.port !== undefined && g.port !== null) {
        if (typeof g.port !== 'number' || !Number.isInteger(g.port) || !(g.port === 104 || (g.port >= 1024 && g.port <= 65535))) {
          c.error('imaging.gateway.port', `${describe(g.port)} is not allowed (104, the DICOM port, or 1024-65535; 11112 is the usual unprivileged choice)`);
        } else {
          out.gateway.port = g.port;
        }
      }
      if (g.tls !== undefined && g.tls !== null) {
        if (typeof g.tls !== 'boolean') c.error('imaging.gateway.tls', `${describe(g.tls)} is not allowed (true or false)`);
        else out.gateway.tls = g.tls;
      }
      if (out.gateway.tls === false) {
        c.warn('imaging.gateway.tls', 'false: DICOM images cross the HSCN unencrypted between modalities and the gateway; turn it off only for modalities that cannot do DICOM TLS');
      }
    }
  }

  const m = raw.modalities;
  if (m !== undefined && m !== null) {
    if (!Array.isArray(m)) {
      c.error('imaging.modalities', `${describe(m)} is not allowed (a list of modalities with aeTitle, host and trust)`);
    } else {
      const titles = new Map<string, number>();
      m.forEach((x, i) => {
        const p = `imaging.modalities[${i}]`;
        if (!isMapping(x)) {
          c.error(p, `${describe(x)} is not a modality (a mapping with aeTitle, host and trust)`);
          return;
        }
        checkUnknown(x, MODALITY_FIELDS, p, c);
        let ok = true;
        if (typeof x.aeTitle !== 'string' || !AE_TITLE_PATTERN.test(x.aeTitle)) {
          c.error(`${p}.aeTitle`, `${x.aeTitle === undefined ? 'is required' : `${describe(x.aeTitle)} is not allowed`} (an AE title: 1-16 characters, A-Z a-z 0-9 '_' '-')`);
          ok = false;
        } else if (trustCodes.some((t) => gatewayAeTitle(t) === x.aeTitle)) {
          c.error(`${p}.aeTitle`, `"${x.aeTitle}" is the AE title of a trust's gateway (<ODS>_GW); give the modality its own`);
          ok = false;
        } else if (titles.has(x.aeTitle)) {
          c.error(`${p}.aeTitle`, `"${x.aeTitle}" is a duplicate of imaging.modalities[${titles.get(x.aeTitle)}].aeTitle`);
          ok = false;
        } else {
          titles.set(x.aeTitle, i);
        }
        if (typeof x.host !== 'string' || !isIpv4(x.host)) {
          c.error(`${p}.host`, `${x.host === undefined ? 'is required' : `${describe(x.host)} is not allowed`} (the modality's IPv4 address, as the gateway sees it)`);
          ok = false;
        }
        if (typeof x.trust !== 'string' || !trustCodes.includes(x.trust)) {
          c.error(`${p}.trust`, `${x.trust === undefined ? 'is required' : `${describe(x.trust)} is not a trust of this backbone`} (one of: ${trustCodes.slice(0, 10).join(', ')}${trustCodes.length > 10 ? ', ...' : ''})`);
          ok = false;
        }
        let port = DEFAULT_MODALITY_PORT;
        if (x.port !== undefined && x.port !== null) {
          if (typeof x.port !== 'number' || !Number.isInteger(x.port) || x.port < 1 || x.port > 65535) {
            c.error(`${p}.port`, `${describe(x.port)} is not a port (1-65535)`);
            ok = false;
          } else {
            port = x.port;
          }
        }
        if (ok) out.modalities.push({ aeTitle: x.aeTitle as string, host: x.host as string, trust: x.trust as string, port });
      });
    }
  }
  return out;
}
