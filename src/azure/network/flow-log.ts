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
    retentionPolicy: { enabled: true, days: FLOW_LOG_RETENTION_DAYS },
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

/** Azure's own Network Watcher of a region (created with the first VNet). @internal */
export function defaultNetworkWatcher(location: string): AzureNetworkWatcherRef {
  return { name: `NetworkWatcher_${location}`, resourceGroupName: 'NetworkWatcherRG' };
}
