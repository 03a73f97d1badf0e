import { DEFAULT_LABELLED_TYPES } from './labelled-types';
import { ComplianceAcknowledgement, ComplianceFinding, NhsComplianceProfile, RECORDS_CATEGORY_TAG } from '../../core/compliance';
import { BackboneError } from '../../core/errors';
import { Cloud, Residency, UkRegions } from '../../core/regions';
import { RecordsCategory } from '../../core/retention';
import { NhsTagKey } from '../../core/tags';

/**
 * The NHS compliance profile's rules over Google Cloud Terraform JSON (the
 * cdktf.out layout: one `cdk.tf.json` per stack). Every evaluator is a pure
 * function of the parsed output: no cdktf or provider import, so a check of
 * someone else's output loads nothing but this file. One evaluator per rule;
 * findings name the Terraform address `type.name` (or `provider.google` for a
 * stack-wide finding) and honour acknowledgements carried in the element's
 * `"//"` object under ACKNOWLEDGEMENTS_KEY.
 * @internal
 */

/** The key of a stack's top-level `"//"` object with the backbone's metadata. */
export const STACK_METADATA_KEY = 'nhs-backbone';
/** Label an internet-facing resource carries to name the app whose declared ingress it is. */
export const APP_INGRESS_LABEL = 'app-ingress';
/** Label value (key `purpose`) of the central log archive bucket. */
export const LOG_ARCHIVE_PURPOSE = 'log-archive';
/** Label value (key `purpose`) of a backup copy bucket. */
export const BACKUP_PURPOSE = 'backup';
/** The ODS-code label key on Google Cloud (NhsTagKey.ODS_CODE is already a valid label key). */
export const ODS_CODE_LABEL: string = NhsTagKey.ODS_CODE;

/** What a stack records about itself in `"//"."nhs-backbone"`. */
export interface StackMetadata {
  readonly residency: Residency;
  readonly backbone?: string;
  /** Apps of the spec whose ingress is `internet` (their edge may be external). */
  readonly internetIngressApps: string[];
}

/** One synthesised stack. */
export interface TfStack {
  readonly name: string;
  readonly file: string;
  readonly json: any;
  readonly meta: StackMetadata;
  /** Provider blocks by reference (`google`, `google.<alias>`, `google-beta`...). */
  readonly providers: Map<string, any>;
}

/** A resource (or a provider block, type `provider`) that a finding can name. */
export interface TfElement {
  readonly stack: TfStack;
  readonly type: string;
  readonly name: string;
  /** `type.name`, or `provider.<ref>`. */
  readonly address: string;
  readonly config: any;
}

/** A resource with what the rules need resolved. */
export interface TfResource extends TfElement {
  /** Its project: the `project` attribute, else its provider's; undefined when computed. */
  readonly project?: string;
  /** Its provider block. */
  readonly provider: any;
}

/** The whole output, indexed. */
export interface GcpOutput {
  readonly stacks: TfStack[];
  readonly resources: TfResource[];
}

interface RawFinding {
  readonly element: TfElement;
  readonly message: string;
}

type Evaluator = (out: GcpOutput) => RawFinding[];

// ---------------------------------------------------------------- parsing

/**
 * Reads one stack's JSON; throws a BackboneError naming the file when it is
 * not a Terraform JSON object or its backbone metadata is malformed.
 */
export function parseStack(name: string, file: string, json: unknown): TfStack {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw BackboneError.of(file, 'is not a Terraform JSON configuration (expected an object with "resource", "provider"...)');
  }
  const j = json as any;
  for (const key of ['resource', 'provider', 'data']) {
    if (j[key] !== undefined && (typeof j[key] !== 'object' || j[key] === null || Array.isArray(j[key]))) {
      throw BackboneError.of(file, `"${key}" is not an object of Terraform blocks`);
    }
  }
  for (const [type, byName] of Object.entries<any>(j.resource ?? {})) {
    if (typeof byName !== 'object' || byName === null || Array.isArray(byName)) {
      throw BackboneError.of(file, `resource "${type}" is not an object of named resources`);
    }
  }
  const raw = j['//']?.[STACK_METADATA_KEY];
  let residency = Residency.UK;
  if (raw !== undefined && raw.residency !== undefined) {
    if (!(Object.values(Residency) as string[]).includes(raw.residency)) {
      throw BackboneError.of(file, `"//".${STACK_METADATA_KEY}.residency ${JSON.stringify(raw.residency)} is not a residency (one of: ${Object.values(Residency).join(', ')})`);
    }
    residency = raw.residency;
  }
  const apps = raw?.internetIngressApps ?? [];
  if (!Array.isArray(apps) || !apps.every((a: unknown) => typeof a === 'string')) {
    throw BackboneError.of(file, `"//".${STACK_METADATA_KEY}.internetIngressApps is not a list of app names`);
  }
  const providers = new Map<string, any>();
  for (const [ptype, given] of Object.entries<any>(j.provider ?? {})) {
    for (const b of Array.isArray(given) ? given : [given]) {
      if (typeof b !== 'object' || b === null) throw BackboneError.of(file, `provider "${ptype}" is not a provider block`);
      providers.set(typeof b.alias === 'string' && b.alias ? `${ptype}.${b.alias}` : ptype, b);
    }
  }
  return {
    name,
    file,
    json: j,
    providers,
    meta: { residency, backbone: typeof raw?.backbone === 'string' ? raw.backbone : undefined, internetIngressApps: apps },
  };
}

/** Indexes parsed stacks. */
export function indexOutput(stacks: TfStack[]): GcpOutput {
  const resources: TfResource[] = [];
  for (const stack of stacks) {
    for (const [type, byName] of Object.entries<any>(stack.json.resource ?? {})) {
      for (const [name, config] of Object.entries<any>(byName)) {
        const cfg = config ?? {};
        const provider = providerOf(stack, type, cfg);
        const project = literal(cfg.project) ?? (cfg.project === undefined ? literal(provider?.project) : undefined);
        resources.push({ stack, type, name, address: `${type}.${name}`, config: cfg, provider, project });
      }
    }
  }
  return { stacks, resources };
}

