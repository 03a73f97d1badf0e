import { Cloud } from './regions';
import { StatefulResources } from './stateful';
import { readJsonFile, terraformStackFiles } from './terraform-summary';

/**
 * The model and rendering of `nhs-backbone diff`: what changes between two
 * synth outputs, per cloud and stack, with the changes that destroy or
 * replace data and the security-relevant ones in sections of their own.
 *
 * The cloud-specific readers (src/aws/diff.ts for CloudFormation,
 * `diffTerraformStacks` here for Terraform JSON) produce `StackDiff`s; this
 * file classifies and renders them. Internal to the CLI (not jsii API).
 */

/** What happens to one resource. @internal */
export enum ChangeAction {
  CREATE = 'create',
  /** Deleted by the deployment. */
  DELETE = 'delete',
  /** Removed from the template but kept by `DeletionPolicy: Retain` (CloudFormation): no longer managed. */
  ORPHAN = 'orphan',
  UPDATE = 'update',
  /** Replaced: a new resource is made and the old one deleted (or, when retained, left behind unmanaged). */
  REPLACE = 'replace',
  /** CloudFormation cannot tell before deploying whether it replaces. */
  MAY_REPLACE = 'may-replace',
}

/** One resource's change. @internal */
export interface ResourceChange {
  readonly cloud: Cloud;
  readonly stack: string;
  /** CloudFormation logical id, or Terraform address (`type.name`). */
  readonly id: string;
  readonly type: string;
  readonly action: ChangeAction;
  /** The properties that change (update and replace). */
  readonly properties: string[];
  /** Of those, the ones that force a replacement. */
  readonly replacing: string[];
  /** True when the type holds data or keys (core StatefulResources). */
  readonly stateful: boolean;
  /** Why the change is security-relevant (empty when it is not). */
  readonly security: string[];
  /**
   * An update that only adds: every value the resource had is still there,
   * lists only gain entries (e.g. a new trust's range added to a firewall
   * rule's addresses).
   */
  readonly additive?: boolean;
}

/** The changes of one stack. @internal */
export interface StackDiff {
  readonly cloud: Cloud;
  readonly stack: string;
  readonly status: 'added' | 'removed' | 'changed';
  readonly changes: ResourceChange[];
  /** Extra security detail lines (e.g. CloudFormation's IAM statement and security-group tables). */
  readonly securityDetail?: string[];
}

/** Output formats of `nhs-backbone diff`. @internal */
export type DiffFormat = 'text' | 'json' | 'markdown';

const DESTRUCTIVE = new Set([ChangeAction.DELETE, ChangeAction.ORPHAN, ChangeAction.REPLACE, ChangeAction.MAY_REPLACE]);

/** Rows shown per section before "and N more" (the JSON report has everything). */
const MAX_ROWS = 40;
/** Resources listed per stack in the detail before "and N more". */
const MAX_DETAIL = 25;

/** The diff of two synth outputs. @internal */
export class DiffReport {
  public constructor(
    public readonly oldDir: string,
    public readonly newDir: string,
    public readonly stacks: StackDiff[],
  ) {}

  public get changes(): ResourceChange[] {
    return this.stacks.flatMap((s) => s.changes);
  }

  /** Stateful resources that would be destroyed, replaced, or removed from management. */
  public destructive(): ResourceChange[] {
    return this.changes.filter((c) => c.stateful && DESTRUCTIVE.has(c.action));
  }

  /** Security-relevant changes. */
  public securityChanges(): ResourceChange[] {
    return this.changes.filter((c) => c.security.length > 0);
  }

  public get isEmpty(): boolean {
    return this.stacks.every((s) => s.changes.length === 0);
  }

  public render(format: DiffFormat): string {
    switch (format) {
      case 'json': return JSON.stringify(this.toJson(), null, 2) + '\n';
      case 'markdown': return this.markdown();
      default: return this.text();
    }
  }

  private toJson(): unknown {
    return {
      old: this.oldDir,
      new: this.newDir,
      summary: this.summaries(),
      destructive: this.destructive(),
      security: this.securityChanges(),
      stacks: this.stacks,
    };
  }

