import { NetworkWatcherFlowLog } from '@cdktf/provider-azurerm/lib/network-watcher-flow-log';
import { Construct } from 'constructs';
import { AzureNetworkWatcherRef } from './types';

/** Days flow logs are kept in the central store (the backbone's audit-log floor). @internal */
export const FLOW_LOG_RETENTION_DAYS = 365;

/** Props of a VNet flow log. @internal */
export interface VnetFlowLogProps {
  readonly name: string;
  readonly location: string;
  readonly vnetId: string;
  readonly watcher: AzureNetworkWatcherRef;
  readonly storageAccountId: string;
  readonly tags: { [key: string]: string };
  /**
   * Days Network Watcher keeps flow logs before deleting them (the spec's
   * storage.logRetentionDays). Above 365, which Network Watcher does not
   * accept, its retention is off and the archive's lifecycle rule deletes them.
   * @default FLOW_LOG_RETENTION_DAYS
   */
  readonly retentionDays?: number;
  /** Traffic analytics into this workspace, when given. */
  readonly workspace?: { readonly workspaceId: string; readonly resourceId: string };
}

/**
 * A VNet flow log (azurerm 4.x: target_resource_id = the VNet) into the hub's
 * log storage account, with traffic analytics when a workspace is given. NSG
 * flow logs are retired by Azure; VNet flow logs cover every subnet and NIC.
 * @internal
 */
export function vnetFlowLog(scope: Construct, id: string, props: VnetFlowLogProps): NetworkWatcherFlowLog {
  return new NetworkWatcherFlowLog(scope, id, {
    name: props.name,
    location: props.location,
    networkWatcherName: props.watcher.name,
    resourceGroupName: props.watcher.resourceGroupName,
    targetResourceId: props.vnetId,
    storageAccountId: props.storageAccountId,
    enabled: true,
    version: 2,
    retentionPolicy: flowLogRetention(props.retentionDays ?? FLOW_LOG_RETENTION_DAYS),
    trafficAnalytics: props.workspace ? {
      enabled: true,
      intervalInMinutes: 10,
      workspaceId: props.workspace.workspaceId,
      workspaceRegion: props.location,
      workspaceResourceId: props.workspace.resourceId,
    } : undefined,
    tags: props.tags,
  });
}

/** Network Watcher's retention for a number of days (off, that is kept, above 365). @internal */
export function flowLogRetention(days: number): { enabled: boolean; days: number } {
  return days > FLOW_LOG_RETENTION_DAYS ? { enabled: false, days: 0 } : { enabled: true, days };
}

/** Azure's own Network Watcher of a region (created with the first VNet). @internal */
export function defaultNetworkWatcher(location: string): AzureNetworkWatcherRef {
  return { name: `NetworkWatcher_${location}`, resourceGroupName: 'NetworkWatcherRG' };
}
