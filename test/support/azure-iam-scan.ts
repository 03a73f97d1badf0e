/**
 * A scan of synthesised Terraform JSON (azurerm) for role grants that break
 * least privilege. Run it over every stack of a backbone:
 *
 *   const findings = scanAzureIam(stacks.map((s) => JSON.parse(Testing.synth(s))));
 *   expect(findings).toEqual([]);
 *
 * Rules (each a small pure check):
 * - AZ-IAM-1 privileged-role-to-app: Owner, Contributor, User Access
 *   Administrator or Role Based Access Control Administrator assigned to an
 *   app identity. A principal is an app identity when it is a user-assigned
 *   identity of the stack not tagged `backbone-principal = ci`, a looked-up
 *   user-assigned identity (data source), or a literal principal that is not
 *   a User (break-glass accounts are Users).
 * - AZ-IAM-2 privileged-role-at-subscription: one of those roles assigned to
 *   anyone at subscription, management group or root scope.
 * - AZ-IAM-3 wildcard-custom-role: a custom role whose actions (or data
 *   actions) include "*" and that is defined or assignable at subscription,
 *   management group or root scope.
 */

/** One problem found. */
export interface IamFinding {
  readonly rule: 'AZ-IAM-1' | 'AZ-IAM-2' | 'AZ-IAM-3';
  /** Index of the stack in the input list. */
  readonly stack: number;
  /** `type.name` of the offending resource. */
  readonly resource: string;
  readonly message: string;
}

/** Built-in roles no app may hold, by name and role definition GUID. */
export const PRIVILEGED_ROLES: Record<string, string> = {
  'Owner': '8e3af657-a8ff-443c-a75c-2fe8c4bcb635',
  'Contributor': 'b24988ac-6180-42a0-ab88-20f7382dd24c',
  'User Access Administrator': '18d7d88d-d35e-4fb5-a5c3-7773c20a72d9',
  'Role Based Access Control Administrator': 'f58310d9-a9f6-439a-9e8d-f62e7b41a168',
};

const GUID_TO_ROLE = Object.fromEntries(Object.entries(PRIVILEGED_ROLES).map(([n, g]) => [g, n]));

/** True when a scope is a subscription, a management group or the root. */
export function isBroadScope(scope: unknown): boolean {
  if (typeof scope !== 'string') return false;
  const s = scope.trim();
  return s === '/'
    || /^\/subscriptions\/[^/]+\/?$/i.test(s)
    || /^\/providers\/Microsoft\.Management\/managementGroups\/[^/]+\/?$/i.test(s)
    || /^\$\{data\.azurerm_subscription\.[^.}]+\.id\}$/.test(s)
    || /^\/subscriptions\/\$\{[^}]+\}\/?$/.test(s);
}

function privilegedRole(cfg: any): string | undefined {
  if (typeof cfg.role_definition_name === 'string' && PRIVILEGED_ROLES[cfg.role_definition_name]) return cfg.role_definition_name;
  if (typeof cfg.role_definition_id === 'string') {
    const m = /([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\s*$/i.exec(cfg.role_definition_id);
    if (m && GUID_TO_ROLE[m[1].toLowerCase()]) return GUID_TO_ROLE[m[1].toLowerCase()];
  }
  return undefined;
}

/** Whether a role assignment's principal is an app identity (see the file comment). */
function appPrincipal(json: any, cfg: any): string | undefined {
  const p = cfg.principal_id;
  if (typeof p !== 'string') return undefined;
  const uai = /^\$\{azurerm_user_assigned_identity\.([^.}]+)\.principal_id\}$/.exec(p);
  if (uai) {
    const identity = json.resource?.azurerm_user_assigned_identity?.[uai[1]];
    return identity?.tags?.['backbone-principal'] === 'ci' ? undefined : `user-assigned identity ${identity?.name ?? uai[1]}`;
  }
  const lookup = /^\$\{data\.azurerm_user_assigned_identity\.([^.}]+)\.principal_id\}$/.exec(p);
  if (lookup) return `user-assigned identity ${json.data?.azurerm_user_assigned_identity?.[lookup[1]]?.name ?? lookup[1]}`;
  if (/^\$\{/.test(p)) return `principal ${p}`;
  return cfg.principal_type === 'User' ? undefined : `principal ${p}`;
}

/** Scans one or more synthesised Terraform JSON documents. */
export function scanAzureIam(input: any | any[]): IamFinding[] {
  const docs: any[] = Array.isArray(input) ? input : [input];
  const findings: IamFinding[] = [];
  docs.forEach((json, stack) => {
    for (const [name, cfg] of Object.entries<any>(json.resource?.azurerm_role_assignment ?? {})) {
      const role = privilegedRole(cfg);
      if (!role) continue;
      const resource = `azurerm_role_assignment.${name}`;
      const app = appPrincipal(json, cfg);
      if (app) findings.push({ rule: 'AZ-IAM-1', stack, resource, message: `${role} is given to an app identity (${app}) on ${cfg.scope}` });
      if (isBroadScope(cfg.scope)) findings.push({ rule: 'AZ-IAM-2', stack, resource, message: `${role} is given at subscription/management-group scope ${cfg.scope}` });
    }
    for (const [name, cfg] of Object.entries<any>(json.resource?.azurerm_role_definition ?? {})) {
      const perms: any[] = Array.isArray(cfg.permissions) ? cfg.permissions : cfg.permissions ? [cfg.permissions] : [];
      const wildcard = perms.some((p) => (p.actions ?? []).includes('*') || (p.data_actions ?? []).includes('*'));
      const broad = isBroadScope(cfg.scope) || (cfg.assignable_scopes ?? []).some(isBroadScope);
      if (wildcard && broad) {
        findings.push({ rule: 'AZ-IAM-3', stack, resource: `azurerm_role_definition.${name}`, message: `custom role "${cfg.name}" allows all actions ("*") at subscription/management-group scope` });
      }
    }
  });
  return findings;
}
