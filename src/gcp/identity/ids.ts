import { createHash } from 'crypto';
import { BackboneSpec } from '../../core/backbone-spec';
import { BackboneError } from '../../core/errors';

/**
 * Small helpers shared by the identity constructs. Not re-exported from the
 * package index.
 * @internal
 */

/** Roles that give all (or all-but-IAM) actions on every resource of a project, or control of IAM itself. */
export const FORBIDDEN_ROLES = ['roles/owner', 'roles/editor', 'roles/iam.securityAdmin'];

/** The email of a user-managed service account, known before it is created. */
export function serviceAccountEmail(accountId: string, projectId: string): string {
  return `${accountId}@${projectId}.iam.gserviceaccount.com`;
}

/**
 * An id for a workload identity pool or pool provider: 4-32 characters,
 * a-z 0-9 '-', starting with a letter, not starting with "gcp-". Built from
 * the backbone's prefix, a purpose and the environment; shortened with a hash
 * when too long, like every other name.
 */
export function federationId(spec: BackboneSpec, purpose: string): string {
  const full = `${spec.naming.prefix}-${purpose}-${spec.naming.environment}`
    .toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/-+/g, '-').replace(/^-|-$/g, '');
  let out = full.length <= 32 ? full : `${full.slice(0, 27).replace(/-+$/, '')}-${createHash('sha256').update(full).digest('hex').slice(0, 4)}`;
  if (out.startsWith('gcp-')) out = `nb${out}`.slice(0, 32);
  return out;
}

/** Refuses a role that grants everything (owner, editor) or IAM control (securityAdmin). */
export function checkRole(path: string, role: string): string {
  if (typeof role !== 'string' || !/^(roles\/[a-zA-Z0-9_.]+|projects\/[a-z0-9-]+\/roles\/[a-zA-Z0-9_.]+|organizations\/[0-9]+\/roles\/[a-zA-Z0-9_.]+)$/.test(role)) {
    throw BackboneError.of(path, `${JSON.stringify(role)} is not an IAM role (e.g. "roles/storage.objectViewer")`);
  }
  if (FORBIDDEN_ROLES.includes(role)) {
    throw BackboneError.of(path, `"${role}" is not allowed: it grants every action on every resource or control of IAM (give the narrow predefined roles the job needs)`);
  }
  return role;
}
