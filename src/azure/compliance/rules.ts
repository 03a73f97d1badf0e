import { TAGGABLE_TYPES } from './taggable-types';
import { acknowledgementsOf, TfOutput, TfResource, TfStack } from './tf-model';
import { ComplianceFinding, NhsComplianceProfile, RECORDS_CATEGORY_TAG } from '../../core/compliance';
import { Cloud, UkRegions } from '../../core/regions';
import { RecordsCategory } from '../../core/retention';
import { NhsTagKey } from '../../core/tags';

// The NHS compliance profile over azurerm Terraform JSON. One evaluator per
// rule, each a pure function from the output to the resources that break it.
// Plain JSON only (no cdktf, no provider): the same code runs after
// `app.synth()` and in `nhs-backbone check` on output someone else made.

/** A resource that breaks a rule, and why. @internal */
export interface RuleIssue {
  readonly resource: TfResource;
  readonly message: string;
}

/** A rule of the profile as evaluated on Azure. @internal */
export interface AzureRule {
  /** The profile's rule id. */
  readonly id: string;
  /** How the rule is read on Azure, in one line (for docs and reports). */
  readonly onAzure: string;
  evaluate(out: TfOutput): RuleIssue[];
}

// ---------------------------------------------------------------- helpers

/** A block as a list: cdktf writes a single block as an object and repeated blocks as a list. */
function blocks(v: unknown): any[] {
  if (Array.isArray(v)) return v.filter((x) => typeof x === 'object' && x !== null);
  return typeof v === 'object' && v !== null ? [v] : [];
}

function isSet(v: unknown): boolean {
  return typeof v === 'string' ? v.trim() !== '' : v !== undefined && v !== null;
}

function tagsOf(r: TfResource): { [k: string]: unknown } | undefined {
  const t = r.cfg.tags;
  return typeof t === 'object' && t !== null && !Array.isArray(t) ? t : undefined;
}

/** True when a config value refers to an attribute of `target` (`${type.name.<attr>}`). */
function refersTo(stack: TfStack, value: unknown, target: TfResource): boolean {
  return typeof value === 'string' && stack.resolve(value, target.type) === target;
}

function issue(resource: TfResource, message: string): RuleIssue {
  return { resource, message };
}

/** Azure resource-ID segments of the types the rules follow across stacks. */
const ARM = {
  storage: 'storageAccounts',
  vault: 'vaults',
  firewall: 'azureFirewalls',
  vnet: 'virtualNetworks',
  gateway: 'virtualNetworkGateways',
  workspace: 'workspaces',
  cluster: 'clusters',
};

// --------------------------------------------------------------- NHS-ENC-1

interface EncryptionCheck {
  readonly what: string;
  /** Undefined when encrypted with a customer-managed key; otherwise what is missing. */
  readonly missing: (r: TfResource, out: TfOutput) => string | undefined;
}

/** A separate `<companionType>` resource whose `attr` refers to r (e.g. azurerm_storage_account_customer_managed_key). */
function hasCompanion(r: TfResource, out: TfOutput, companionType: string, attr: string, armSegment: string, require?: (c: any) => boolean): boolean {
  return out.ofType(companionType).some((c) => out.pointsTo(c.stack, c.cfg[attr], r.type, armSegment) === r && (!require || require(c.cfg)));
}

