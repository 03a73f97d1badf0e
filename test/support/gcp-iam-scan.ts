/**
 * A small IAM scan over synthesised Terraform JSON (Google provider): finds
 * every role grant (google_*_iam_member, google_*_iam_binding and
 * google_*_iam_policy with its google_iam_policy data source) and reports
 *  - a public member (allUsers, allAuthenticatedUsers) anywhere;
 *  - an owner/editor-style role (roles/owner, roles/editor,
 *    roles/iam.securityAdmin) given to a service account (app identities are
 *    service accounts; so are CI's deploy account and break-glass, which must
 *    not hold those roles either).
 * Google Cloud has no "*" permission: "all actions on all resources" is
 * owner/editor, so the same rule covers it.
 *
 * Usage: scanGcpIam(TfJson.of(stack).json) or scanGcpIam([json1, json2, ...]).
 */

export interface GcpIamFinding {
  /** `<resource type>.<name>` (or `data.google_iam_policy.<name>`). */
  readonly resource: string;
  readonly role: string;
  readonly member: string;
  readonly rule: 'public-member' | 'privileged-role-to-service-account';
}

/** Roles that amount to everything on everything, or control of IAM. */
export const PRIVILEGED_ROLES = ['roles/owner', 'roles/editor', 'roles/iam.securityAdmin'];
/** Members that mean "anyone". */
export const PUBLIC_MEMBERS = ['allUsers', 'allAuthenticatedUsers'];

const IAM_TYPE = /^google_[a-z0-9_]+_iam_(member|binding|policy)$/;

/** True when the member is, or refers to, a service account. */
function isServiceAccount(member: string): boolean {
  return /^serviceAccount:/.test(member)
    || /\$\{google_service_account\.[^}]+\.(email|member)\}/.test(member)
    || /principal(Set)?:\/\/iam\.googleapis\.com\/.*workloadIdentityPools/.test(member);
}

function check(resource: string, role: string, member: string, out: GcpIamFinding[]): void {
  if (PUBLIC_MEMBERS.includes(member)) out.push({ resource, role, member, rule: 'public-member' });
  if (PRIVILEGED_ROLES.includes(role) && isServiceAccount(member)) {
    out.push({ resource, role, member, rule: 'privileged-role-to-service-account' });
  }
}

/** Scans one or more synthesised stacks; returns every finding (empty when clean). */
export function scanGcpIam(stacks: any | any[]): GcpIamFinding[] {
  const out: GcpIamFinding[] = [];
  for (const json of Array.isArray(stacks) ? stacks : [stacks]) {
    const policies = json?.data?.google_iam_policy ?? {};
    const used = new Set<string>();
    for (const [type, byName] of Object.entries<any>(json?.resource ?? {})) {
      const m = IAM_TYPE.exec(type);
      if (!m) continue;
      for (const [name, cfg] of Object.entries<any>(byName)) {
        const id = `${type}.${name}`;
        if (m[1] === 'member') check(id, cfg.role, cfg.member, out);
        if (m[1] === 'binding') for (const member of cfg.members ?? []) check(id, cfg.role, member, out);
        if (m[1] === 'policy') {
          const ref = /^\$\{data\.google_iam_policy\.([^.]+)\.policy_data\}$/.exec(String(cfg.policy_data ?? ''));
          let bindings: any[] = [];
          if (ref) {
            used.add(ref[1]);
            bindings = policies[ref[1]]?.binding ?? [];
          } else {
            try { bindings = JSON.parse(cfg.policy_data).bindings ?? []; } catch { bindings = [{ role: '<unreadable policy_data>', members: [] }]; }
          }
          for (const b of bindings) for (const member of b.members ?? []) check(id, b.role, member, out);
        }
      }
    }
    // A policy data source not used by any resource is still reported: it is the intent.
    for (const [name, cfg] of Object.entries<any>(policies).filter(([n]) => !used.has(n))) {
      for (const b of cfg.binding ?? []) for (const member of b.members ?? []) check(`data.google_iam_policy.${name}`, b.role, member, out);
    }
  }
  return out;
}