  private summaries() {
    const clouds = [...new Set(this.stacks.map((s) => s.cloud))];
    return clouds.map((cloud) => {
      const stacks = this.stacks.filter((s) => s.cloud === cloud);
      const changes = stacks.flatMap((s) => s.changes);
      const count = (...actions: ChangeAction[]) => changes.filter((c) => actions.includes(c.action)).length;
      return {
        cloud,
        stacksAdded: stacks.filter((s) => s.status === 'added').length,
        stacksRemoved: stacks.filter((s) => s.status === 'removed').length,
        stacksChanged: stacks.filter((s) => s.status === 'changed' && s.changes.length > 0).length,
        created: count(ChangeAction.CREATE),
        deleted: count(ChangeAction.DELETE, ChangeAction.ORPHAN),
        updated: count(ChangeAction.UPDATE),
        updatedOnlyAdding: changes.filter((c) => c.additive).length,
        replaced: count(ChangeAction.REPLACE, ChangeAction.MAY_REPLACE),
        destructive: changes.filter((c) => c.stateful && DESTRUCTIVE.has(c.action)).length,
        security: changes.filter((c) => c.security.length > 0).length,
      };
    });
  }

  private text(): string {
    const lines: string[] = [`nhs-backbone diff ${this.oldDir} -> ${this.newDir}`];
    if (this.isEmpty) return lines.concat('no changes').join('\n') + '\n';
    for (const s of this.summaries()) {
      lines.push(`${s.cloud}: stacks +${s.stacksAdded} -${s.stacksRemoved} ~${s.stacksChanged}; resources +${s.created} -${s.deleted} ~${s.updated} (${s.updatedOnlyAdding} only adding) replaced ${s.replaced}; ${s.destructive} stateful destroyed or replaced; ${s.security} security-relevant`);
    }
    const destructive = this.destructive();
    lines.push('', `STATEFUL RESOURCES DESTROYED OR REPLACED (${destructive.length})`);
    if (destructive.length === 0) lines.push('  none');
    for (const c of destructive.slice(0, MAX_ROWS)) lines.push(`  ${c.cloud} ${c.stack} ${c.id} (${c.type}): ${consequence(c)}`);
    more(lines, destructive.length, '  ');
    const security = this.securityChanges();
    lines.push('', `SECURITY-RELEVANT CHANGES (${security.length})`);
    if (security.length === 0) lines.push('  none');
    for (const c of security.slice(0, MAX_ROWS)) lines.push(`  ${c.cloud} ${c.stack} ${sign(c.action)} ${c.id} (${c.type}): ${c.security.join('; ')}`);
    more(lines, security.length, '  ');
    for (const s of this.stacks.filter((x) => x.securityDetail?.length)) {
      lines.push(`  ${s.cloud} ${s.stack}:`, ...s.securityDetail!.map((l) => `    ${l}`));
    }
    lines.push('', 'DETAIL');
    for (const s of this.stacks.filter((x) => x.changes.length > 0)) {
      lines.push(`${s.cloud} ${s.stack} (${s.status})`);
      for (const l of detail(s)) lines.push(`  ${l}`);
    }
    return lines.join('\n') + '\n';
  }