const ENCRYPTION: { [type: string]: EncryptionCheck } = {
  azurerm_storage_account: {
    what: 'storage account',
    missing: (r, out) => {
      const cmk = blocks(r.cfg.customer_managed_key).some((b) => isSet(b.key_vault_key_id) || isSet(b.managed_hsm_key_id))
        || hasCompanion(r, out, 'azurerm_storage_account_customer_managed_key', 'storage_account_id', ARM.storage);
      if (!cmk) return 'is encrypted with a Microsoft-managed key (no customer_managed_key, no azurerm_storage_account_customer_managed_key)';
      const svc = ['queue_encryption_key_type', 'table_encryption_key_type'].filter((k) => r.cfg[k] !== 'Account');
      return svc.length ? `has a customer-managed key, but its queues and tables keep Microsoft-managed keys (${svc.join(', ')} is not "Account")` : undefined;
    },
  },
  azurerm_key_vault_key: {
    what: 'key',
    missing: (r) => (['RSA-HSM', 'EC-HSM'].includes(r.cfg.key_type) ? undefined
      : `is a software-protected key (key_type ${JSON.stringify(r.cfg.key_type)}): customer-managed keys are HSM-protected (RSA-HSM or EC-HSM in a Premium vault)`),
  },
  azurerm_managed_disk: {
    what: 'managed disk',
    missing: (r) => (isSet(r.cfg.disk_encryption_set_id) || isSet(r.cfg.secure_vm_disk_encryption_set_id) ? undefined
      : 'is encrypted with a platform-managed key (no disk_encryption_set_id)'),
  },
  azurerm_linux_virtual_machine: {
    what: 'virtual machine',
    missing: (r) => (blocks(r.cfg.os_disk).some((d) => isSet(d.disk_encryption_set_id) || isSet(d.secure_vm_disk_encryption_set_id)) ? undefined
      : 'has an OS disk encrypted with a platform-managed key (no os_disk.disk_encryption_set_id)'),
  },
  azurerm_windows_virtual_machine: {
    what: 'virtual machine',
    missing: (r) => (blocks(r.cfg.os_disk).some((d) => isSet(d.disk_encryption_set_id) || isSet(d.secure_vm_disk_encryption_set_id)) ? undefined
      : 'has an OS disk encrypted with a platform-managed key (no os_disk.disk_encryption_set_id)'),
  },
  azurerm_kubernetes_cluster: {
    what: 'AKS cluster',
    missing: (r) => (isSet(r.cfg.disk_encryption_set_id) ? undefined : 'has node disks encrypted with a platform-managed key (no disk_encryption_set_id)'),
  },
  azurerm_log_analytics_workspace: {
    what: 'Log Analytics workspace',
    missing: (r, out) => (hasCompanion(r, out, 'azurerm_log_analytics_linked_service', 'workspace_id', ARM.workspace, (c) => isSet(c.write_access_id)) ? undefined
      : 'is encrypted with a Microsoft-managed key: a customer-managed key needs the workspace linked to a dedicated cluster (azurerm_log_analytics_linked_service with write_access_id)'),
  },
  azurerm_healthcare_dicom_service: {
    what: 'DICOM service',
    missing: (r) => (isSet(r.cfg.encryption_key_url) ? undefined : 'is encrypted with a Microsoft-managed key (no encryption_key_url)'),
  },
  azurerm_container_group: {
    what: 'container group',
    missing: (r) => (isSet(r.cfg.key_vault_key_id) ? undefined : 'keeps its deployment data (environment, secret volumes) under a Microsoft-managed key (no key_vault_key_id)'),
  },
  azurerm_container_registry: {
    what: 'container registry',
    missing: (r) => (blocks(r.cfg.encryption).some((b) => isSet(b.key_vault_key_id)) ? undefined : 'is encrypted with a Microsoft-managed key (no encryption.key_vault_key_id)'),
  },
  azurerm_recovery_services_vault: {
    what: 'Recovery Services vault',
    missing: (r) => (blocks(r.cfg.encryption).some((b) => isSet(b.key_id)) ? undefined : 'is encrypted with a Microsoft-managed key (no encryption.key_id)'),
  },
  azurerm_data_protection_backup_vault: {
    what: 'Backup vault',
    missing: (r, out) => (hasCompanion(r, out, 'azurerm_data_protection_backup_vault_customer_managed_key', 'data_protection_backup_vault_id', 'backupVaults') ? undefined
      : 'is encrypted with a Microsoft-managed key (no azurerm_data_protection_backup_vault_customer_managed_key)'),
  },
  azurerm_postgresql_flexible_server: {
    what: 'PostgreSQL server',
    missing: (r) => (blocks(r.cfg.customer_managed_key).some((b) => isSet(b.key_vault_key_id)) ? undefined : 'is encrypted with a Microsoft-managed key (no customer_managed_key)'),
  },
  azurerm_cosmosdb_account: {
    what: 'Cosmos DB account',
    missing: (r) => (isSet(r.cfg.key_vault_key_id) || isSet(r.cfg.managed_hsm_key_id) ? undefined : 'is encrypted with a Microsoft-managed key (no key_vault_key_id)'),
  },
  azurerm_mssql_server: {
    what: 'SQL server',
    missing: (r, out) => (isSet(r.cfg.transparent_data_encryption_key_vault_key_id)
      || hasCompanion(r, out, 'azurerm_mssql_server_transparent_data_encryption', 'server_id', 'servers', (c) => isSet(c.key_vault_key_id) || isSet(c.managed_hsm_key_id))
      ? undefined : 'uses a service-managed TDE key (no transparent_data_encryption_key_vault_key_id)'),
  },
};

const ENC_1: AzureRule = {
  id: 'NHS-ENC-1',
  onAzure: 'storage accounts (blobs, files, queues, tables), disks, VMs, AKS, Log Analytics, DICOM services, container groups, registries, backup vaults and databases use a customer-managed key; Key Vault keys are HSM-protected',
  evaluate(out) {
    const issues: RuleIssue[] = [];
    for (const [type, check] of Object.entries(ENCRYPTION)) {
      for (const r of out.ofType(type)) {
        const missing = check.missing(r, out);
        if (missing) issues.push(issue(r, `${check.what} ${r.cfg.name ?? r.name} ${missing}`));
      }
    }
    return issues;
  },
};

// --------------------------------------------------------------- NHS-RES-1

/** Lower case, no spaces: `UK South` and `uksouth` are the same region to Azure. */
function normaliseRegion(v: string): string {
  return v.toLowerCase().replace(/\s+/g, '');
}

