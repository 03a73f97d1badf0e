import { DataAzurermSubscription } from '@cdktf/provider-azurerm/lib/data-azurerm-subscription';
import { MonitorActionGroup } from '@cdktf/provider-azurerm/lib/monitor-action-group';
import { MonitorActivityLogAlert } from '@cdktf/provider-azurerm/lib/monitor-activity-log-alert';
import { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import { Token } from 'cdktf';
import { Construct } from 'constructs';
import { AzureBuiltInRole } from './roles';
import { BackboneSpec } from '../../core/backbone-spec';
import { BackboneError } from '../../core/errors';
import { AzureCompliance } from '../compliance/acknowledge';

/** Why the alerting resources are `global` (NHS-RES-1). */
const GLOBAL_ALERTING = 'Activity log alerts and action groups are global Azure Monitor resources (location "global", as azurerm makes them): '
  + 'they hold only the alert rules, the emergency accounts\' user principal names and the security contact\'s e-mail address, no patient data '
  + '(whether Azure offers a UK-only location for them is unverified: see docs/azure-compliance.md).';

/** An Entra ID emergency-access (break-glass) account, created by hand. */
export interface BreakGlassAccount {
  /** The account's object id in Entra ID. */
  readonly objectId: string;
  /** Its user principal name (the `caller` of its Azure activity), e.g. `bg1@nhsorg.onmicrosoft.com`. */
  readonly userPrincipalName: string;
}

/** Props of break-glass access. */
export interface BreakGlassAccessProps {
  /** The validated backbone spec. */
  readonly spec: BackboneSpec;
  /** The resource group of the alerts and action group (the hub's), as a plain name. */
  readonly resourceGroupName: string;
  /** Who is told when break-glass access is used: e-mail addresses (the security team's mailbox, the SIRO's delegate). */
  readonly notifyEmails: string[];
  /**
   * The two cloud-only emergency accounts (see docs/azure-identity.md).
   * @default - none yet: only the alerts are created; add the accounts once made in Entra ID
   */
  readonly accounts?: BreakGlassAccount[];
  /**
   * IDs of the resource groups the accounts may administer in an emergency
   * (the hub's and each trust's). Required when accounts are given; never the subscription.
   * @default - none
   */
  readonly scopes?: string[];
  /**
   * The subscription whose activity log is watched.
   * @default - the deploying identity's subscription (data azurerm_subscription)
   */
  readonly subscriptionId?: string;
}

/**
 * Break-glass (emergency) access on Azure, one role per backbone.
 *
 * Entra ID accounts cannot be created without the azuread provider, so the
 * two emergency accounts are made by hand (cloud-only, excluded from
 * Conditional Access, FIDO2 keys in separate safes; docs/azure-identity.md)
 * and passed in. Each gets Owner on the backbone's resource groups (never on
 * the subscription). Activity log alerts, to an action group that e-mails
 * `notifyEmails`, fire when:
 * - any role assignment is written in the subscription (someone granting
 *   themselves or an emergency account access), and
 * - an emergency account does anything in the subscription (caller = its UPN).
 */
export class BreakGlassAccess extends Construct {
  /** The action group the alerts notify. */
  public readonly actionGroup: MonitorActionGroup;
  /** The alert on role assignment writes. */
  public readonly roleAssignmentAlert: MonitorActivityLogAlert;

  constructor(scope: Construct, id: string, props: BreakGlassAccessProps) {
    super(scope, id);
    const { spec } = props;
    if (!props.notifyEmails || props.notifyEmails.length === 0) {
      throw BackboneError.of('notifyEmails', 'is empty: someone must be told when break-glass access is used');
    }
    props.notifyEmails.forEach((e, i) => {
      if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(e)) throw BackboneError.of(`notifyEmails[${i}]`, `${JSON.stringify(e)} is not an e-mail address`);
    });
    const accounts = props.accounts ?? [];
    const upns = new Set<string>();
    accounts.forEach((a, i) => {
      if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(a.objectId)) {
        throw BackboneError.of(`accounts[${i}].objectId`, `${JSON.stringify(a.objectId)} is not an Entra object id (a GUID)`);
      }
      if (!/^[^\s@]+@[^\s@]+$/.test(a.userPrincipalName)) {
        throw BackboneError.of(`accounts[${i}].userPrincipalName`, `${JSON.stringify(a.userPrincipalName)} is not a user principal name`);
      }
      if (upns.has(a.userPrincipalName.toLowerCase())) {
        throw BackboneError.of(`accounts[${i}].userPrincipalName`, `"${a.userPrincipalName}" is given twice`);
      }
      upns.add(a.userPrincipalName.toLowerCase());
    });
    const scopes = props.scopes ?? [];
    if (accounts.length > 0 && scopes.length === 0) {
      throw BackboneError.of('scopes', 'is empty: give the IDs of the resource groups the emergency accounts may administer');
    }
    scopes.forEach((s, i) => {
      if (!Token.isUnresolved(s) && !/^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+$/i.test(s)) {
        throw BackboneError.of(`scopes[${i}]`, `"${s}" is not a resource group ID (/subscriptions/<id>/resourceGroups/<name>): break-glass access is never given on a whole subscription`);
      }
    });

    const tags = spec.tagsFor();
    const subscriptionScope = props.subscriptionId
      ? `/subscriptions/${props.subscriptionId}`
      : new DataAzurermSubscription(this, 'Subscription', {}).id;

    this.actionGroup = new MonitorActionGroup(this, 'ActionGroup', {
      name: spec.naming.hub('break-glass-ag'),
      resourceGroupName: props.resourceGroupName,
      location: 'global',
      shortName: 'breakglass',
      emailReceiver: props.notifyEmails.map((e, i) => ({ name: `notify-${i + 1}`, emailAddress: e, useCommonAlertSchema: true })),
      tags,
    });
    AzureCompliance.acknowledge(this.actionGroup, 'NHS-RES-1', GLOBAL_ALERTING);

    this.roleAssignmentAlert = new MonitorActivityLogAlert(this, 'RoleAssignmentAlert', {
      name: spec.naming.hub('role-assignment-alert'),
      resourceGroupName: props.resourceGroupName,
      location: 'global',
      scopes: [subscriptionScope],
      description: 'A role assignment was written in the backbone subscription (possible break-glass or privilege escalation): check it against change records.',
      criteria: {
        category: 'Administrative',
        operationName: 'Microsoft.Authorization/roleAssignments/write',
      },
      action: [{ actionGroupId: this.actionGroup.id }],
      tags,
    });
    AzureCompliance.acknowledge(this.roleAssignmentAlert, 'NHS-RES-1', GLOBAL_ALERTING);

    for (const a of accounts) {
      const key = a.objectId.toLowerCase();
      for (const [i, s] of scopes.entries()) {
        const rg = Token.isUnresolved(s) ? String(i) : s.split('/').pop()!;
        new RoleAssignment(this, `Owner-${key}-${rg}`, {
          scope: s,
          roleDefinitionName: AzureBuiltInRole.OWNER.roleName,
          principalId: a.objectId,
          principalType: 'User',
          description: `Break-glass emergency access (${a.userPrincipalName}): use only under the documented procedure`,
        });
      }
      const used = new MonitorActivityLogAlert(this, `UsedAlert-${key}`, {
        name: spec.naming.hub(`break-glass-used-${key.slice(0, 8)}`),
        resourceGroupName: props.resourceGroupName,
        location: 'global',
        scopes: [subscriptionScope],
        description: `Break-glass account ${a.userPrincipalName} was used in the backbone subscription.`,
        criteria: { category: 'Administrative', caller: a.userPrincipalName },
        action: [{ actionGroupId: this.actionGroup.id }],
        tags,
      });
      AzureCompliance.acknowledge(used, 'NHS-RES-1', GLOBAL_ALERTING);
    }
  }
}
