/**
 * IPv4 and CIDR arithmetic (no dependencies, no cloud knowledge).
 * @internal
 */

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

export function isIpv4(s: unknown): s is string {
  return typeof s === 'string' && IPV4.test(s);
}

export function ipToInt(ip: string): number {
  return ip.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
}

export function intToIp(n: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
}

/** An IPv4 block: network address and prefix length. */
export class Cidr {
  /** Parses `a.b.c.d/n`; returns undefined when it is not a CIDR block or has host bits set. */
  public static tryParse(s: unknown): Cidr | undefined {
    if (typeof s !== 'string') return undefined;
    const m = /^([\d.]+)\/(\d{1,2})$/.exec(s.trim());
    if (!m || !isIpv4(m[1])) return undefined;
    const prefix = Number(m[2]);
    if (prefix > 32) return undefined;
    const base = ipToInt(m[1]);
    if (base % 2 ** (32 - prefix) !== 0) return undefined;
    return new Cidr(base, prefix);
  }

  /** Parses a CIDR or throws (for internal, already-validated values). */
  public static parse(s: string): Cidr {
    const c = Cidr.tryParse(s);
    if (!c) throw new Error(`not a CIDR block: ${s}`);
    return c;
  }

  private constructor(public readonly base: number, public readonly prefix: number) {}

  public get size(): number {
    return 2 ** (32 - this.prefix);
  }

  public get last(): number {
    return this.base + this.size - 1;
  }

  public get network(): string {
    return intToIp(this.base);
  }

  /** The netmask in dotted form, e.g. 255.255.252.0. */
  public get netmask(): string {
    return intToIp(2 ** 32 - this.size);
  }

  public toString(): string {
    return `${intToIp(this.base)}/${this.prefix}`;
  }

  public contains(other: Cidr): boolean {
    return other.base >= this.base && other.last <= this.last;
  }

  public overlaps(other: Cidr): boolean {
    return this.base <= other.last && other.base <= this.last;
  }

  /** The index-th block of the given prefix inside this block. */
  public subnet(prefix: number, index: number): Cidr {
    if (prefix < this.prefix) throw new Error(`/${prefix} does not fit in ${this}`);
    const size = 2 ** (32 - prefix);
    const count = this.size / size;
    if (index < 0 || index >= count) throw new Error(`${this} has no block #${index} of /${prefix}`);
    return new Cidr(this.base + index * size, prefix);
  }

  /** The n-th address in the block (0 = network address). */
  public address(n: number): string {
    if (n < 0 || n >= this.size) throw new Error(`${this} has no address #${n}`);
    return intToIp(this.base + n);
  }
}

/** RFC 1918 private blocks. */
export const RFC1918 = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'].map((c) => Cidr.parse(c));

/**
 * `outer` without every range of `inner`, as the fewest CIDR ranges (sorted):
 * e.g. the HSCN's 10.0.0.0/8 without the backbone's pool, or the pool without
 * one trust's block and the hub's.
 * @internal
 */
export function excludeRanges(outer: string, ...inner: string[]): string[] {
  let pieces = [Cidr.parse(outer)];
  for (const i of inner) {
    const cut = Cidr.parse(i);
    pieces = pieces.flatMap((p) => excludeOne(p, cut));
  }
  return pieces.sort((a, b) => a.base - b.base).map((p) => p.toString());
}

function excludeOne(range: Cidr, cut: Cidr): Cidr[] {
  if (!range.overlaps(cut)) return [range];
  const out: Cidr[] = [];
  let current = range;
  while (!cut.contains(current)) {
    const halves = [current.subnet(current.prefix + 1, 0), current.subnet(current.prefix + 1, 1)];
    const [keep, next] = halves[0].overlaps(cut) ? [halves[1], halves[0]] : [halves[0], halves[1]];
    out.push(keep);
    current = next;
  }
  return out;
}