const RES_1: AzureRule = {
  id: 'NHS-RES-1',
  onAzure: "every `location` (and traffic analytics' workspace_region, and the locations inside ARM template deployments) is a region the stack's residency allows; `global` resources are findings",
  evaluate(out) {
    const issues: RuleIssue[] = [];
    for (const stack of out.stacks) {
      const allowed = UkRegions.allowedRegions(Cloud.AZURE, stack.meta.residency);
      const place = (r: TfResource, field: string, value: unknown): void => {
        if (value === undefined || value === null) return;
        if (typeof value !== 'string') {
          issues.push(issue(r, `${field} is not a region name (${JSON.stringify(value)})`));
          return;
        }
        let region = value;
        const rg = stack.resolve(value, 'azurerm_resource_group');
        if (/^\$\{[^}]+\}$/.test(value)) {
          if (!rg || typeof rg.cfg.location !== 'string' || rg.cfg.location.includes('${')) {
            issues.push(issue(r, `${field} is the expression ${value}, so the region cannot be shown from the output (use a literal region)`));
            return;
          }
          region = rg.cfg.location;
        }
        const n = normaliseRegion(region);
        if (n === 'global') {
          issues.push(issue(r, `${field} is "global": Azure may hold this resource's data in any region, not only ${allowed.join(', ')} (residency ${stack.meta.residency})`));
        } else if (!allowed.includes(n)) {
          issues.push(issue(r, `${field} "${region}" is not a region residency ${stack.meta.residency} allows (${allowed.join(', ')})`));
        }
      };
      for (const r of stack.resources) {
        place(r, 'location', r.cfg.location);
        for (const ta of blocks(r.cfg.traffic_analytics)) place(r, 'traffic_analytics.workspace_region', ta.workspace_region);
        if (typeof r.cfg.template_content === 'string') {
          let template: any;
          try {
            template = JSON.parse(r.cfg.template_content);
          } catch {
            template = undefined;
          }
          for (const res of Array.isArray(template?.resources) ? template.resources : []) {
            // ARM expressions ("[resourceGroup().location]") follow the resource group, which is checked itself.
            if (typeof res?.location === 'string' && !res.location.startsWith('[')) place(r, `template_content resource ${res.type ?? ''} location`, res.location);
          }
        }
      }
    }
    return issues;
  },
};

// --------------------------------------------------------------- NHS-NET-1

const ANY_SOURCE = new Set(['*', '0.0.0.0/0', '0.0.0.0', 'internet', 'any', '::/0', '0::/0']);

function anySource(values: unknown[]): string | undefined {
  return values.find((v): v is string => typeof v === 'string' && ANY_SOURCE.has(v.trim().toLowerCase()));
}

function nsgRuleIssue(rule: any): string | undefined {
  if (String(rule.direction ?? '').toLowerCase() !== 'inbound' || String(rule.access ?? '').toLowerCase() !== 'allow') return undefined;
  const src = anySource([rule.source_address_prefix, ...(Array.isArray(rule.source_address_prefixes) ? rule.source_address_prefixes : [])]);
  return src === undefined ? undefined
    : `rule ${rule.name ?? '(unnamed)'} allows inbound from ${JSON.stringify(src)} (the internet) to ${rule.destination_port_range ?? (rule.destination_port_ranges ?? []).join(',') ?? '*'}`;
}

/** The app an internet-facing resource serves, when that app is declared with `ingress: internet` in its stack. */
function declaredIngress(r: TfResource): string | undefined {
  const app = tagsOf(r)?.app;
  return typeof app === 'string' && r.stack.meta.internetIngressApps.includes(app) ? app : undefined;
}

/** Resources a public IP may sit on: they take no unsolicited inbound to the backbone, or they are declared ingress. */
const PUBLIC_IP_HOLDERS = new Set([
  'azurerm_firewall', // the hub's egress and inspection point
  'azurerm_virtual_network_gateway', // IPsec/ExpressRoute to the HSCN provider
  'azurerm_nat_gateway_public_ip_association', // outbound only
  'azurerm_application_gateway', // app ingress: checked below (declared app, WAF)
]);