function providerOf(stack: TfStack, type: string, cfg: any): any {
  const ref = typeof cfg.provider === 'string' ? cfg.provider.replace(/^\$\{(.*)\}$/, '$1') : type.split('_')[0];
  return stack.providers.get(ref) ?? stack.providers.get(type.split('_')[0]);
}

/** The provider blocks of a stack as elements (for stack-wide findings). */
function providerElements(stack: TfStack): TfElement[] {
  return [...stack.providers.entries()].map(([ref, config]) => ({ stack, type: 'provider', name: ref, address: `provider.${ref}`, config }));
}

// ---------------------------------------------------------------- helpers

/** A string with no Terraform interpolation, else undefined. */
export function literal(v: unknown): string | undefined {
  return typeof v === 'string' && !v.includes('${') ? v : undefined;
}

/** A nested block: Terraform JSON allows a single block as an object or a one-element list. */
function block(v: unknown): any {
  return Array.isArray(v) ? v[0] : (typeof v === 'object' && v !== null ? v : undefined);
}

function blocks(v: unknown): any[] {
  if (Array.isArray(v)) return v.filter((x) => typeof x === 'object' && x !== null);
  return typeof v === 'object' && v !== null ? [v] : [];
}

function list(v: unknown): unknown[] {
  return Array.isArray(v) ? v : (v === undefined || v === null ? [] : [v]);
}

function isTrue(v: unknown): boolean {
  return v === true || v === 'true';
}

/** A reference to an attribute of a resource in the same stack: `${type.name.attr}`. */
function refTo(v: unknown): { type: string; name: string; attr: string } | undefined {
  const m = typeof v === 'string' ? /^\$\{([a-z0-9_]+)\.([^.}]+)\.([a-z0-9_]+)\}$/.exec(v) : null;
  return m ? { type: m[1], name: m[2], attr: m[3] } : undefined;
}

function resourceIn(stack: TfStack, type: string, name: string): any {
  return stack.json.resource?.[type]?.[name];
}

/** The literal value of an attribute, following one same-stack reference (`${google_storage_bucket.x.name}`). */
function resolve(stack: TfStack, v: unknown): string | undefined {
  const lit = literal(v);
  if (lit !== undefined) return lit;
  const ref = refTo(v);
  if (!ref) return undefined;
  return literal(resourceIn(stack, ref.type, ref.name)?.[ref.attr]);
}

/** A Cloud KMS key: a `projects/.../cryptoKeys/...` name, or an interpolation (a key resource or variable). */
function isKmsKey(v: unknown): boolean {
  if (typeof v !== 'string' || v.trim() === '') return false;
  if (v.includes('${')) return true;
  return /^projects\/[^/]+\/locations\/[^/]+\/keyRings\/[^/]+\/cryptoKeys\/[^/]+(\/cryptoKeyVersions\/[^/]+)?$/.test(v);
}

/** The labels a resource ends up with: the provider's default labels (where they apply) under its own. */
export function effectiveLabels(r: TfResource): { labels: { [k: string]: unknown }; computed: boolean } {
  const own = r.type === 'google_container_cluster' ? r.config.resource_labels
    : ['google_cloud_run_service', 'google_cloud_run_domain_mapping'].includes(r.type) ? block(r.config.metadata)?.labels
      : USER_LABELLED_TYPES.has(r.type) ? r.config.user_labels
        : r.config.labels;
  const defaults = USER_LABELLED_TYPES.has(r.type) ? {} : (block(r.provider)?.default_labels ?? {});
  const computed = typeof own === 'string' || typeof defaults === 'string';
  return {
    labels: { ...(typeof defaults === 'object' ? defaults : {}), ...(typeof own === 'object' && own !== null ? own : {}) },
    computed,
  };
}

/** Types whose labels are `user_labels`, which the provider's default labels do not reach. */
const USER_LABELLED_TYPES = new Set([
  'google_monitoring_alert_policy', 'google_monitoring_custom_service', 'google_monitoring_notification_channel',
  'google_monitoring_service', 'google_monitoring_slo', 'google_monitoring_uptime_check_config',
]);

function isLabelled(type: string): boolean {
  return DEFAULT_LABELLED_TYPES.has(type) || USER_LABELLED_TYPES.has(type) || type === 'google_container_cluster'
    || type === 'google_cloud_run_service' || type === 'google_cloud_run_domain_mapping';
}

// ---------------------------------------------------------------- NHS-ENC-1

