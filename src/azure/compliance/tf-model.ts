import { existsSync, readdirSync, readFileSync, statSync } from 'fs';
import { join } from 'path';
import { ComplianceAcknowledgement, NhsComplianceProfile } from '../../core/compliance';
import { BackboneError } from '../../core/errors';
import { Residency } from '../../core/regions';

// A read-only model of a cdktf.out folder (`stacks/<stack>/cdk.tf.json`) for
// the compliance rules. Plain JSON only: no cdktf or provider import, so
// `nhs-backbone check` loads in milliseconds.

/** Key of the backbone's record in a stack's top-level `"//"` object. @internal */
export const STACK_METADATA_KEY = 'nhs-backbone';

/** What a stack records about itself for the rules (top-level `"//"."nhs-backbone"`). @internal */
export interface StackMetadata {
  /** The backbone's name, when recorded. */
  readonly backbone?: string;
  /** Which regions data may live in; `uk` when not recorded. */
  readonly residency: Residency;
  /** Apps declared with `ingress: internet`: the only ones allowed an internet-facing edge. */
  readonly internetIngressApps: string[];
}

/** One resource of a stack. @internal */
export interface TfResource {
  readonly stack: TfStack;
  /** Terraform type, e.g. azurerm_storage_account. */
  readonly type: string;
  /** Terraform name (cdktf's logical id). */
  readonly name: string;
  /** `type.name`. */
  readonly address: string;
  /** The resource's configuration as synthesised. */
  readonly cfg: any;
}

const REF = /(?<![\w.])(azurerm_[a-z0-9_]+)\.([A-Za-z0-9_-]+)\.([a-z0-9_]+)/g;

/** One stack of the output. @internal */
export class TfStack {
  public readonly resources: TfResource[] = [];
  private readonly byAddress = new Map<string, TfResource>();
  private readonly byType = new Map<string, TfResource[]>();
  private readonly refs = new Map<TfResource, Set<string>>();

  constructor(
    /** The stack's folder name. */
    public readonly name: string,
    /** The file it was read from (for messages). */
    public readonly file: string,
    public readonly json: any,
    public readonly meta: StackMetadata,
  ) {
    for (const [type, byName] of Object.entries<any>(json.resource ?? {})) {
      if (typeof byName !== 'object' || byName === null || Array.isArray(byName)) {
        throw BackboneError.of(file, `resource.${type} is not an object of named resources: not a Terraform JSON stack`);
      }
      for (const [resourceName, cfg] of Object.entries<any>(byName)) {
        if (typeof cfg !== 'object' || cfg === null || Array.isArray(cfg)) {
          throw BackboneError.of(file, `resource.${type}.${resourceName} is not an object: not a Terraform JSON stack`);
        }
        const r: TfResource = { stack: this, type, name: resourceName, address: `${type}.${resourceName}`, cfg };
        this.resources.push(r);
        this.byAddress.set(r.address, r);
        const list = this.byType.get(type) ?? [];
        list.push(r);
        this.byType.set(type, list);
      }
    }
  }

  /** The resources of a type. */
  public ofType(type: string): TfResource[] {
    return this.byType.get(type) ?? [];
  }

  /** The resource at `type.name`, if the stack has it. */
  public at(address: string): TfResource | undefined {
    return this.byAddress.get(address);
  }

  /** Every `type.name.attr` a resource's configuration refers to (its `"//"` metadata left out). */
  public referencesOf(r: TfResource): Set<string> {
    let s = this.refs.get(r);
    if (!s) {
      const { ['//']: _meta, ...rest } = r.cfg;
      s = new Set([...JSON.stringify(rest).matchAll(REF)].map((m) => `${m[1]}.${m[2]}.${m[3]}`));
      this.refs.set(r, s);
    }
    return s;
  }

  /** The resources of a type whose configuration refers to `target` (any attribute). */
  public referrers(target: TfResource, type?: string): TfResource[] {
    const prefix = `${target.address}.`;
    const candidates = type ? this.ofType(type) : this.resources;
    return candidates.filter((c) => c !== target && [...this.referencesOf(c)].some((x) => x.startsWith(prefix)));
  }

  /** The resource a value refers to (`${type.name.attr}`), when it refers to exactly one of this stack's. */
  public resolve(value: unknown, type?: string): TfResource | undefined {
    if (typeof value !== 'string') return undefined;
    for (const m of value.matchAll(REF)) {
      if (type && m[1] !== type) continue;
      const r = this.byAddress.get(`${m[1]}.${m[2]}`);
      if (r) return r;
    }
    return undefined;
  }
}

/** A whole cdktf output folder. @internal */
export class TfOutput {
  public readonly stacks: TfStack[];
  private readonly names = new Map<string, Map<string, TfResource>>();

  constructor(stacks: TfStack[]) {
    this.stacks = stacks;
  }

  /** Resources checked: every resource of every stack. */
  public get resourceCount(): number {
    return this.stacks.reduce((n, s) => n + s.resources.length, 0);
  }

  /** Every resource of a type, across stacks. */
  public ofType(type: string): TfResource[] {
    return this.stacks.flatMap((s) => s.ofType(type));
  }