const NET_1: AzureRule = {
  id: 'NHS-NET-1',
  onAzure: 'public IPs only on the hub firewall, VPN/ExpressRoute gateways, NAT gateways or a declared app ingress (Application Gateway/Front Door with WAF, tagged with an app declared `ingress: internet`); no NSG rule allows inbound from */Internet/0.0.0.0/0; no firewall DNAT from the internet; PaaS endpoints private',
  evaluate(out) {
    const issues: RuleIssue[] = [];
    for (const stack of out.stacks) {
      for (const ip of stack.ofType('azurerm_public_ip')) {
        const holders = stack.referrers(ip).filter((x) => x.type !== 'azurerm_monitor_diagnostic_setting');
        const bad = holders.filter((h) => !PUBLIC_IP_HOLDERS.has(h.type));
        if (holders.length === 0) {
          issues.push(issue(ip, `public IP ${ip.cfg.name ?? ip.name} is attached to none of the hub firewall, a VPN/ExpressRoute gateway, a NAT gateway or a declared app ingress`));
        } else if (bad.length > 0) {
          issues.push(issue(ip, `public IP ${ip.cfg.name ?? ip.name} is on ${bad.map((b) => b.address).join(', ')}: public addresses belong only on the hub firewall, gateways and declared app ingress`));
        }
      }
      for (const agw of stack.ofType('azurerm_application_gateway')) {
        const publicFrontend = blocks(agw.cfg.frontend_ip_configuration).some((f) => isSet(f.public_ip_address_id));
        if (!publicFrontend) continue;
        const app = declaredIngress(agw);
        const waf = isSet(agw.cfg.firewall_policy_id) || blocks(agw.cfg.waf_configuration).some((w) => w.enabled === true);
        if (!app) issues.push(issue(agw, `application gateway ${agw.cfg.name ?? agw.name} faces the internet but is not tagged with an app declared with ingress "internet" (tag app; declared: ${stack.meta.internetIngressApps.join(', ') || 'none'})`));
        else if (!waf) issues.push(issue(agw, `application gateway ${agw.cfg.name ?? agw.name} is app ${app}'s internet ingress without a WAF (firewall_policy_id or waf_configuration)`));
      }
      for (const fd of stack.ofType('azurerm_cdn_frontdoor_profile')) {
        const app = declaredIngress(fd);
        const waf = out.ofType('azurerm_cdn_frontdoor_security_policy').some((p) => p.stack.resolve(p.cfg.cdn_frontdoor_profile_id, fd.type) === fd);
        if (!app) issues.push(issue(fd, `Front Door profile ${fd.cfg.name ?? fd.name} faces the internet but is not tagged with an app declared with ingress "internet"`));
        else if (!waf) issues.push(issue(fd, `Front Door profile ${fd.cfg.name ?? fd.name} is app ${app}'s internet ingress without a WAF security policy`));
      }
      for (const nsg of stack.ofType('azurerm_network_security_group')) {
        for (const rule of blocks(nsg.cfg.security_rule)) {
          const m = nsgRuleIssue(rule);
          if (m) issues.push(issue(nsg, `NSG ${nsg.cfg.name ?? nsg.name} ${m}`));
        }
      }
      for (const rule of stack.ofType('azurerm_network_security_rule')) {
        const m = nsgRuleIssue(rule.cfg);
        if (m) issues.push(issue(rule, `NSG ${rule.cfg.network_security_group_name ?? ''} ${m}`));
      }
      for (const g of stack.ofType('azurerm_firewall_policy_rule_collection_group')) {
        for (const c of blocks(g.cfg.nat_rule_collection)) {
          for (const rule of blocks(c.rule)) {
            const src = anySource(Array.isArray(rule.source_addresses) ? rule.source_addresses : []);
            if (src !== undefined) issues.push(issue(g, `DNAT rule ${c.name}/${rule.name} forwards inbound from ${JSON.stringify(src)} (the internet) to ${rule.translated_address ?? rule.translated_fqdn}:${rule.translated_port}`));
          }
        }
      }
      for (const c of stack.ofType('azurerm_firewall_nat_rule_collection')) {
        for (const rule of blocks(c.cfg.rule)) {
          const src = anySource(Array.isArray(rule.source_addresses) ? rule.source_addresses : []);
          if (src !== undefined) issues.push(issue(c, `DNAT rule ${rule.name} forwards inbound from ${JSON.stringify(src)} (the internet)`));
        }
      }
      // PaaS endpoints: private, or closed by network rules.
      for (const sa of stack.ofType('azurerm_storage_account')) {
        const denied = blocks(sa.cfg.network_rules).some((n) => n.default_action === 'Deny' && !anySource(n.ip_rules ?? []));
        if (sa.cfg.public_network_access_enabled !== false && !denied) issues.push(issue(sa, `storage account ${sa.cfg.name ?? sa.name} is reachable from the internet (public_network_access_enabled is not false and network_rules do not deny by default)`));
        if (sa.cfg.allow_nested_items_to_be_public !== false) issues.push(issue(sa, `storage account ${sa.cfg.name ?? sa.name} allows anonymous public blob access (allow_nested_items_to_be_public is not false)`));
      }
      for (const kv of stack.ofType('azurerm_key_vault')) {
        const denied = blocks(kv.cfg.network_acls).some((n) => n.default_action === 'Deny' && !anySource(n.ip_rules ?? []));
        if (kv.cfg.public_network_access_enabled !== false && !denied) issues.push(issue(kv, `key vault ${kv.cfg.name ?? kv.name} is reachable from the internet (public_network_access_enabled is not false and network_acls do not deny by default)`));
      }
      const privateOnly: Array<[string, string]> = [
        ['azurerm_healthcare_dicom_service', 'DICOM service'],
        ['azurerm_healthcare_fhir_service', 'FHIR service'],
        ['azurerm_container_registry', 'container registry'],
        ['azurerm_cosmosdb_account', 'Cosmos DB account'],
        ['azurerm_mssql_server', 'SQL server'],
      ];
      for (const [type, what] of privateOnly) {
        for (const r of stack.ofType(type)) {
          if (r.cfg.public_network_access_enabled !== false) issues.push(issue(r, `${what} ${r.cfg.name ?? r.name} is reachable from the internet (public_network_access_enabled is not false)`));
        }
      }
      for (const pg of stack.ofType('azurerm_postgresql_flexible_server')) {
        if (pg.cfg.public_network_access_enabled !== false && !isSet(pg.cfg.delegated_subnet_id)) issues.push(issue(pg, `PostgreSQL server ${pg.cfg.name ?? pg.name} is reachable from the internet (no delegated subnet, public access not off)`));
      }
      for (const cg of stack.ofType('azurerm_container_group')) {
        const type = String(cg.cfg.ip_address_type ?? 'Public');
        if (type.toLowerCase() === 'public' && !declaredIngress(cg)) issues.push(issue(cg, `container group ${cg.cfg.name ?? cg.name} has a public IP address (ip_address_type ${type}) and is no declared app ingress`));
      }
      for (const type of ['azurerm_linux_web_app', 'azurerm_windows_web_app', 'azurerm_linux_function_app', 'azurerm_windows_function_app']) {
        for (const app of stack.ofType(type)) {
          if (app.cfg.public_network_access_enabled !== false && !declaredIngress(app)) {
            issues.push(issue(app, `${type.replace('azurerm_', '').replace(/_/g, ' ')} ${app.cfg.name ?? app.name} is reachable from the internet and is not tagged with an app declared with ingress "internet"`));
          }
        }
      }
    }
    return issues;
  },
};