/** Where each data-holding type names its customer-managed key; returns what is wrong, or nothing. */
const ENCRYPTION: { [type: string]: (r: TfResource) => string | undefined } = {
  google_storage_bucket: (r) => isKmsKey(block(r.config.encryption)?.default_kms_key_name) ? undefined
    : 'bucket has no default customer-managed key (encryption.default_kms_key_name)',
  google_healthcare_dataset: (r) => isKmsKey(block(r.config.encryption_spec)?.kms_key_name) ? undefined
    : 'Healthcare dataset has no customer-managed key (encryption_spec.kms_key_name; it can only be set when the dataset is made)',
  google_healthcare_dicom_store: (r) => healthcareStoreKey(r),
  google_healthcare_fhir_store: (r) => healthcareStoreKey(r),
  google_healthcare_hl7_v2_store: (r) => healthcareStoreKey(r),
  google_compute_disk: (r) => diskKey(block(r.config.disk_encryption_key), 'disk'),
  google_compute_region_disk: (r) => diskKey(block(r.config.disk_encryption_key), 'regional disk'),
  google_compute_snapshot: (r) => diskKey(block(r.config.snapshot_encryption_key), 'snapshot'),
  google_compute_image: (r) => diskKey(block(r.config.image_encryption_key), 'image'),
  google_compute_instance: (r) => {
    const boot = block(r.config.boot_disk);
    return boot?.source !== undefined || isKmsKey(boot?.kms_key_self_link) ? undefined
      : 'instance boot disk has no customer-managed key (boot_disk.kms_key_self_link)';
  },
  google_compute_instance_template: (r) => templateDisks(r),
  google_compute_region_instance_template: (r) => templateDisks(r),
  google_pubsub_topic: (r) => isKmsKey(r.config.kms_key_name) ? undefined : 'topic has no customer-managed key (kms_key_name)',
  google_secret_manager_secret: (r) => secretKeys(r),
  google_bigquery_dataset: (r) => isKmsKey(block(r.config.default_encryption_configuration)?.kms_key_name) ? undefined
    : 'dataset has no default customer-managed key (default_encryption_configuration.kms_key_name)',
  google_sql_database_instance: (r) => isKmsKey(r.config.encryption_key_name) ? undefined
    : 'Cloud SQL instance has no customer-managed key (encryption_key_name)',
  google_logging_project_bucket_config: (r) => isKmsKey(block(r.config.cmek_settings)?.kms_key_name) ? undefined
    : 'log bucket has no customer-managed key (cmek_settings.kms_key_name)',
  google_artifact_registry_repository: (r) => isKmsKey(r.config.kms_key_name) ? undefined
    : 'repository has no customer-managed key (kms_key_name)',
  google_filestore_instance: (r) => isKmsKey(r.config.kms_key_name) ? undefined : 'Filestore instance has no customer-managed key (kms_key_name)',
  google_redis_instance: (r) => isKmsKey(r.config.customer_managed_key) ? undefined : 'Memorystore instance has no customer-managed key (customer_managed_key)',
  google_alloydb_cluster: (r) => isKmsKey(block(r.config.encryption_config)?.kms_key_name) ? undefined
    : 'AlloyDB cluster has no customer-managed key (encryption_config.kms_key_name)',
  google_spanner_database: (r) => isKmsKey(block(r.config.encryption_config)?.kms_key_name) ? undefined
    : 'Spanner database has no customer-managed key (encryption_config.kms_key_name)',
  google_container_cluster: (r) => block(r.config.database_encryption)?.state === 'ENCRYPTED' && isKmsKey(block(r.config.database_encryption)?.key_name) ? undefined
    : 'GKE cluster secrets are not encrypted with a customer-managed key (database_encryption)',
};

function diskKey(key: any, what: string): string | undefined {
  if (isKmsKey(key?.kms_key_self_link) || isKmsKey(key?.kms_key_name)) return undefined;
  if (key?.raw_key !== undefined || key?.rsa_encrypted_key !== undefined) {
    return `${what} uses a customer-supplied raw key (the key is in the configuration and state), not a Cloud KMS key`;
  }
  return `${what} has no customer-managed key (disk_encryption_key.kms_key_self_link)`;
}

function templateDisks(r: TfResource): string | undefined {
  const bad = blocks(r.config.disk).map((d, i) => [d, i] as const)
    .filter(([d]) => d.source === undefined && !isKmsKey(block(d.disk_encryption_key)?.kms_key_self_link))
    .map(([, i]) => `disk[${i}]`);
  return bad.length ? `instance template ${bad.join(', ')} has no customer-managed key (disk_encryption_key.kms_key_self_link)` : undefined;
}

function secretKeys(r: TfResource): string | undefined {
  const rep = block(r.config.replication);
  const auto = block(rep?.auto);
  if (auto) {
    return isKmsKey(block(auto.customer_managed_encryption)?.kms_key_name) ? undefined
      : 'secret (automatic replication) has no customer-managed key (customer_managed_encryption.kms_key_name)';
  }
  const replicas = blocks(block(rep?.user_managed)?.replicas);
  if (replicas.length === 0) return 'secret has no replication with a customer-managed key';
  const bad = replicas.filter((x) => !isKmsKey(block(x.customer_managed_encryption)?.kms_key_name)).map((x) => String(x.location));
  return bad.length ? `secret replica(s) ${bad.join(', ')} have no customer-managed key (customer_managed_encryption.kms_key_name)` : undefined;
}

function healthcareStoreKey(r: TfResource): string | undefined {
  const ref = refTo(r.config.dataset);
  const ds = ref && ref.type === 'google_healthcare_dataset' ? resourceIn(r.stack, ref.type, ref.name) : undefined;
  if (!ds) return `store's dataset ${JSON.stringify(r.config.dataset)} is not in this stack, so its customer-managed key cannot be shown`;
  return isKmsKey(block(ds.encryption_spec)?.kms_key_name) ? undefined
    : `store's dataset ${ref!.type}.${ref!.name} has no customer-managed key (encryption_spec.kms_key_name)`;
}

const enc1: Evaluator = (out) => out.resources.flatMap((r) => {
  const why = ENCRYPTION[r.type]?.(r);
  return why ? [{ element: r, message: why }] : [];
});

// ---------------------------------------------------------------- NHS-RES-1

/** Types whose `location` is where data (or key material) lives: `global` or a multi-region is refused for them. */
const DATA_LOCATED_TYPES = new Set([
  'google_storage_bucket', 'google_kms_key_ring', 'google_healthcare_dataset', 'google_bigquery_dataset',
  'google_logging_project_bucket_config', 'google_artifact_registry_repository', 'google_secret_manager_regional_secret',
  'google_alloydb_cluster', 'google_spanner_instance', 'google_filestore_instance', 'google_backup_dr_backup_vault',
]);

/** A location's region (`europe-west2-a` -> `europe-west2`), `global`, or undefined for a multi-region (EU, US, EUR4...). */
function regionOf(location: string): string | undefined {
  const l = location.toLowerCase();
  if (l === 'global') return 'global';
  const zone = /^([a-z]+-[a-z]+\d+)-[a-z]$/.exec(l);
  if (zone) return zone[1];
  return /^[a-z]+-[a-z]+\d+$/.test(l) ? l : undefined;
}