  private markdown(): string {
    const lines: string[] = ['## nhs-backbone diff', ''];
    if (this.isEmpty) return lines.concat('No changes.').join('\n') + '\n';
    const destructive = this.destructive();
    const security = this.securityChanges();
    lines.push(destructive.length > 0
      ? `**${destructive.length} stateful resource${destructive.length === 1 ? '' : 's'} (stores, keys, DICOM stores, log archives, backup vaults) would be destroyed or replaced.**`
      : 'No stateful resource is destroyed or replaced.');
    lines.push('', '| cloud | stacks added | removed | changed | resources added | removed | updated (only adding) | replaced | security-relevant |', '|---|---:|---:|---:|---:|---:|---:|---:|---:|');
    for (const s of this.summaries()) {
      lines.push(`| ${s.cloud} | ${s.stacksAdded} | ${s.stacksRemoved} | ${s.stacksChanged} | ${s.created} | ${s.deleted} | ${s.updated} (${s.updatedOnlyAdding}) | ${s.replaced} | ${s.security} |`);
    }
    if (destructive.length > 0) {
      lines.push('', `### Stateful resources destroyed or replaced (${destructive.length})`, '', '| cloud | stack | resource | type | what happens |', '|---|---|---|---|---|');
      for (const c of destructive.slice(0, MAX_ROWS)) lines.push(`| ${c.cloud} | ${md(c.stack)} | \`${md(c.id)}\` | ${md(c.type)} | ${md(consequence(c))} |`);
      more(lines, destructive.length, '');
    }
    lines.push('', `### Security-relevant changes (${security.length})`, '');
    if (security.length === 0) {
      lines.push('None.');
    } else {
      lines.push('| cloud | stack | change | resource | type | why |', '|---|---|---|---|---|---|');
      for (const c of security.slice(0, MAX_ROWS)) lines.push(`| ${c.cloud} | ${md(c.stack)} | ${c.action} | \`${md(c.id)}\` | ${md(c.type)} | ${md(c.security.join('; '))} |`);
      more(lines, security.length, '');
    }
    const changed = this.stacks.filter((x) => x.changes.length > 0);
    lines.push('', `<details><summary>Detail by stack (${changed.length} stacks)</summary>`, '');
    for (const s of changed) {
      lines.push(`#### ${s.cloud} · ${md(s.stack)} (${s.status})`, '');
      for (const l of detail(s)) lines.push(`- ${md(l)}`);
      if (s.securityDetail?.length) lines.push('', '```', ...s.securityDetail, '```');
      lines.push('');
    }
    lines.push('</details>');
    return lines.join('\n') + '\n';
  }
}

function more(lines: string[], total: number, indent: string): void {
  if (total > MAX_ROWS) lines.push(`${indent}... and ${total - MAX_ROWS} more (--format json lists them all)`);
}

function md(s: string): string {
  return s.replace(/\|/g, '\\|');
}

function sign(action: ChangeAction): string {
  switch (action) {
    case ChangeAction.CREATE: return '+';
    case ChangeAction.DELETE:
    case ChangeAction.ORPHAN: return '-';
    case ChangeAction.REPLACE:
    case ChangeAction.MAY_REPLACE: return '!';
    default: return '~';
  }
}

function consequence(c: ResourceChange): string {
  switch (c.action) {
    case ChangeAction.DELETE: return 'destroyed (removed from the configuration)';
    case ChangeAction.ORPHAN: return 'removed from the backbone; kept in the account by its retain policy but no longer managed, backed up or monitored by it';
    case ChangeAction.REPLACE: return `replaced by a new, empty resource (${c.replacing.join(', ') || 'type'} changes)`;
    case ChangeAction.MAY_REPLACE: return `may be replaced by a new, empty resource (${c.replacing.join(', ')} changes)`;
    default: return c.action;
  }
}