// --------------------------------------------------------------- NHS-TAG-1

const TAG_1: AzureRule = {
  id: 'NHS-TAG-1',
  onAzure: `every resource whose azurerm type takes \`tags\` (${TAGGABLE_TYPES.size} types in azurerm 4.55) carries \`${NhsTagKey.ODS_CODE}\``,
  evaluate(out) {
    const issues: RuleIssue[] = [];
    for (const stack of out.stacks) {
      for (const r of stack.resources) {
        if (!TAGGABLE_TYPES.has(r.type)) continue;
        const raw = r.cfg.tags;
        if (typeof raw === 'string' && raw.includes(NhsTagKey.ODS_CODE)) continue;
        const v = tagsOf(r)?.[NhsTagKey.ODS_CODE];
        if (typeof v !== 'string' || v.trim() === '') issues.push(issue(r, `${r.type} ${r.cfg.name ?? r.name} has no ${NhsTagKey.ODS_CODE} tag`));
      }
    }
    return issues;
  },
};

// --------------------------------------------------------------- NHS-LOG-1

/** The log categories a diagnostic setting sends somewhere (empty when it sends none or has no destination). */
function loggedCategories(cfg: any): string[] {
  const destination = ['log_analytics_workspace_id', 'storage_account_id', 'eventhub_authorization_rule_id', 'partner_solution_id'].some((k) => isSet(cfg[k]));
  if (!destination) return [];
  return blocks(cfg.enabled_log).map((l) => String(l.category ?? l.category_group ?? '').toLowerCase()).filter((c) => c !== '');
}

const AUDIT = ['alllogs', 'audit'];
const AUDIT_LOG_DAYS = RecordsCategory.AUDIT_LOG.minimumLockDays;

const LOG_1: AzureRule = {
  id: 'NHS-LOG-1',
  onAzure: 'diagnostic settings (to a workspace or archive) on the firewall, VPN gateways, application gateways, Front Door, key vaults (AuditEvent), storage accounts (a blob/file/queue/table service), DICOM services (AuditLogs); a VNet flow log per VNet; workspaces and flow logs keep at least 365 days',
  evaluate(out) {
    const issues: RuleIssue[] = [];
    const need = (type: string, armSegment: string, what: string, wanted?: string[], suffix?: RegExp, label?: string) => {
      const settings = out.index('azurerm_monitor_diagnostic_setting', (cfg) => cfg.target_resource_id, type, armSegment);
      for (const r of out.ofType(type)) {
        const ok = (settings.get(r) ?? []).some((d) => {
          if (suffix && !(typeof d.cfg.target_resource_id === 'string' && suffix.test(d.cfg.target_resource_id))) return false;
          const cats = loggedCategories(d.cfg);
          return cats.length > 0 && (!wanted || cats.some((c) => wanted.includes(c)));
        });
        if (!ok) issues.push(issue(r, `${what} ${r.cfg.name ?? r.name} has no diagnostic setting sending ${label ?? 'its logs'} to the central log store`));
      }
    };
    need('azurerm_firewall', ARM.firewall, 'firewall');
    need('azurerm_virtual_network_gateway', ARM.gateway, 'gateway');
    need('azurerm_application_gateway', 'applicationGateways', 'application gateway');
    need('azurerm_cdn_frontdoor_profile', 'profiles', 'Front Door profile');
    need('azurerm_key_vault', ARM.vault, 'key vault', ['auditevent', ...AUDIT], undefined, 'AuditEvent');
    need('azurerm_healthcare_dicom_service', 'dicomservices', 'DICOM service', ['auditlogs', ...AUDIT], undefined, 'AuditLogs');
    need('azurerm_storage_account', ARM.storage, 'storage account', undefined, /\/(blob|file|queue|table)Services\/default$/i, 'the reads, writes and deletes of its blob, file, queue or table service');

    const flowLogs = out.ofType('azurerm_network_watcher_flow_log');
    const flowLogOf = out.index('azurerm_network_watcher_flow_log', (cfg) => cfg.target_resource_id, 'azurerm_virtual_network', ARM.vnet);
    for (const vnet of out.ofType('azurerm_virtual_network')) {
      const on = (flowLogOf.get(vnet) ?? []).some((f) => f.cfg.enabled !== false);
      if (!on) issues.push(issue(vnet, `virtual network ${vnet.cfg.name ?? vnet.name} has no enabled VNet flow log (azurerm_network_watcher_flow_log with target_resource_id = the VNet)`));
    }
    for (const f of flowLogs) {
      for (const p of blocks(f.cfg.retention_policy)) {
        if (p.enabled === true && typeof p.days === 'number' && p.days > 0 && p.days < AUDIT_LOG_DAYS) {
          issues.push(issue(f, `flow log ${f.cfg.name ?? f.name} deletes flow logs after ${p.days} days (at least ${AUDIT_LOG_DAYS})`));
        }
      }
    }
    for (const w of out.ofType('azurerm_log_analytics_workspace')) {
      const days = w.cfg.retention_in_days ?? 30;
      if (typeof days === 'number' && days < AUDIT_LOG_DAYS) issues.push(issue(w, `Log Analytics workspace ${w.cfg.name ?? w.name} keeps logs ${days} days (at least ${AUDIT_LOG_DAYS})`));
    }
    return issues;
  },
};