function checkLocations(where: string, values: unknown[], allowed: string[], dataLocated: boolean, residency: Residency): string[] {
  const out: string[] = [];
  for (const v of values) {
    const s = literal(v);
    if (s === undefined) continue;
    const region = regionOf(s);
    if (region === 'global') {
      if (dataLocated) out.push(`${where} "${s}" keeps the data in Google's global locations, not in ${allowed.join(', ')}`);
    } else if (region === undefined) {
      out.push(`${where} "${s}" is a multi-region location, outside the regions residency ${residency} allows (${allowed.join(', ')})`);
    } else if (!allowed.includes(region)) {
      out.push(`${where} "${s}" is outside the regions residency ${residency} allows (${allowed.join(', ')})`);
    }
  }
  return out;
}

const res1: Evaluator = (out) => {
  const found: RawFinding[] = [];
  for (const stack of out.stacks) {
    const allowed = UkRegions.allowedRegions(Cloud.GCP, stack.meta.residency);
    for (const p of providerElements(stack)) {
      const why = [
        ...checkLocations('provider region', list(p.config.region), allowed, false, stack.meta.residency),
        ...checkLocations('provider zone', list(p.config.zone), allowed, false, stack.meta.residency),
      ];
      if (why.length) found.push({ element: p, message: why.join('; ') });
    }
  }
  for (const r of out.resources) {
    const allowed = UkRegions.allowedRegions(Cloud.GCP, r.stack.meta.residency);
    const residency = r.stack.meta.residency;
    const c = r.config;
    const data = DATA_LOCATED_TYPES.has(r.type);
    const why = [
      ...checkLocations('location', list(c.location), allowed, data, residency),
      ...checkLocations('region', list(c.region), allowed, false, residency),
      ...checkLocations('zone', list(c.zone), allowed, false, residency),
      ...checkLocations('replica_zones', list(c.replica_zones), allowed, false, residency),
      ...checkLocations('distribution_policy_zones', list(c.distribution_policy_zones), allowed, false, residency),
      ...checkLocations('node_locations', list(c.node_locations), allowed, false, residency),
      ...checkLocations('custom_placement_config.data_locations', list(block(c.custom_placement_config)?.data_locations), allowed, true, residency),
    ];
    if ((r.type === 'google_storage_bucket' || r.type === 'google_bigquery_dataset') && c.location === undefined) {
      why.push(`no location: Google places it in the US multi-region by default, outside ${allowed.join(', ')}`);
    }
    if (r.type === 'google_pubsub_topic') {
      const regions = list(block(c.message_storage_policy)?.allowed_persistence_regions);
      if (regions.length === 0) why.push(`no message_storage_policy.allowed_persistence_regions: Pub/Sub may store messages in any region, not only ${allowed.join(', ')}`);
      why.push(...checkLocations('message_storage_policy.allowed_persistence_regions', regions, allowed, true, residency));
    }
    if (r.type === 'google_secret_manager_secret') {
      const rep = block(c.replication);
      if (block(rep?.auto)) why.push(`automatic replication stores the secret in regions Google chooses, not only ${allowed.join(', ')} (use user_managed replicas)`);
      why.push(...checkLocations('replication.user_managed.replicas.location', blocks(block(rep?.user_managed)?.replicas).map((x) => x.location), allowed, true, residency));
    }
    if (why.length) found.push({ element: r, message: why.join('; ') });
  }
  return found;
};

// ---------------------------------------------------------------- NHS-NET-1

/** True for a range that covers every address (0.0.0.0/0, ::/0). */
function isAnyRange(v: unknown): boolean {
  return typeof v === 'string' && /\/0$/.test(v.trim());
}

const ALLOW_ACTIONS = new Set(['allow', 'apply_security_profile_group']);

/** Why a firewall policy rule lets the internet in, or undefined. */
function policyRuleFromInternet(rule: any): string | undefined {
  if ((rule.direction ?? 'INGRESS') !== 'INGRESS' || !ALLOW_ACTIONS.has(String(rule.action)) || isTrue(rule.disabled)) return undefined;
  const m = block(rule.match) ?? {};
  const ranges = list(m.src_ip_ranges);
  if (ranges.some(isAnyRange)) return `allows ingress from ${ranges.filter(isAnyRange).join(', ')} (any address)`;
  for (const k of ['src_region_codes', 'src_fqdns', 'src_threat_intelligences']) {
    if (list(m[k]).length > 0) return `allows ingress from internet sources (${k} ${JSON.stringify(m[k])})`;
  }
  const restricted = ranges.length > 0 || list(m.src_secure_tags).length > 0 || list(m.src_secure_tag).length > 0
    || list(m.src_address_groups).length > 0;
  return restricted ? undefined : 'allows ingress from any source (no src_ip_ranges, secure tags or address groups)';
}

function classicRuleFromInternet(c: any): string | undefined {
  if ((c.direction ?? 'INGRESS') !== 'INGRESS' || blocks(c.allow).length === 0 || isTrue(c.disabled)) return undefined;
  const ranges = list(c.source_ranges);
  if (ranges.some(isAnyRange)) return `allows ingress from ${ranges.filter(isAnyRange).join(', ')} (any address)`;
  const restricted = ranges.length > 0 || list(c.source_tags).length > 0 || list(c.source_service_accounts).length > 0;
  return restricted ? undefined : 'allows ingress from any source (no source_ranges, source_tags or source_service_accounts: Google defaults to 0.0.0.0/0)';
}

const PSC_TARGETS = new Set(['all-apis', 'vpc-sc']);