  /**
   * The resource of a type with this (literal) name, in any stack; undefined
   * when none or several have it (e.g. every DICOM service is named `dicom`
   * in its own workspace), so a name never picks the wrong resource.
   */
  public named(type: string, name: string): TfResource | undefined {
    let m = this.names.get(type);
    if (!m) {
      const found = new Map<string, TfResource | undefined>();
      for (const r of this.ofType(type)) {
        if (typeof r.cfg.name !== 'string') continue;
        const key = r.cfg.name.toLowerCase();
        found.set(key, found.has(key) ? undefined : r);
      }
      m = new Map([...found].filter((e): e is [string, TfResource] => e[1] !== undefined));
      this.names.set(type, m);
    }
    return m.get(name.toLowerCase());
  }

  /**
   * The resource a value points to: a reference in the same stack
   * (`${type.name.attr}`), or a literal Azure resource ID whose
   * `<armSegment>/<name>` names a resource of the type in any stack (stacks
   * of the backbone refer to each other's resources by IDs built from names).
   */
  public pointsTo(from: TfStack, value: unknown, type: string, armSegment: string): TfResource | undefined {
    const local = from.resolve(value, type);
    if (local) return local;
    const name = armName(value, armSegment);
    return name === undefined ? undefined : this.named(type, name);
  }

  /**
   * Resources of `fromType` grouped by the `type` resource that `value(cfg)`
   * points to (see pointsTo): one pass, for rules that ask "what refers to X".
   */
  public index(fromType: string, value: (cfg: any) => unknown, type: string, armSegment: string): Map<TfResource, TfResource[]> {
    const m = new Map<TfResource, TfResource[]>();
    for (const f of this.ofType(fromType)) {
      const t = this.pointsTo(f.stack, value(f.cfg), type, armSegment);
      if (!t) continue;
      const list = m.get(t) ?? [];
      list.push(f);
      m.set(t, list);
    }
    return m;
  }
}

/**
 * The name in a literal Azure resource ID after `/<segment>/` (e.g.
 * `storageAccounts`), ignoring a trailing sub-resource path such as
 * `/blobServices/default`. Undefined for anything else.
 * @internal
 */
export function armName(value: unknown, segment: string): string | undefined {
  if (typeof value !== 'string' || !value.startsWith('/subscriptions/')) return undefined;
  const parts = value.split('/');
  const i = parts.findIndex((p) => p.toLowerCase() === segment.toLowerCase());
  if (i < 0 || i + 1 >= parts.length) return undefined;
  const name = parts[i + 1];
  return name && !name.includes('${') ? name : undefined;
}

/** The acknowledgements recorded on a resource (its `"//"` object). @internal */
export function acknowledgementsOf(r: TfResource): ComplianceAcknowledgement[] {
  return NhsComplianceProfile.acknowledgementsIn(r.cfg['//']);
}

function readJson(file: string): any {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw BackboneError.of(file, `cannot be read (${(e as Error).message})`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw BackboneError.of(file, `is not valid JSON (${(e as Error).message.split('\n')[0]})`);
  }
}

function stackMetadata(file: string, json: any): StackMetadata {
  const m = json?.['//']?.[STACK_METADATA_KEY];
  if (m === undefined) return { residency: Residency.UK, internetIngressApps: [] };
  if (typeof m !== 'object' || m === null || Array.isArray(m)) {
    throw BackboneError.of(file, `"//"."${STACK_METADATA_KEY}" is not an object ({ "residency": "uk" | "uk-eea", "backbone": name })`);
  }
  const residency = m.residency ?? Residency.UK;
  if (!(Object.values(Residency) as string[]).includes(residency)) {
    throw BackboneError.of(file, `"//"."${STACK_METADATA_KEY}".residency is ${JSON.stringify(residency)}, not one of ${Object.values(Residency).join(', ')}`);
  }
  const apps = m.internetIngressApps ?? [];
  if (!Array.isArray(apps) || apps.some((a: unknown) => typeof a !== 'string')) {
    throw BackboneError.of(file, `"//"."${STACK_METADATA_KEY}".internetIngressApps is not a list of app names`);
  }
  return { backbone: typeof m.backbone === 'string' ? m.backbone : undefined, residency: residency as Residency, internetIngressApps: apps };
}

/**
 * Reads a cdktf.out-layout folder: every `stacks/<stack>/cdk.tf.json`, in
 * name order. Throws a BackboneError naming the folder or file when it is not
 * one (no `stacks/` folder, a file that is not JSON or not a Terraform stack).
 * @internal
 */
export function readTerraformOutput(dir: string): TfOutput {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw BackboneError.of(dir, 'no such folder (give the azure/ folder of nhs-backbone synth, or a cdktf.out folder)');
  const stacksDir = join(dir, 'stacks');
  if (!existsSync(stacksDir) || !statSync(stacksDir).isDirectory()) {
    throw BackboneError.of(dir, 'is not a cdktf output folder (expected stacks/<stack>/cdk.tf.json)');
  }
  const stacks: TfStack[] = [];
  for (const name of readdirSync(stacksDir).sort()) {
    const file = join(stacksDir, name, 'cdk.tf.json');
    if (!existsSync(file)) continue;
    const json = readJson(file);
    if (typeof json !== 'object' || json === null || Array.isArray(json)) throw BackboneError.of(file, 'is not a Terraform JSON object');
    stacks.push(new TfStack(name, file, json, stackMetadata(file, json)));
  }
  return new TfOutput(stacks);
}