// ------------------------------------------------------ NHS-RET-1, NHS-BAK-1

/** A store's retention lock: a container and its time-based policy. */
interface ContainerLock {
  readonly container: TfResource;
  readonly policy?: TfResource;
}

function containersOf(out: TfOutput, account: TfResource): TfResource[] {
  const s = account.stack;
  return s.ofType('azurerm_storage_container').filter((c) => refersTo(s, c.cfg.storage_account_id, account)
    || refersTo(s, c.cfg.storage_account_name, account)
    || (typeof c.cfg.storage_account_name === 'string' && c.cfg.storage_account_name === account.cfg.name)
    || out.pointsTo(s, c.cfg.storage_account_id, account.type, ARM.storage) === account);
}

function lockOf(container: TfResource): ContainerLock {
  const s = container.stack;
  const policy = s.ofType('azurerm_storage_container_immutability_policy').find((p) => refersTo(s, p.cfg.storage_container_resource_manager_id, container));
  return { container, policy };
}

/** What is wrong with a container's lock for a category, or undefined. */
function lockProblem(lock: ContainerLock, category: RecordsCategory): string | undefined {
  const name = lock.container.cfg.name ?? lock.container.name;
  if (!lock.policy) return `container ${name} has no time-based retention policy (azurerm_storage_container_immutability_policy)`;
  const days = lock.policy.cfg.immutability_period_in_days;
  if (typeof days !== 'number' || days < category.minimumLockDays) {
    return `container ${name} is locked ${JSON.stringify(days)} days, less than the ${category.id} floor of ${category.minimumLockDays} days (${category.minimumLockYears} years: ${category.rule})`;
  }
  if (category.requiresComplianceMode && lock.policy.cfg.locked !== true) {
    return `container ${name}'s retention policy is not locked: ${category.id} records need compliance mode (nobody may shorten it)`;
  }
  return undefined;
}

interface StoreCategory {
  readonly category?: RecordsCategory;
  readonly raw?: unknown;
}

function categoryOf(r: TfResource): StoreCategory {
  const raw = tagsOf(r)?.[RECORDS_CATEGORY_TAG];
  return { raw, category: typeof raw === 'string' ? RecordsCategory.fromId(raw) : undefined };
}

/** Storage accounts that say they hold records (tag records-category). */
function storeAccounts(out: TfOutput): TfResource[] {
  return out.ofType('azurerm_storage_account').filter((a) => tagsOf(a)?.[RECORDS_CATEGORY_TAG] !== undefined);
}

/** The DICOM service's external storage account and file system container, when in the output. */
function dicomStorage(out: TfOutput, svc: TfResource): { account?: TfResource; fileSystem?: TfResource } {
  const st = blocks(svc.cfg.storage)[0];
  if (!st) return {};
  const account = out.pointsTo(svc.stack, st.storage_account_id, 'azurerm_storage_account', ARM.storage);
  if (!account) return {};
  const fileSystem = containersOf(out, account).find((c) => refersTo(svc.stack, st.file_system_name, c) || c.cfg.name === st.file_system_name);
  return { account, fileSystem };
}