/** Why a resource exposes an address or endpoint to the internet, or undefined. */
function externalExposure(r: TfResource, addressesOfNat: Set<string>, vpnAddresses: Set<string>): string | undefined {
  const c = r.config;
  switch (r.type) {
    case 'google_compute_forwarding_rule':
    case 'google_compute_global_forwarding_rule': {
      const scheme = c.load_balancing_scheme;
      if (scheme === '' || PSC_TARGETS.has(String(c.target)) || String(c.target ?? '').includes('serviceAttachments')) return undefined;
      const external = scheme === undefined ? true : ['EXTERNAL', 'EXTERNAL_MANAGED'].includes(String(scheme));
      if (!external) return undefined;
      if (refTo(c.target)?.type === 'google_compute_vpn_gateway') return undefined;
      return `external forwarding rule (load_balancing_scheme ${scheme === undefined ? 'unset: EXTERNAL by default' : scheme}) takes traffic from the internet`;
    }
    case 'google_compute_address':
    case 'google_compute_global_address': {
      if ((c.address_type ?? 'EXTERNAL') !== 'EXTERNAL') return undefined;
      if (addressesOfNat.has(r.address) || vpnAddresses.has(r.address)) return undefined;
      return `external IP address (address_type ${c.address_type ?? 'unset: EXTERNAL by default'})`;
    }
    case 'google_compute_instance':
    case 'google_compute_instance_template':
    case 'google_compute_region_instance_template': {
      const withIp = blocks(c.network_interface).some((n) => blocks(n.access_config).length > 0 || n.access_config === true);
      return withIp ? 'VM network interface has an access_config (an external IP)' : undefined;
    }
    case 'google_sql_database_instance': {
      const ip = block(block(c.settings)?.ip_configuration);
      if (ip?.ipv4_enabled === false) return undefined;
      const open = blocks(ip?.authorized_networks).some((n) => isAnyRange(n.value));
      return open ? 'Cloud SQL public IP authorises 0.0.0.0/0' : 'Cloud SQL instance has a public IP (settings.ip_configuration.ipv4_enabled is not false)';
    }
    case 'google_cloud_run_v2_service':
      return [undefined, 'INGRESS_TRAFFIC_ALL'].includes(c.ingress) ? `Cloud Run service takes traffic from the internet (ingress ${c.ingress ?? 'unset: INGRESS_TRAFFIC_ALL by default'})` : undefined;
    case 'google_cloudfunctions2_function': {
      const ingress = block(c.service_config)?.ingress_settings;
      return [undefined, 'ALLOW_ALL'].includes(ingress) ? `function takes traffic from the internet (ingress_settings ${ingress ?? 'unset: ALLOW_ALL by default'})` : undefined;
    }
    default:
      return undefined;
  }
}

const net1: Evaluator = (out) => {
  const found: RawFinding[] = [];
  // External addresses used only for NAT (egress) or a classic VPN gateway's forwarding rules are not ingress.
  const natAddresses = new Set<string>();
  const vpnAddresses = new Set<string>();
  for (const r of out.resources) {
    if (r.type === 'google_compute_router_nat') {
      for (const ip of list(r.config.nat_ips)) {
        const ref = refTo(ip);
        if (ref) natAddresses.add(`${ref.type}.${ref.name}`);
      }
    }
    if (r.type === 'google_compute_forwarding_rule' && refTo(r.config.target)?.type === 'google_compute_vpn_gateway') {
      const ref = refTo(r.config.ip_address);
      if (ref) vpnAddresses.add(`${ref.type}.${ref.name}`);
    }
  }
  for (const r of out.resources) {
    const c = r.config;
    let why: string | undefined;
    if (['google_compute_network_firewall_policy_rule', 'google_compute_region_network_firewall_policy_rule', 'google_compute_firewall_policy_rule'].includes(r.type)) {
      why = policyRuleFromInternet(c);
    } else if (['google_compute_network_firewall_policy_with_rules', 'google_compute_region_network_firewall_policy_with_rules'].includes(r.type)) {
      const bad = blocks(c.rule).map((x) => [x, policyRuleFromInternet(x)] as const).filter(([, w]) => w);
      why = bad.length ? bad.map(([x, w]) => `rule ${x.rule_name ?? x.priority} ${w}`).join('; ') : undefined;
    } else if (r.type === 'google_compute_firewall') {
      why = classicRuleFromInternet(c);
    } else {
      why = externalExposure(r, natAddresses, vpnAddresses);
      if (why) {
        const app = effectiveLabels(r).labels[APP_INGRESS_LABEL];
        if (typeof app === 'string' && r.stack.meta.internetIngressApps.some((a) => a.toLowerCase() === app.toLowerCase())) why = undefined;
        else why += ` and is not a declared app ingress (label ${APP_INGRESS_LABEL} naming an app with ingress internet)`;
      }
    }
    if (why) found.push({ element: r, message: why });
  }
  return found;
};

// ---------------------------------------------------------------- NHS-TAG-1

const tag1: Evaluator = (out) => out.resources.filter((r) => isLabelled(r.type)).flatMap((r) => {
  const { labels, computed } = effectiveLabels(r);
  const v = labels[ODS_CODE_LABEL];
  if (typeof v === 'string' && v.trim() !== '') return [];
  if (computed) return [{ element: r, message: `labels are computed at apply time, so the ${ODS_CODE_LABEL} label cannot be shown` }];
  const lookalike = Object.keys(labels).find((k) => k !== ODS_CODE_LABEL && k.replace(/_/g, '-').toLowerCase() === ODS_CODE_LABEL);
  const where = USER_LABELLED_TYPES.has(r.type) ? 'user_labels (provider default labels do not reach them)' : 'its labels or the provider\'s default_labels';
  return [{
    element: r,
    message: lookalike
      ? `carries "${lookalike}", not the NHS label "${ODS_CODE_LABEL}" (cdktf snake-cases provider default_labels keys; set them with an override)`
      : `has no "${ODS_CODE_LABEL}" label in ${where}`,
  }];
});

// ---------------------------------------------------------------- NHS-LOG-1

/** Subnet purposes that cannot have VPC flow logs. */
const NO_FLOW_LOG_PURPOSES = new Set(['REGIONAL_MANAGED_PROXY', 'GLOBAL_MANAGED_PROXY', 'INTERNAL_HTTPS_LOAD_BALANCER', 'PRIVATE_SERVICE_CONNECT', 'PRIVATE_NAT']);

