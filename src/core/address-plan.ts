import { Cidr } from './cidr';
import { BackboneError, ProblemCollector } from './errors';

/** The subnets of a trust's block. */
export enum TrustSubnet {
  /** /24: the trust's workloads (split across zones by each cloud). */
  WORKLOAD = 'workload',
  /** /25: private endpoints of the trust's stores and keys. */
  DATA = 'data',
  /** /26: the imaging (DIMSE) gateway facing the HSCN. */
  IMAGING = 'imaging',
  /** /26: attachments to the hub (transit gateway attachments, gateway subnets). */
  TRANSIT = 'transit',
  /** /23: room for up to 16 app subnets of /27. */
  APPS = 'apps',
}

/** The subnets of the hub block. */
export enum HubSubnet {
  /** /24: the inspection firewall. */
  FIREWALL = 'firewall',
  /** /24: VPN / interconnect gateways to the HSCN. */
  GATEWAY = 'gateway',
  /** /24: DNS resolver endpoints. */
  DNS = 'dns',
  /** /24: centralised private / interface endpoints. */
  ENDPOINTS = 'endpoints',
  /** /24: egress (NAT). */
  EGRESS = 'egress',
  /** /24: management and break-glass access. */
  MANAGEMENT = 'management',
  /** /22: shared services (log archive endpoints, imaging gateways of imaging networks). */
  SHARED = 'shared',
}

/** Prefix of each trust's block. */
export const TRUST_BLOCK_PREFIX = 22;
/** Prefix of the hub's block, the first in the pool. */
export const HUB_BLOCK_PREFIX = 19;
/** Prefix of an app's subnet inside a trust. */
export const APP_SUBNET_PREFIX = 27;
/** How many apps a trust's APPS subnet holds. */
export const MAX_APPS = 2 ** (APP_SUBNET_PREFIX - 23);

// [offset in addresses from the block's start, prefix]
const TRUST_LAYOUT: Record<TrustSubnet, [number, number]> = {
  [TrustSubnet.WORKLOAD]: [0, 24],
  [TrustSubnet.DATA]: [256, 25],
  [TrustSubnet.IMAGING]: [384, 26],
  [TrustSubnet.TRANSIT]: [448, 26],
  [TrustSubnet.APPS]: [512, 23],
};
const HUB_LAYOUT: Record<HubSubnet, [number, number]> = {
  [HubSubnet.FIREWALL]: [0, 24],
  [HubSubnet.GATEWAY]: [256, 24],
  [HubSubnet.DNS]: [512, 24],
  [HubSubnet.ENDPOINTS]: [768, 24],
  [HubSubnet.EGRESS]: [1024, 24],
  [HubSubnet.MANAGEMENT]: [1280, 24],
  [HubSubnet.SHARED]: [2048, 22],
};

/** Trust blocks that fit in a pool after the hub. */
export function trustCapacity(pool: Cidr): number {
  if (pool.prefix > HUB_BLOCK_PREFIX) return 0;
  return 2 ** (TRUST_BLOCK_PREFIX - pool.prefix) - 2 ** (TRUST_BLOCK_PREFIX - HUB_BLOCK_PREFIX);
}

/** The smallest pool prefix that holds n trusts. */
export function prefixFor(n: number): number {
  let p = HUB_BLOCK_PREFIX;
  while (p > 8 && trustCapacity(Cidr.parse(`10.0.0.0/${p}`)) < n) p--;
  return p;
}

/**
 * The allocations the address plan has handed out: the file
 * `<spec>.lock.json` beside a spec. Every slot ever given stays recorded
 * (also after its trust or app is removed), so that no edit of the spec moves
 * another trust's block or hands a just-freed block to someone else.
 */
export interface AddressLock {
  /** The lock format. */
  readonly version: number;
  /** The pool the slots are counted in. */
  readonly pool: string;
  /** Trust ODS code to slot (block index after the hub). */
  readonly trusts: { [odsCode: string]: number };
  /** App name to slot (its /27 in each trust's APPS subnet). */
  readonly apps: { [app: string]: number };
}

/** What the address plan needs of a spec. */
export interface AddressPlanInput {
  /** The pool (validated). */
  readonly addressPool: string;
  /** ODS codes of the trusts. */
  readonly trusts: string[];
  /** Names of the apps. */
  readonly apps: string[];
  /**
   * Allocations made before.
   * @default - none: slots are handed out in order
   */
  readonly lock?: AddressLock;
}

/**
 * The backbone's address plan: a hub block (/19) at the start of the pool, one
 * /22 per trust after it, and inside each trust's block fixed subnets for
 * workloads, data endpoints, the imaging gateway, hub transit and apps.
 *
 * Stability: a trust keeps the slot recorded for it in the lock; new trusts
 * take the lowest slot never used. Adding, removing or reordering trusts never
 * moves another trust's block.
 */