const RET_1: AzureRule = {
  id: 'NHS-RET-1',
  onAzure: `storage accounts tagged \`${RECORDS_CATEGORY_TAG}\` (and every DICOM service, which must carry the tag) lock every container for at least the category's floor (RecordsCategory.minimumLockDays), locked when the category needs compliance mode`,
  evaluate(out) {
    const issues: RuleIssue[] = [];
    for (const acc of storeAccounts(out)) {
      const { category, raw } = categoryOf(acc);
      const name = acc.cfg.name ?? acc.name;
      if (!category) {
        issues.push(issue(acc, `store ${name} has ${RECORDS_CATEGORY_TAG} ${JSON.stringify(raw)}, which is not a records category (${RecordsCategory.all().map((c) => c.id).join(', ')})`));
        continue;
      }
      const accountPolicy = blocks(acc.cfg.immutability_policy)[0];
      if (accountPolicy && typeof accountPolicy.period_since_creation_in_days === 'number' && accountPolicy.period_since_creation_in_days < category.minimumLockDays) {
        issues.push(issue(acc, `store ${name}'s default version-level policy is ${accountPolicy.period_since_creation_in_days} days, less than the ${category.id} floor of ${category.minimumLockDays} days`));
      }
      const containers = containersOf(out, acc);
      if (containers.length === 0) {
        const locked = accountPolicy && accountPolicy.state === 'Locked' && accountPolicy.period_since_creation_in_days >= category.minimumLockDays;
        if (!locked) issues.push(issue(acc, `store ${name} (${category.id} records) has no container with a retention lock and no locked account-level policy`));
        continue;
      }
      for (const c of containers) {
        const p = lockProblem(lockOf(c), category);
        if (p) issues.push(issue(acc, `store ${name} (${category.id} records): ${p}`));
      }
    }
    for (const svc of out.ofType('azurerm_healthcare_dicom_service')) {
      const { category, raw } = categoryOf(svc);
      const name = svc.cfg.name ?? svc.name;
      if (!category) {
        issues.push(issue(svc, raw === undefined
          ? `DICOM service ${name} has no ${RECORDS_CATEGORY_TAG} tag: a DICOM store holds ${RecordsCategory.IMAGING.id} records`
          : `DICOM service ${name} has ${RECORDS_CATEGORY_TAG} ${JSON.stringify(raw)}, which is not a records category`));
        continue;
      }
      const { account, fileSystem } = dicomStorage(out, svc);
      if (!account || !fileSystem) {
        issues.push(issue(svc, `DICOM service ${name} (${category.id} records) keeps its instances where no retention lock can be shown (no external storage account and file system in the output)`));
        continue;
      }
      const p = lockProblem(lockOf(fileSystem), category);
      if (p) issues.push(issue(svc, `DICOM service ${name} (${category.id} records) in ${account.cfg.name ?? account.name}: ${p}`));
    }
    return issues;
  },
};

/** Object replications by source account and blob backups by account: the copies the output makes. */
interface Copies {
  readonly replications: Map<TfResource, TfResource[]>;
  readonly backups: Map<TfResource, TfResource[]>;
}

function copiesIn(out: TfOutput): Copies {
  return {
    replications: out.index('azurerm_storage_object_replication', (cfg) => cfg.source_storage_account_id, 'azurerm_storage_account', ARM.storage),
    backups: out.index('azurerm_data_protection_backup_instance_blob_storage', (cfg) => cfg.storage_account_id, 'azurerm_storage_account', ARM.storage),
  };
}

/** Why an account has no immutable copy, or undefined when it has one. */
function copyProblem(out: TfOutput, copies: Copies, acc: TfResource, category: RecordsCategory): string | undefined {
  const reasons: string[] = [];
  for (const rep of copies.replications.get(acc) ?? []) {
    const dest = out.pointsTo(rep.stack, rep.cfg.destination_storage_account_id, acc.type, ARM.storage);
    if (!dest) {
      reasons.push(`replication ${rep.address} goes to an account that is not in the output, so its lock cannot be shown`);
      continue;
    }
    if (dest === acc) {
      reasons.push(`replication ${rep.address} copies the account onto itself`);
      continue;
    }
    const destContainers = containersOf(out, dest);
    const rules = blocks(rep.cfg.rules);
    if (rules.length === 0) {
      reasons.push(`replication ${rep.address} has no rules`);
      continue;
    }
    const bad: string[] = [];
    for (const rule of rules) {
      const wanted = rule.destination_container_name;
      const c = destContainers.find((x) => refersTo(dest.stack, wanted, x) || x.cfg.name === wanted);
      const p = c ? lockProblem(lockOf(c), category) : `destination container ${JSON.stringify(rule.destination_container_name)} is not in the output`;
      if (p) bad.push(p);
    }
    if (bad.length === 0) return undefined;
    reasons.push(`the copy in ${dest.cfg.name ?? dest.name} is not immutable: ${bad.join('; ')}`);
  }
  for (const b of copies.backups.get(acc) ?? []) {
    const vault = out.pointsTo(b.stack, b.cfg.vault_id, 'azurerm_data_protection_backup_vault', 'backupVaults');
    if (vault && vault.cfg.immutability === 'Locked') return undefined;
    reasons.push(`backup ${b.address} goes to ${vault ? `vault ${vault.cfg.name} whose immutability is ${JSON.stringify(vault.cfg.immutability ?? 'Disabled')}, not Locked` : 'a vault not in the output'}`);
  }
  return reasons.length ? reasons.join('; ') : 'has no immutable copy (no object replication to a locked account, no backup to a locked Backup vault)';
}

const BAK_1: AzureRule = {
  id: 'NHS-BAK-1',
  onAzure: `every clinical store (a storage account tagged with a clinical \`${RECORDS_CATEGORY_TAG}\`, not itself a copy, and every DICOM service) has object replication to another account whose destination containers are locked for the category's floor, or a backup to a Backup vault with immutability Locked`,
  evaluate(out) {
    const issues: RuleIssue[] = [];
    const copies = copiesIn(out);
    for (const acc of storeAccounts(out)) {
      const { category } = categoryOf(acc);
      if (!category || !category.requiresComplianceMode) continue; // unknown categories are RET-1's; logs are not clinical stores
      if (tagsOf(acc)?.['backup-of'] !== undefined) continue; // the copy itself
      const p = copyProblem(out, copies, acc, category);
      if (p) issues.push(issue(acc, `store ${acc.cfg.name ?? acc.name} (${category.id} records): ${p}`));
    }
    for (const svc of out.ofType('azurerm_healthcare_dicom_service')) {
      const category = categoryOf(svc).category ?? RecordsCategory.IMAGING;
      const { account } = dicomStorage(out, svc);
      const p = account ? copyProblem(out, copies, account, category) : 'keeps its instances in storage that is not in the output';
      if (p) issues.push(issue(svc, `DICOM service ${svc.cfg.name ?? svc.name} (${category.id} records)${account ? ` in ${account.cfg.name ?? account.name}` : ''}: ${p}`));
    }
    return issues;
  },
};

