import { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import { Construct } from 'constructs';
import { AzureBuiltInRole } from './roles';
import type { IWorkloadIdentity } from './workload-identity';
import { BackboneError } from '../../core/errors';

const WORKLOAD_IDENTITY = Symbol.for('nhs-backbone.azure.WorkloadIdentity');

/** Marks a construct as a backbone workload identity. @internal */
export function markWorkloadIdentity(x: object): void {
  Object.defineProperty(x, WORKLOAD_IDENTITY, { value: true });
}

/** True for a backbone WorkloadIdentity (also across copies of the library). @internal */
export function isWorkloadIdentity(x: unknown): x is IWorkloadIdentity {
  return typeof x === 'object' && x !== null && (x as any)[WORKLOAD_IDENTITY] === true;
}

/**
 * Grants a built-in role on one resource to a backbone workload identity: an
 * azurerm_role_assignment scoped to `resourceId`, created under `resource`
 * (the construct that owns the resource, so it lands in that stack). Anything
 * that is not a backbone WorkloadIdentity is refused with a BackboneError
 * naming `grantee`. Granting the same role twice returns the first assignment.
 * For the backbone's storage, imaging and key constructs. @internal
 */
export function grantRole(resource: Construct, grantee: unknown, role: AzureBuiltInRole, resourceId: string, what: string): RoleAssignment {
  if (!isWorkloadIdentity(grantee)) {
    throw BackboneError.of('grantee', `${describe(grantee)} is not a workload identity of the backbone (create one with new WorkloadIdentity(...); grants are never made to other principals)`);
  }
  if (!AzureBuiltInRole.grantable().includes(role)) {
    throw BackboneError.of('role', `"${role.roleName}" is not a data-plane role the backbone grants (${AzureBuiltInRole.grantable().map((r) => r.roleName).join(', ')})`);
  }
  const id = `Grant-${grantee.odsCode}-${grantee.appName}-${role.roleName.replace(/\s+/g, '')}`;
  const existing = resource.node.tryFindChild(id);
  if (existing) return existing as RoleAssignment;
  return new RoleAssignment(resource, id, {
    scope: resourceId,
    roleDefinitionName: role.roleName,
    principalId: grantee.principalIdIn(resource),
    principalType: 'ServicePrincipal',
    description: `${role.roleName} on ${what} for app ${grantee.appName} (${grantee.odsCode}), granted by nhs-backbone`,
  });
}

function describe(x: unknown): string {
  if (x === undefined || x === null) return String(x);
  if (typeof x === 'string') return JSON.stringify(x);
  if (typeof x === 'object') {
    const ctor = (x as any).constructor?.name;
    const path = (x as any).node?.path;
    return path ? `${ctor ?? 'object'} at "${path}"` : (ctor && ctor !== 'Object' ? `a ${ctor}` : 'a plain object');
  }
  return typeof x;
}
