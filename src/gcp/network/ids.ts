import { createHash } from 'crypto';
import { AddressPlan } from '../../core/address-plan';
import { BackboneSpec } from '../../core/backbone-spec';
import { Cidr } from '../../core/cidr';
import { BackboneError } from '../../core/errors';
import { NameKind } from '../../core/naming';

/**
 * Deterministic names and resource ids shared by the hub stack and the trust
 * stacks. A spoke stack refers to hub resources only through these strings
 * (never through a cdktf cross-stack reference), so every stack has its own
 * state and can be planned alone.
 * @internal
 */

/** Google's IAP TCP forwarding range. */
export const IAP_RANGE = '35.235.240.0/20';
/** Google's load balancer / health check source ranges. */
export const HEALTH_CHECK_RANGES = ['35.191.0.0/16', '130.211.0.0/22'];
/** Source range of Cloud DNS forwarding and of DNS peering queries. */
export const CLOUD_DNS_FORWARDING_RANGE = '35.199.192.0/19';
/** private.googleapis.com: the Private Google Access VIPs (all APIs). */
export const PRIVATE_GOOGLE_APIS_RANGE = '199.36.153.8/30';
export const PRIVATE_GOOGLE_APIS_ADDRESSES = ['199.36.153.8', '199.36.153.9', '199.36.153.10', '199.36.153.11'];
/** HSCN resolvers cns0.nhs.uk and cns1.nhs.uk (NHS-FACTS.md). */
export const HSCN_DNS_RESOLVERS = ['155.231.231.1', '155.231.231.2'];
/** The zone forwarded to the HSCN resolvers. */
export const HSCN_DNS_ZONE = 'nhs.uk.';
/** Every RFC 1918 block the NHS reserves for itself on the HSCN (NHS-FACTS.md). */
export const NHS_RESERVED_10 = '10.0.0.0/8';
/** The NCC star topology's two groups. */
export const NCC_CENTER_GROUP = 'center';
export const NCC_EDGE_GROUP = 'edge';

/** A global VPC network's id, as Terraform and the APIs accept it. */
export function networkUri(projectId: string, networkName: string): string {
  return `projects/${projectId}/global/networks/${networkName}`;
}

export function hubNetworkName(spec: BackboneSpec): string {
  return spec.naming.hub('vpc', NameKind.GCP_RESOURCE);
}

export function trustNetworkName(spec: BackboneSpec, odsCode: string): string {
  return spec.naming.trust(odsCode, 'vpc', NameKind.GCP_RESOURCE);
}

export function nccHubName(spec: BackboneSpec): string {
  return spec.naming.hub('ncc', NameKind.GCP_RESOURCE);
}

/** `projects/<hub project>/locations/global/hubs/<name>`. */
export function nccHubId(spec: BackboneSpec, hubProjectId: string): string {
  return `projects/${hubProjectId}/locations/global/hubs/${nccHubName(spec)}`;
}

/** `projects/<hub project>/locations/global/hubs/<name>/groups/<group>`. */
export function nccGroupId(spec: BackboneSpec, hubProjectId: string, group: string): string {
  return `${nccHubId(spec, hubProjectId)}/groups/${group}`;
}

/**
 * Name of the Private Service Connect endpoint for Google APIs: Google allows
 * 1-20 lower-case letters and digits only, starting with a letter.
 */
export function pscEndpointName(spec: BackboneSpec): string {
  const full = `${spec.naming.prefix}psc${spec.naming.environment}`.replace(/[^a-z0-9]/g, '');
  if (full.length <= 20) return full;
  const hash = createHash('sha256').update(full).digest('hex').slice(0, 4);
  return `${full.slice(0, 16)}${hash}`;
}

/**
 * The PSC endpoint's address: in the hub block, outside every hub subnet
 * (the /24 after the management subnet is never allocated by the plan), .2.
 */
export function pscEndpointAddress(plan: AddressPlan): string {
  return Cidr.parse(plan.hubBlock).address(1536 + 2);
}

/** A Google Cloud project id: 6-30 characters, a-z 0-9 '-', starting with a letter, not ending with '-'. */
export function checkProjectId(path: string, value: string): string {
  if (typeof value !== 'string' || !/^[a-z][a-z0-9-]{4,28}[a-z0-9]$/.test(value)) {
    throw BackboneError.of(path, `${JSON.stringify(value)} is not a Google Cloud project id (6-30 characters: a-z, 0-9 and '-', starting with a letter, not ending with '-')`);
  }
  return value;
}

/** The hub-side and peer-side BGP addresses of HSCN tunnel `i` (link-local /30s). */
export function bgpLinkAddresses(i: number): { readonly range: string; readonly local: string; readonly peer: string } {
  const block = Cidr.parse('169.254.10.0/24').subnet(30, i);
  return { range: `${block.address(1)}/30`, local: block.address(1), peer: block.address(2) };
}
