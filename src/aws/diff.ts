import { existsSync } from 'fs';
import { readAssembly, StackTemplate } from './compliance/template';
import { ChangeAction, ResourceChange, StackDiff, acknowledgementChanges, forAddedStack, onlyAdds, securityReasons } from '../core/diff';
import { Cloud } from '../core/regions';
import { StatefulResources } from '../core/stateful';

/**
 * Compares two CDK cloud assemblies stack by stack with
 * @aws-cdk/cloudformation-diff, which knows which property changes make
 * CloudFormation replace a resource. Stacks are matched by name; a stack only
 * in the old assembly is removed as a whole (its resources deleted, or
 * orphaned where `DeletionPolicy: Retain`). A folder that does not exist
 * counts as an empty assembly. Reads JSON only (no aws-cdk-lib).
 * @internal
 */
export function diffAwsOutputs(oldDir: string, newDir: string): StackDiff[] {
  const before = byName(existsSync(oldDir) ? readAssembly(oldDir) : []);
  const after = byName(existsSync(newDir) ? readAssembly(newDir) : []);
  const names = [...new Set([...before.keys(), ...after.keys()])].sort();
  // Loaded only when there is something to compare: it reads the CloudFormation
  // resource specification (about a second).
  let cfnDiff: typeof import('@aws-cdk/cloudformation-diff') | undefined;
  const out: StackDiff[] = [];
  for (const stack of names) {
    const b = before.get(stack);
    const a = after.get(stack);
    const status = !b ? 'added' : !a ? 'removed' : 'changed';
    if (b && a && JSON.stringify(b.template) === JSON.stringify(a.template)) {
      out.push({ cloud: Cloud.AWS, stack, status, changes: [] });
      continue;
    }
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    cfnDiff ??= require('@aws-cdk/cloudformation-diff') as typeof import('@aws-cdk/cloudformation-diff');
    const diff = cfnDiff.fullDiff((b?.template ?? {}) as any, (a?.template ?? {}) as any);
    const changes: ResourceChange[] = [];
    diff.resources.forEachDifference((id, d) => {
      const type = d.newResourceType ?? d.oldResourceType ?? 'unknown';
      const action = actionOf(d.changeImpact);
      if (!action) return;
      const properties = [...Object.keys(d.propertyUpdates), ...Object.keys(d.otherChanges).filter((k) => k !== 'Type')].sort();
      const replacing = Object.entries(d.propertyUpdates)
        .filter(([, p]) => p.changeImpact === cfnDiff!.ResourceImpact.WILL_REPLACE || p.changeImpact === cfnDiff!.ResourceImpact.MAY_REPLACE)
        .map(([k]) => k).sort();
      const reasons = securityReasons(type, action, properties, d.oldValue, d.newValue).concat(acknowledgementChanges(d.oldValue, d.newValue));
      const finalAction = d.resourceTypeChanged ? ChangeAction.REPLACE : action;
      changes.push({
        cloud: Cloud.AWS,
        stack,
        id,
        type,
        action: finalAction,
        properties,
        replacing: d.resourceTypeChanged ? ['Type'] : replacing,
        stateful: StatefulResources.isStateful(Cloud.AWS, type)
          || (d.oldResourceType !== undefined && StatefulResources.isStateful(Cloud.AWS, d.oldResourceType)),
        security: status === 'added' ? forAddedStack(reasons) : reasons,
        additive: finalAction === ChangeAction.UPDATE && onlyAdds(d.oldValue, d.newValue),
      });
    });
    const securityDetail = status === 'added' ? [] : [
      ...table('IAM statement changes', diff.iamChanges.summarizeStatements()),
      ...table('IAM managed policy changes', diff.iamChanges.summarizeManagedPolicies()),
      ...table('Security group rule changes', diff.securityGroupChanges.summarize()),
    ];
    out.push({ cloud: Cloud.AWS, stack, status, changes: changes.sort((x, y) => x.id.localeCompare(y.id)), securityDetail });
  }
  return out;
}

function byName(stacks: StackTemplate[]): Map<string, StackTemplate> {
  return new Map(stacks.map((s) => [s.name, s]));
}

function actionOf(impact: string | undefined): ChangeAction | undefined {
  switch (impact) {
    case 'WILL_CREATE':
    case 'WILL_IMPORT': return ChangeAction.CREATE;
    case 'WILL_DESTROY': return ChangeAction.DELETE;
    case 'WILL_ORPHAN': return ChangeAction.ORPHAN;
    case 'WILL_REPLACE': return ChangeAction.REPLACE;
    case 'MAY_REPLACE': return ChangeAction.MAY_REPLACE;
    case 'WILL_UPDATE':
    // A change of metadata or policies only (e.g. an acknowledgement): no impact on the resource itself.
    case 'NO_CHANGE': return ChangeAction.UPDATE;
    default: return undefined;
  }
}

/** A cloudformation-diff summary table (header row first) as plain lines, without colour codes. */
function table(title: string, rows: string[][]): string[] {
  if (rows.length <= 1) return [];
  // eslint-disable-next-line no-control-regex
  const plain = (s: string) => String(s).replace(/\u001b\[[0-9;]*m/g, '').replace(/\s*\n\s*/g, ' ');
  return [`${title}:`, ...rows.map((r) => r.map(plain).join(' | '))];
}
