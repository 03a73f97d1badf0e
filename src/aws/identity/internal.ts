import { Construct } from 'constructs';
import { IWorkloadIdentity, WorkloadIdentity } from './workload-identity';
import { BackboneError } from '../../core/errors';

// Helpers shared by the identity constructs. Not re-exported from index.ts:
// not part of the jsii API.

/**
 * Checks that a grantee is a backbone WorkloadIdentity; throws a BackboneError
 * naming `path` otherwise. Not part of the jsii API (this file's functions are
 * not re-exported).
 */
export function requireWorkloadIdentity(grantee: unknown, path: string = 'grantee'): IWorkloadIdentity {
  if (WorkloadIdentity.isWorkloadIdentity(grantee)) return grantee;
  throw BackboneError.of(path, `${describeGrantee(grantee)} is not a workload identity of the backbone: grant to a WorkloadIdentity (one per app), never to a hand-made role, user or principal`);
}

function describeGrantee(x: unknown): string {
  if (x === undefined || x === null) return String(x);
  if (Construct.isConstruct(x)) return `construct ${x.node.path}`;
  const principal = (x as { grantPrincipal?: unknown }).grantPrincipal ?? x;
  const name = (principal as object).constructor?.name ?? typeof principal;
  return `a ${name}`;
}