/** The service whose Data Access audit logs must be on where a data-holding type is. */
const AUDITED_SERVICE: { [type: string]: string } = {
  google_storage_bucket: 'storage.googleapis.com',
  google_healthcare_dataset: 'healthcare.googleapis.com',
  google_healthcare_dicom_store: 'healthcare.googleapis.com',
  google_healthcare_fhir_store: 'healthcare.googleapis.com',
  google_healthcare_hl7_v2_store: 'healthcare.googleapis.com',
  google_secret_manager_secret: 'secretmanager.googleapis.com',
  google_bigquery_dataset: 'bigquery.googleapis.com',
  google_sql_database_instance: 'cloudsql.googleapis.com',
};

function hasDataAccessLogs(c: any): boolean {
  const types = new Set(blocks(c.audit_log_config).map((x) => x.log_type));
  return types.has('DATA_READ') && types.has('DATA_WRITE');
}

function sinkRoutesAudit(c: any): boolean {
  if (isTrue(c.disabled)) return false;
  const filter = typeof c.filter === 'string' ? c.filter.trim() : '';
  return filter === '' || filter.includes('cloudaudit.googleapis.com');
}

const log1: Evaluator = (out) => {
  const found: RawFinding[] = [];
  const add = (element: TfElement, message: string) => found.push({ element, message });

  // Audit configs (project -> services with data access logs), org/folder-wide ones, sinks and the archive.
  const audited = new Map<string, Set<string>>();
  const wideAudit = new Set<string>();
  const archives = new Set<string>();
  for (const r of out.resources) {
    if (r.type === 'google_project_iam_audit_config' && hasDataAccessLogs(r.config) && r.project) {
      const s = audited.get(r.project) ?? new Set<string>();
      s.add(String(r.config.service));
      audited.set(r.project, s);
    }
    if (['google_organization_iam_audit_config', 'google_folder_iam_audit_config'].includes(r.type) && hasDataAccessLogs(r.config)) {
      wideAudit.add(String(r.config.service));
    }
    if (r.type === 'google_storage_bucket' && effectiveLabels(r).labels.purpose === LOG_ARCHIVE_PURPOSE) {
      const name = literal(r.config.name);
      if (name) archives.add(name);
    }
  }
  const sinkToArchive = (r: TfResource): boolean => {
    const m = /^storage\.googleapis\.com\/(.+)$/.exec(String(r.config.destination ?? ''));
    if (!m) return false;
    const bucket = resolve(r.stack, m[1]);
    return bucket !== undefined && archives.has(bucket);
  };
  const sunk = new Set<string>();
  let wideSink = false;
  for (const r of out.resources) {
    if (r.type === 'google_logging_project_sink' && r.project && sinkRoutesAudit(r.config) && sinkToArchive(r)) sunk.add(r.project);
    if (['google_logging_organization_sink', 'google_logging_folder_sink'].includes(r.type) && isTrue(r.config.include_children)
      && sinkRoutesAudit(r.config) && sinkToArchive(r)) wideSink = true;
  }

  for (const r of out.resources) {
    const c = r.config;
    if (r.type === 'google_compute_subnetwork') {
      if (!NO_FLOW_LOG_PURPOSES.has(String(c.purpose ?? 'PRIVATE')) && (!block(c.log_config) || block(c.log_config).flow_sampling === 0)) {
        add(r, 'subnet has no VPC flow logs (log_config)');
      }
    } else if (['google_compute_network_firewall_policy_rule', 'google_compute_region_network_firewall_policy_rule', 'google_compute_firewall_policy_rule'].includes(r.type)) {
      if (!isTrue(c.enable_logging)) add(r, 'firewall policy rule does not log (enable_logging is not true)');
    } else if (['google_compute_network_firewall_policy_with_rules', 'google_compute_region_network_firewall_policy_with_rules'].includes(r.type)) {
      const bad = blocks(c.rule).filter((x) => !isTrue(x.enable_logging)).map((x) => x.rule_name ?? x.priority);
      if (bad.length) add(r, `firewall policy rule(s) ${bad.join(', ')} do not log (enable_logging is not true)`);
    } else if (r.type === 'google_compute_firewall') {
      if (!block(c.log_config) && !isTrue(c.enable_logging)) add(r, 'firewall rule does not log (no log_config)');
    } else if (r.type === 'google_compute_router_nat') {
      if (!isTrue(block(c.log_config)?.enable)) add(r, 'Cloud NAT does not log (log_config.enable is not true)');
    } else if (r.type === 'google_dns_policy') {
      if (!isTrue(c.enable_logging)) add(r, 'DNS policy does not log queries (enable_logging is not true)');
    } else if (['google_project_iam_audit_config', 'google_organization_iam_audit_config', 'google_folder_iam_audit_config'].includes(r.type)) {
      const exempt = blocks(c.audit_log_config).flatMap((x) => list(x.exempted_members));
      if (exempt.length) add(r, `audit config exempts ${exempt.join(', ')} from audit logs`);
    }
    const service = AUDITED_SERVICE[r.type];
    if (service && !wideAudit.has(service) && !wideAudit.has('allServices')) {
      const on = r.project ? audited.get(r.project) : undefined;
      if (!on || (!on.has(service) && !on.has('allServices'))) {
        add(r, `no Data Access audit logs (DATA_READ and DATA_WRITE) for ${service} in project ${r.project ?? '(computed)'}: no google_project_iam_audit_config in the output turns them on`);
      }
    }
  }

  for (const stack of out.stacks) {
    const provider = [...stack.providers.entries()].find(([ref]) => ref === 'google') ?? [...stack.providers.entries()].find(([ref]) => ref.startsWith('google'));
    if (!provider || !Object.keys(stack.json.resource ?? {}).length) continue;
    const project = literal(provider[1].project);
    if (wideSink || (project && sunk.has(project))) continue;
    const element: TfElement = { stack, type: 'provider', name: provider[0], address: `provider.${provider[0]}`, config: provider[1] };
    add(element, archives.size === 0
      ? `project ${project ?? '(unknown)'}: no log archive in the output (a bucket labelled purpose=${LOG_ARCHIVE_PURPOSE}) for its audit logs to go to`
      : `project ${project ?? '(unknown)'} sends its audit logs to no log archive (no enabled google_logging_project_sink to ${[...archives].join(', ')} routing cloudaudit.googleapis.com)`);
  }
  return found;
};