// --------------------------------------------------------------- NHS-IAM-1

/** Built-in roles that administer resources or access, by name and role definition GUID. */
const ADMIN_ROLES: { [name: string]: string } = {
  'Owner': '8e3af657-a8ff-443c-a75c-2fe8c4bcb635',
  'Contributor': 'b24988ac-6180-42a0-ab88-20f7382dd24c',
  'User Access Administrator': '18d7d88d-d35e-4fb5-a5c3-7773c20a72d9',
  'Role Based Access Control Administrator': 'f58310d9-a9f6-439a-9e8d-f62e7b41a168',
};
const ADMIN_BY_GUID = Object.fromEntries(Object.entries(ADMIN_ROLES).map(([n, g]) => [g, n]));

/** A subscription, management group or the root: wider than the backbone's resource groups. */
function isWideScope(scope: unknown): boolean {
  if (typeof scope !== 'string') return false;
  const s = scope.trim();
  return s === '/'
    || /^\/subscriptions\/[^/]+\/?$/i.test(s)
    || /^\/providers\/Microsoft\.Management\/managementGroups\/[^/]+\/?$/i.test(s)
    || /^\$\{data\.azurerm_(subscription|management_group)\.[^.}]+\.id\}$/.test(s)
    || /^\$\{azurerm_management_group\.[^.}]+\.id\}$/.test(s);
}

function adminRole(cfg: any): string | undefined {
  if (typeof cfg.role_definition_name === 'string' && ADMIN_ROLES[cfg.role_definition_name]) return cfg.role_definition_name;
  if (typeof cfg.role_definition_id === 'string') {
    const m = /([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\s*$/i.exec(cfg.role_definition_id);
    if (m && ADMIN_BY_GUID[m[1].toLowerCase()]) return ADMIN_BY_GUID[m[1].toLowerCase()];
  }
  return undefined;
}

const WILDCARD_ACTIONS = new Set(['*', 'microsoft.authorization/*', '*/write', '*/delete']);

const IAM_1: AzureRule = {
  id: 'NHS-IAM-1',
  onAzure: 'no Owner, Contributor, User Access Administrator or (unconditioned) Role Based Access Control Administrator assignment at subscription, management-group or root scope; no custom role with `*`, `*/write`, `*/delete` or `Microsoft.Authorization/*` actions',
  evaluate(out) {
    const issues: RuleIssue[] = [];
    for (const ra of out.ofType('azurerm_role_assignment')) {
      const role = adminRole(ra.cfg);
      if (!role || !isWideScope(ra.cfg.scope)) continue;
      if (role === 'Role Based Access Control Administrator' && isSet(ra.cfg.condition)) continue;
      issues.push(issue(ra, `${role} is assigned at the wide scope ${ra.cfg.scope} (administrative roles only on the backbone's resource groups or single resources)`));
    }
    for (const rd of out.ofType('azurerm_role_definition')) {
      const wild = blocks(rd.cfg.permissions).flatMap((p) => [...(p.actions ?? []), ...(p.data_actions ?? [])])
        .filter((a: unknown) => typeof a === 'string' && WILDCARD_ACTIONS.has(a.toLowerCase()));
      if (wild.length) issues.push(issue(rd, `custom role ${rd.cfg.name ?? rd.name} grants wildcard actions ${[...new Set(wild)].join(', ')}`));
    }
    return issues;
  },
};

/** The rules, in the profile's order. @internal */
export const AZURE_RULES: AzureRule[] = [ENC_1, RES_1, NET_1, TAG_1, LOG_1, RET_1, BAK_1, IAM_1];

/**
 * Runs every rule over an output and turns issues into findings, each
 * acknowledged when its resource carries an acknowledgement of that rule.
 * @internal
 */
export function evaluateOutput(out: TfOutput): ComplianceFinding[] {
  const findings: ComplianceFinding[] = [];
  const seen = new Set<string>();
  for (const rule of AZURE_RULES) {
    const { severity } = NhsComplianceProfile.rule(rule.id);
    for (const i of rule.evaluate(out)) {
      const key = `${rule.id}|${i.resource.stack.name}|${i.resource.address}|${i.message}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const acks = acknowledgementsOf(i.resource).filter((a) => a.ruleId === rule.id);
      findings.push({
        ruleId: rule.id,
        cloud: Cloud.AZURE,
        stack: i.resource.stack.name,
        resource: i.resource.address,
        resourceType: i.resource.type,
        message: i.message,
        severity,
        ...(acks.length ? { acknowledgedReason: [...new Set(acks.map((a) => a.reason.trim()))].join('; ') } : {}),
      });
    }
  }
  return findings;
}