/** A stack's detail lines: whole added or removed stacks summarised by type, others resource by resource. */
function detail(s: StackDiff): string[] {
  if (s.status !== 'changed') {
    const byType = new Map<string, number>();
    for (const c of s.changes) byType.set(c.type, (byType.get(c.type) ?? 0) + 1);
    const types = [...byType.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
    return [`${s.status === 'added' ? 'new stack' : 'stack removed'}: ${s.changes.length} resources (${types.map(([t, n]) => `${n} ${t}`).join(', ')})`];
  }
  const sorted = [...s.changes].sort((a, b) => rank(a) - rank(b) || a.id.localeCompare(b.id));
  const lines = sorted.slice(0, MAX_DETAIL).map((c) => {
    const props = c.properties.length ? `: ${c.properties.map((p) => c.replacing.includes(p) ? `${p} (replaces)` : p).join(', ')}` : '';
    return `${sign(c.action)} ${c.id} (${c.type})${c.action === ChangeAction.ORPHAN ? ' retained, unmanaged' : ''}${c.additive ? ' only adds' : ''}${props}`;
  });
  if (sorted.length > MAX_DETAIL) lines.push(`... and ${sorted.length - MAX_DETAIL} more`);
  return lines;
}

function rank(c: ResourceChange): number {
  if (c.stateful && DESTRUCTIVE.has(c.action)) return 0;
  if (c.security.length > 0) return 1;
  return 2;
}

// ---------------------------------------------------------------------------
// Classification shared by the clouds.

const IAM_TYPE = /^AWS::IAM::|^AWS::SSO::|^AWS::(S3::BucketPolicy|KMS::Key|SecretsManager::ResourcePolicy|Lambda::Permission)$|^azurerm_(role_assignment|role_definition|key_vault_access_policy|federated_identity_credential)|^google_.*_iam_(member|binding|policy|custom_role)$|^google_project_iam_custom_role$|^google_iam_workload_identity_pool/;
const NETWORK_RULE_TYPE = /SecurityGroup|NetworkAcl|^AWS::NetworkFirewall::|^AWS::WAFv2::|^AWS::ElasticLoadBalancingV2::(LoadBalancer|Listener)$|^azurerm_network_security_(group|rule)$|^azurerm_firewall|^azurerm_web_application_firewall_policy$|^google_compute_(firewall|network_firewall_policy|region_network_firewall_policy|firewall_policy|security_policy|region_security_policy)/;
const PUBLIC_TYPE = /^AWS::EC2::(InternetGateway|EIP|EgressOnlyInternetGateway)$|^azurerm_public_ip|^google_compute_global_forwarding_rule$|^google_compute_global_address$|^google_compute_router_nat$|^AWS::EC2::NatGateway$/;
const ENCRYPTION_PROP = /encrypt|kms|cmk|customer_managed_key|key_vault_key|sse|^SSESpecification$|KmsKey|default_kms_key_name|key_source/i;
const PUBLIC_PROP = /public|^Scheme$|PubliclyAccessible|internet|nested_items_to_be_public|uniform_bucket_level_access|shared_access_key|AccessControl|MapPublicIpOnLaunch|network_rules|NetworkAcls|ip_configuration|private_endpoint/i;
const IAM_PROP = /PolicyDocument|^Policies$|ManagedPolicyArns|AssumeRolePolicy|KeyPolicy|^role$|^members?$|role_definition|principal_id|access_policy|PermissionsBoundary/i;
const PROTECTION_PROP = /^(DeletionPolicy|UpdateReplacePolicy|lifecycle)$/;
const OPEN_VALUE = /^(0\.0\.0\.0\/0|::\/0|\*|Internet|any)$/;
const OPEN_KEY = /cidr|source|prefix|src_ip_ranges|source_ranges|CidrIp|address_prefix|ip_range/i;

/**
 * Why a change is security-relevant: IAM, network rules, public exposure,
 * encryption, compliance acknowledgements, retention policies. `before` and
 * `after` are the resource's definitions (undefined when absent).
 * @internal
 */
export function securityReasons(type: string, action: ChangeAction, properties: string[], before: any, after: any): string[] {
  const reasons: string[] = [];
  const props = action === ChangeAction.CREATE || action === ChangeAction.DELETE || action === ChangeAction.ORPHAN ? [] : properties;
  if (IAM_TYPE.test(type) || props.some((p) => IAM_PROP.test(p))) reasons.push(`IAM: ${verb(action)} ${IAM_TYPE.test(type) ? 'grant or policy' : 'policy property'}`);
  if (NETWORK_RULE_TYPE.test(type)) reasons.push(`network rule ${verb(action)}`);
  if (PUBLIC_TYPE.test(type)) reasons.push(`public endpoint ${verb(action)}`);
  const publicProps = props.filter((p) => PUBLIC_PROP.test(p));
  if (publicProps.length > 0) reasons.push(`public access setting changed: ${publicProps.join(', ')}`);
  const encryption = props.filter((p) => ENCRYPTION_PROP.test(p));
  if (encryption.length > 0) reasons.push(`encryption setting changed: ${encryption.join(', ')}`);
  const protection = props.filter((p) => PROTECTION_PROP.test(p));
  if (protection.length > 0) reasons.push(`destroy protection changed: ${protection.join(', ')}`);
  if (action !== ChangeAction.DELETE && action !== ChangeAction.ORPHAN) {
    const opened = openings(before, after);
    if (opened.length > 0) reasons.push(`opens to any address: ${opened.join(', ')}`);
  }
  return reasons;
}

/**
 * In a stack that is new as a whole (a trust added), every role and rule is
 * new; the reviewer needs only what exposes it: openings to any address,
 * public endpoints and compliance acknowledgements. The stack's detail line
 * counts the rest.
 * @internal
 */
export function forAddedStack(reasons: string[]): string[] {
  return reasons.filter((r) => /^(opens to any address|public endpoint|acknowledges)/.test(r));
}

function verb(action: ChangeAction): string {
  switch (action) {
    case ChangeAction.CREATE: return 'added';
    case ChangeAction.DELETE:
    case ChangeAction.ORPHAN: return 'removed';
    case ChangeAction.REPLACE:
    case ChangeAction.MAY_REPLACE: return 'replaced';
    default: return 'changed';
  }
}

/**
 * The places in `after` that admit any address (0.0.0.0/0, ::/0, `*`,
 * `Internet`) under an address-like key, and were not already there in
 * `before`. Array positions are ignored, so reordering is not an opening.
 */
function openings(before: any, after: any): string[] {
  const had = new Set(openLeaves(before));
  return [...new Set(openLeaves(after).filter((l) => !had.has(l)))];
}

function openLeaves(value: any, path = ''): string[] {
  if (value === null || value === undefined) return [];
  if (Array.isArray(value)) return value.flatMap((v) => openLeaves(v, path));
  if (typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => k === '//' || k === 'Metadata' ? [] : openLeaves(v, path ? `${path}.${k}` : k));
  if (typeof value === 'string') {
    const key = path.split('.').pop() ?? '';
    if (OPEN_KEY.test(key) && OPEN_VALUE.test(value)) return [`${path} = ${value}`];
  }
  return [];
}

// ---------------------------------------------------------------------------
// Terraform JSON (cdk.tf.json), compared by resource address.

/**
 * The arguments that force Terraform to replace a resource, by resource type:
 * top-level arguments (`name`) or nested block arguments (`version_template.protection_level`).
 * @internal
 */
export type ForceNewRules = { readonly [type: string]: readonly string[] };

/**
 * Arguments that force a replacement only between certain values (e.g. a
 * storage account's replication moving between zone-redundant and not), by
 * type and argument path: the test gets the old and new values.
 * @internal
 */
export type ConditionalForceNewRules = { readonly [type: string]: { readonly [path: string]: (before: any, after: any) => boolean } };

/** Resource definitions of one Terraform stack, by address. @internal */
export type TerraformResources = Map<string, { type: string; config: any }>;

/** The resources of a cdk.tf.json document, by address. @internal */
export function terraformResources(json: any): TerraformResources {
  const out: TerraformResources = new Map();
  for (const [type, byName] of Object.entries<any>(json?.resource ?? {})) {
    for (const [name, config] of Object.entries<any>(byName ?? {})) out.set(`${type}.${name}`, { type, config });
  }
  return out;
}

/** Keys of a resource's configuration that do not change the resource. */
const IGNORED = new Set(['depends_on', 'provider', 'count', 'for_each']);

/**
 * Compares the stacks of two Terraform outputs by stack name and resource
 * address. An address present only in the old output is a destroy, only in the
 * new a create (an address that changes, or a resource that moves to another
 * stack, is both: each stack has its own state). A changed argument listed in
 * `forceNew` for the type makes the change a replacement.
 * @internal
 */
export function diffTerraformStacks(
  cloud: Cloud,
  oldStacks: Map<string, any>,
  newStacks: Map<string, any>,
  forceNew: ForceNewRules,
  conditional: ConditionalForceNewRules = {},
): StackDiff[] {
  const names = [...new Set([...oldStacks.keys(), ...newStacks.keys()])].sort();
  const out: StackDiff[] = [];
  for (const stack of names) {
    const before = terraformResources(oldStacks.get(stack));
    const after = terraformResources(newStacks.get(stack));
    const status = !oldStacks.has(stack) ? 'added' : !newStacks.has(stack) ? 'removed' : 'changed';
    const changes: ResourceChange[] = [];
    const addresses = [...new Set([...before.keys(), ...after.keys()])].sort();
    for (const address of addresses) {
      const b = before.get(address);
      const a = after.get(address);
      const type = (a ?? b)!.type;
      const stateful = StatefulResources.isStateful(cloud, type);
      if (!b || !a) {
        const action = b ? ChangeAction.DELETE : ChangeAction.CREATE;
        const reasons = securityReasons(type, action, [], b?.config, a?.config).concat(acknowledgementChanges(b?.config, a?.config));
        changes.push({ cloud, stack, id: address, type, action, properties: [], replacing: [], stateful, security: status === 'added' ? forAddedStack(reasons) : reasons });
        continue;
      }
      const properties = changedKeys(b.config, a.config);
      if (properties.length === 0) continue;
      const replacing = [
        ...(forceNew[type] ?? []).filter((p) => !same(pathValue(b.config, p), pathValue(a.config, p))),
        ...Object.entries(conditional[type] ?? {}).filter(([p, test]) => test(pathValue(b.config, p), pathValue(a.config, p))).map(([p]) => p),
      ].map((p) => p.split('.')[0]).filter((p, i, all) => all.indexOf(p) === i).sort();
      const action = replacing.length > 0 ? ChangeAction.REPLACE : ChangeAction.UPDATE;
      const security = securityReasons(type, action, properties.filter((p) => p !== '//'), b.config, a.config)
        .concat(acknowledgementChanges(b.config, a.config));
      const additive = action === ChangeAction.UPDATE && onlyAdds(b.config, a.config);
      changes.push({ cloud, stack, id: address, type, action, properties: properties.map((p) => p === '//' ? 'metadata' : p), replacing, stateful, security, additive });
    }
    out.push({ cloud, stack, status, changes });
  }
  return out;
}

function changedKeys(before: any, after: any): string[] {
  const keys = [...new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})])].filter((k) => !IGNORED.has(k)).sort();
  return keys.filter((k) => !same(before?.[k], after?.[k]));
}