// ---------------------------------------------------------------- NHS-RET-1 / NHS-BAK-1

const HEALTHCARE_STORES = new Set(['google_healthcare_dicom_store', 'google_healthcare_fhir_store', 'google_healthcare_hl7_v2_store']);

function categoryOf(r: TfResource): { id: string; category?: RecordsCategory } | undefined {
  const id = effectiveLabels(r).labels[RECORDS_CATEGORY_TAG];
  if (typeof id !== 'string') return undefined;
  return { id, category: RecordsCategory.fromId(id) };
}

function seconds(v: unknown): number | undefined {
  const n = typeof v === 'number' ? v : (typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : NaN);
  return Number.isFinite(n) ? n : undefined;
}

const ret1: Evaluator = (out) => out.resources.flatMap((r) => {
  const cat = categoryOf(r);
  if (!cat) return [];
  if (!cat.category) {
    return [{ element: r, message: `${RECORDS_CATEGORY_TAG} "${cat.id}" is not a records category (one of: ${RecordsCategory.all().map((c) => c.id).join(', ')})` }];
  }
  const floor = cat.category.minimumLockDays;
  if (r.type !== 'google_storage_bucket') {
    const what = HEALTHCARE_STORES.has(r.type) ? 'Cloud Healthcare stores have no retention lock' : `${r.type} has no retention lock this rule can read`;
    return [{ element: r, message: `${what}: nothing enforces the ${cat.id} floor of ${floor} days` }];
  }
  const policy = block(r.config.retention_policy);
  const period = seconds(policy?.retention_period);
  const why: string[] = [];
  if (period === undefined) why.push(`no retention policy: the ${cat.id} floor is ${floor} days`);
  else if (period < floor * 86400) why.push(`retention ${Math.floor(period / 86400)} days is below the ${cat.id} floor of ${floor} days`);
  if (policy && cat.category.requiresComplianceMode && !isTrue(policy.is_locked)) {
    why.push(`retention policy is not locked, but ${cat.id} records need compliance mode (no one may shorten it)`);
  }
  return why.length ? [{ element: r, message: why.join('; ') }] : [];
});

const bak1: Evaluator = (out) => {
  const buckets = new Map<string, TfResource>();
  for (const r of out.resources) {
    const name = literal(r.config.name);
    if (r.type === 'google_storage_bucket' && name) buckets.set(name, r);
  }
  const jobs = out.resources.filter((r) => r.type === 'google_storage_transfer_job');
  const found: RawFinding[] = [];
  for (const r of out.resources) {
    const cat = categoryOf(r);
    if (!cat?.category?.requiresComplianceMode) continue;
    if (HEALTHCARE_STORES.has(r.type)) {
      found.push({ element: r, message: 'no immutable backup copy: Cloud Healthcare stores have no managed backup, and no copy of it is in the output' });
      continue;
    }
    if (r.type !== 'google_storage_bucket' || effectiveLabels(r).labels.purpose === BACKUP_PURPOSE) continue;
    const name = literal(r.config.name);
    const problems: string[] = [];
    let ok = false;
    for (const job of jobs) {
      const spec = block(job.config.transfer_spec);
      if (!name || resolve(job.stack, block(spec?.gcs_data_source)?.bucket_name) !== name) continue;
      const why: string[] = [];
      const sinkName = resolve(job.stack, block(spec?.gcs_data_sink)?.bucket_name);
      const sink = sinkName ? buckets.get(sinkName) : undefined;
      const policy = block(sink?.config.retention_policy);
      const opts = block(spec?.transfer_options) ?? {};
      if (['DISABLED', 'DELETED'].includes(String(job.config.status))) why.push(`status ${job.config.status}`);
      if (!block(job.config.schedule)) why.push('no schedule');
      if (isTrue(opts.delete_objects_unique_in_sink) || isTrue(opts.delete_objects_from_source_after_transfer)) why.push('deletes objects');
      if (!sink) {why.push(`copies to ${sinkName ?? 'a computed bucket'}, which is not in the output`);} else {
        if (!isTrue(policy?.is_locked)) why.push(`copy ${sink.address} has no locked retention policy`);
        else if ((seconds(policy?.retention_period) ?? 0) < cat.category.minimumLockDays * 86400) why.push(`copy ${sink.address} keeps less than the ${cat.id} floor of ${cat.category.minimumLockDays} days`);
        if (sink.project === undefined || r.project === undefined) why.push(`the projects of ${sink.address} and the store cannot be read, so their separation cannot be shown`);
        else if (sink.project === r.project) why.push(`copy ${sink.address} is in the store's own project (${r.project})`);
      }
      if (why.length === 0) ok = true;
      else problems.push(`${job.stack.name}/${job.address}: ${why.join(', ')}`);
    }
    if (!ok) {
      found.push({
        element: r,
        message: problems.length
          ? `no usable immutable backup copy (${problems.join('; ')})`
          : 'no immutable backup copy: no google_storage_transfer_job in the output copies it to a locked bucket in another project',
      });
    }
  }
  return found;
};

// ---------------------------------------------------------------- NHS-IAM-1

const IAM_TYPE = /^google_([a-z0-9_]+)_iam_(member|binding|policy)$/;
/** IAM on these scopes covers every resource of a project, folder, organisation or billing account. */
const WIDE_SCOPES = new Set(['project', 'folder', 'organization', 'billing_account']);
const PRIMITIVE_ADMIN_ROLES = new Set(['roles/owner', 'roles/editor']);
const PUBLIC_MEMBERS = new Set(['allUsers', 'allAuthenticatedUsers']);