export class AddressPlan {
  /**
   * Allocates slots for every trust and app, keeping those in the lock.
   * Throws a BackboneError naming `addressPool` or `apps` when they do not fit.
   */
  public static allocate(input: AddressPlanInput): AddressPlan {
    const c = new ProblemCollector();
    const pool = Cidr.tryParse(input.addressPool);
    if (!pool) throw BackboneError.of('addressPool', `"${input.addressPool}" is not a CIDR block`);
    const lock = input.lock;
    if (lock && lock.pool !== pool.toString()) {
      c.error('addressPool', `${pool} differs from the pool ${lock.pool} recorded in the address lock: changing the pool would move every trust; keep ${lock.pool}, or delete the lock file to re-address the whole backbone on purpose`);
      c.throwIfAny();
    }
    const trustSlots = allocateSlots(input.trusts, lock?.trusts ?? {});
    const appSlots = allocateSlots(input.apps, lock?.apps ?? {});
    const capacity = trustCapacity(pool);
    const usedTrust = Math.max(-1, ...Object.values(trustSlots)) + 1;
    if (usedTrust > capacity) {
      c.error('addressPool', `${pool} holds ${capacity} trust blocks (/${TRUST_BLOCK_PREFIX}) after the hub's /${HUB_BLOCK_PREFIX}, but ${usedTrust} are needed (${input.trusts.length} trusts${usedTrust > input.trusts.length ? ' and slots kept for removed trusts' : ''}): use a /${prefixFor(usedTrust)} or larger`);
    }
    const usedApps = Math.max(-1, ...Object.values(appSlots)) + 1;
    if (usedApps > MAX_APPS) {
      c.error('apps', `${usedApps} app slots are needed but a trust's apps subnet holds ${MAX_APPS} (/${APP_SUBNET_PREFIX} each)`);
    }
    c.throwIfAny();
    return new AddressPlan(pool, { version: 1, pool: pool.toString(), trusts: trustSlots, apps: appSlots }, input);
  }

  /** The allocations, to be saved beside the spec. */
  public readonly lock: AddressLock;
  /** Trusts and apps that got a slot now (not from the lock). */
  public readonly newAllocations: string[];
  private readonly pool: Cidr;

  private constructor(pool: Cidr, lock: AddressLock, input: AddressPlanInput) {
    this.pool = pool;
    this.lock = lock;
    const before = input.lock;
    this.newAllocations = [
      ...input.trusts.filter((t) => before?.trusts[t] === undefined).map((t) => `trust ${t}`),
      ...input.apps.filter((a) => before?.apps[a] === undefined).map((a) => `app ${a}`),
    ];
  }

  /**
   * Gives an app added in code (`Backbone.addApp`) its slot: the one in the
   * lock if it has one, else the lowest slot never used. Returns the slot.
   * Throws a BackboneError naming `apps` when the apps subnet is full.
   */
  public allocateApp(app: string): number {
    const apps = this.lock.apps as { [app: string]: number };
    if (apps[app] !== undefined) return apps[app];
    const used = new Set(Object.values(apps));
    let slot = 0;
    while (used.has(slot)) slot++;
    if (slot >= MAX_APPS) {
      throw BackboneError.of('apps', `no free app slot for "${app}": a trust's apps subnet holds ${MAX_APPS} (/${APP_SUBNET_PREFIX} each)`);
    }
    apps[app] = slot;
    (this.newAllocations as string[]).push(`app ${app}`);
    return slot;
  }

  /** The pool. */
  public get addressPool(): string {
    return this.pool.toString();
  }

  /** The hub's block. */
  public get hubBlock(): string {
    return this.pool.subnet(HUB_BLOCK_PREFIX, 0).toString();
  }

  /** A hub subnet. */
  public hubSubnet(subnet: HubSubnet): string {
    const [offset, prefix] = HUB_LAYOUT[subnet];
    return this.pool.subnet(prefix, offset / 2 ** (32 - prefix)).toString();
  }

  /** The slot of a trust. */
  public trustSlot(odsCode: string): number {
    const slot = this.lock.trusts[odsCode];
    if (slot === undefined) throw BackboneError.of('odsCode', `"${odsCode}" is not a trust of this address plan`);
    return slot;
  }

  /** A trust's /22 block. */
  public trustBlock(odsCode: string): string {
    return this.trustCidr(odsCode).toString();
  }

  /** A subnet of a trust's block. */
  public trustSubnet(odsCode: string, subnet: TrustSubnet): string {
    const block = this.trustCidr(odsCode);
    const [offset, prefix] = TRUST_LAYOUT[subnet];
    return block.subnet(prefix, offset / 2 ** (32 - prefix)).toString();
  }

  /** An app's /27 in a trust's APPS subnet. */
  public appSubnet(odsCode: string, app: string): string {
    const slot = this.lock.apps[app];
    if (slot === undefined) throw BackboneError.of('app', `"${app}" is not an app of this address plan`);
    return Cidr.parse(this.trustSubnet(odsCode, TrustSubnet.APPS)).subnet(APP_SUBNET_PREFIX, slot).toString();
  }

  /** Every trust block, by ODS code, in slot order. */
  public get trustBlocks(): { [odsCode: string]: string } {
    const out: { [odsCode: string]: string } = {};
    for (const [ods] of Object.entries(this.lock.trusts).sort((a, b) => a[1] - b[1])) out[ods] = this.trustBlock(ods);
    return out;
  }

  private trustCidr(odsCode: string): Cidr {
    const units = 2 ** (TRUST_BLOCK_PREFIX - HUB_BLOCK_PREFIX);
    return this.pool.subnet(TRUST_BLOCK_PREFIX, units + this.trustSlot(odsCode));
  }
}

/** Keeps the locked slots (including retired keys) and gives each new key the lowest free slot, in input order. */
function allocateSlots(keys: string[], locked: { [k: string]: number }): { [k: string]: number } {
  const out: { [k: string]: number } = { ...locked };
  const used = new Set(Object.values(locked));
  let next = 0;
  for (const k of keys) {
    if (out[k] !== undefined) continue;
    while (used.has(next)) next++;
    out[k] = next;
    used.add(next);
  }
  return out;
}