/** The value at `a.b.c`, looking through the one-element lists Terraform uses for blocks. */
function pathValue(value: any, path: string): any {
  let v = value;
  for (const part of path.split('.')) {
    if (Array.isArray(v)) v = v.map((x) => x?.[part]);
    else v = v?.[part];
  }
  return v;
}

/**
 * True when `after` keeps everything `before` had: equal scalars, objects
 * keeping every non-null key (recursively), lists keeping every entry (the
 * same, or at the same position one that itself only adds).
 * @internal
 */
export function onlyAdds(before: any, after: any): boolean {
  if (same(before, after) || before === null || before === undefined) return true;
  if (Array.isArray(before)) {
    return Array.isArray(after) && after.length >= before.length
      && before.every((b, i) => after.some((a) => same(a, b)) || onlyAdds(b, after[i]));
  }
  if (typeof before === 'object') {
    return typeof after === 'object' && after !== null && !Array.isArray(after)
      && Object.keys(before).every((k) => onlyAdds(before[k], after[k]));
  }
  return false;
}

/** Deep equality of JSON values (key order ignored). @internal */
export function same(a: any, b: any): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) return a.length === b.length && a.every((x, i) => same(x, b[i]));
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && same(a[k], b[k]));
}

const ACK_KEY = 'nhs-backbone:acknowledgements';