/** A role that controls IAM itself (who may do what): owner in all but name on the scope it is granted on. */
export function isIamControlRole(role: string): boolean {
  return /^roles\/iam\.[A-Za-z]*Admin$/.test(role)
    || /^roles\/resourcemanager\.(projectIamAdmin|folderIamAdmin|folderAdmin|organizationAdmin)$/.test(role);
}

function isAdminRole(role: string): boolean {
  return /^roles\/[A-Za-z0-9_.]*[aA]dmin$/.test(role);
}

/** A member that stands for many principals. */
function isBroadMember(member: string): boolean {
  return PUBLIC_MEMBERS.has(member) || /^(group|domain):/.test(member) || member.startsWith('principalSet://');
}

function iamProblem(scope: string, role: string, member: string): string | undefined {
  if (PUBLIC_MEMBERS.has(member)) return `grants ${role} to ${member} (anyone)`;
  if (/^principalSet:\/\/.*\/\*$/.test(member)) return `grants ${role} to every identity of a pool (${member})`;
  if (PRIMITIVE_ADMIN_ROLES.has(role)) return `grants the primitive role ${role} to ${member}`;
  if (WIDE_SCOPES.has(scope) && isIamControlRole(role)) return `grants ${role} (control of IAM) on the ${scope.replace('_', ' ')} to ${member}`;
  if (WIDE_SCOPES.has(scope) && isAdminRole(role) && isBroadMember(member)) return `grants the administrative role ${role} on the ${scope.replace('_', ' ')} to ${member} (many principals)`;
  return undefined;
}

const iam1: Evaluator = (out) => {
  const found: RawFinding[] = [];
  const byStack = new Map<TfStack, TfResource[]>();
  for (const r of out.resources) {
    const mine = byStack.get(r.stack);
    if (mine) mine.push(r);
    else byStack.set(r.stack, [r]);
  }
  for (const stack of out.stacks) {
    const policies = stack.json.data?.google_iam_policy ?? {};
    const used = new Set<string>();
    for (const r of byStack.get(stack) ?? []) {
      const m = IAM_TYPE.exec(r.type);
      if (!m) continue;
      const scope = m[1];
      const c = r.config;
      const pairs: Array<[string, string]> = [];
      if (m[2] === 'member') pairs.push([String(c.role), String(c.member)]);
      if (m[2] === 'binding') for (const member of list(c.members)) pairs.push([String(c.role), String(member)]);
      if (m[2] === 'policy') {
        const ref = /^\$\{data\.google_iam_policy\.([^.]+)\.policy_data\}$/.exec(String(c.policy_data ?? ''));
        let bindings: any[] = [];
        if (ref) {
          used.add(ref[1]);
          bindings = blocks(policies[ref[1]]?.binding);
        } else {
          try {
            bindings = JSON.parse(String(c.policy_data)).bindings ?? [];
          } catch {
            found.push({ element: r, message: 'policy_data is neither a google_iam_policy data source nor JSON, so its grants cannot be shown' });
          }
        }
        for (const b of bindings) for (const member of list(b.members)) pairs.push([String(b.role), String(member)]);
      }
      const why = pairs.map(([role, member]) => iamProblem(scope, role, member)).filter((x): x is string => x !== undefined);
      if (why.length) found.push({ element: r, message: why.join('; ') });
    }
    // A policy document no resource uses is still reported: it states the intent.
    for (const [name, cfg] of Object.entries<any>(policies).filter(([n]) => !used.has(n))) {
      const why = blocks(cfg?.binding).flatMap((b) => list(b.members).map((member) => iamProblem('resource', String(b.role), String(member))))
        .filter((x): x is string => x !== undefined);
      if (why.length) found.push({ element: { stack, type: 'google_iam_policy', name, address: `data.google_iam_policy.${name}`, config: cfg }, message: why.join('; ') });
    }
  }
  return found;
};

// ---------------------------------------------------------------- evaluation

/** The evaluator of each rule, by rule id. */
export const EVALUATORS: { readonly [ruleId: string]: Evaluator } = {
  'NHS-ENC-1': enc1,
  'NHS-RES-1': res1,
  'NHS-NET-1': net1,
  'NHS-TAG-1': tag1,
  'NHS-LOG-1': log1,
  'NHS-RET-1': ret1,
  'NHS-BAK-1': bak1,
  'NHS-IAM-1': iam1,
};

/** The acknowledgements recorded in an element's `"//"` object. */
export function acknowledgementsOf(element: TfElement): ComplianceAcknowledgement[] {
  return NhsComplianceProfile.acknowledgementsIn(element.config?.['//']);
}

/**
 * Runs every rule over parsed stacks: one finding per rule and element (its
 * problems joined), acknowledged when the element carries an acknowledgement
 * of that rule.
 */
export function evaluate(stacks: TfStack[]): { findings: ComplianceFinding[]; checkedResources: number } {
  const out = indexOutput(stacks);
  const findings: ComplianceFinding[] = [];
  for (const rule of NhsComplianceProfile.rules()) {
    const evaluator = EVALUATORS[rule.id];
    if (!evaluator) continue;
    const merged = new Map<string, { element: TfElement; messages: string[] }>();
    for (const f of evaluator(out)) {
      const key = `${f.element.stack.name} ${f.element.address}`;
      const entry = merged.get(key) ?? { element: f.element, messages: [] };
      if (!entry.messages.includes(f.message)) entry.messages.push(f.message);
      merged.set(key, entry);
    }
    for (const { element, messages } of merged.values()) {
      const ack = acknowledgementsOf(element).find((a) => a.ruleId === rule.id);
      findings.push({
        ruleId: rule.id,
        cloud: Cloud.GCP,
        stack: element.stack.name,
        resource: element.address,
        resourceType: element.type,
        message: messages.join('; '),
        severity: rule.severity,
        ...(ack ? { acknowledgedReason: ack.reason } : {}),
      });
    }
  }
  return { findings, checkedResources: out.resources.length };
}