/**
 * Compliance acknowledgements added or removed on a resource: an added one
 * silences a rule for it, so a reviewer must see it with its reason.
 * Terraform keeps them in `"//"`, CloudFormation in `Metadata`.
 * @internal
 */
export function acknowledgementChanges(before: any, after: any): string[] {
  const list = (r: any): Array<{ ruleId: string; reason: string }> => {
    const l = r?.['//']?.[ACK_KEY] ?? r?.Metadata?.[ACK_KEY];
    return Array.isArray(l) ? l : [];
  };
  const b = list(before);
  const a = list(after);
  const key = (x: { ruleId: string; reason: string }) => `${x.ruleId}\u0000${x.reason}`;
  const bk = new Set(b.map(key));
  const ak = new Set(a.map(key));
  return [
    ...a.filter((x) => !bk.has(key(x))).map((x) => `acknowledges ${x.ruleId}: "${x.reason}"`),
    ...b.filter((x) => !ak.has(key(x)) && after !== undefined).map((x) => `no longer acknowledges ${x.ruleId}`),
  ];
}

/**
 * The stacks of a cdktf.out-layout folder (its `manifest.json`'s
 * `synthesizedStackPath`s, else `stacks/<stack>/cdk.tf.json`), by stack name;
 * an empty map for a folder that does not exist. Bad JSON is a BackboneError
 * naming the file.
 * @internal
 */
export function readTerraformOutput(dir: string): Map<string, any> {
  return new Map(terraformStackFiles(dir).map(([name, file]) => [name, readJsonFile(file, dir)]));
}
