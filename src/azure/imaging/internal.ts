import { MonitorDiagnosticSetting } from '@cdktf/provider-azurerm/lib/monitor-diagnostic-setting';
import { PrivateEndpoint } from '@cdktf/provider-azurerm/lib/private-endpoint';
import { Token } from 'cdktf';
import { Construct } from 'constructs';
import { BackboneSpec, ImagingNetwork } from '../../core/backbone-spec';
import { BackboneError } from '../../core/errors';
import { NhsTags } from '../../core/tags';

/** Private Link DNS zones the imaging constructs register endpoints in. @internal */
export const ZONE = {
  DICOM: 'privatelink.dicom.azurehealthcareapis.com',
  WORKSPACE: 'privatelink.workspace.azurehealthcareapis.com',
  FHIR: 'privatelink.fhir.azurehealthcareapis.com',
  BLOB: 'privatelink.blob.core.windows.net',
  DFS: 'privatelink.dfs.core.windows.net',
  FILE: 'privatelink.file.core.windows.net',
  VAULT: 'privatelink.vaultcore.azure.net',
};

/** The Entra resource (audience) of the DICOM service's data plane. @internal */
export const DICOM_AUDIENCE = 'https://dicom.healthcareapis.azure.com';

/**
 * Picks the ID of one Private Link zone from a list of zone IDs (the hub's,
 * built with HubNames.privateDnsZoneId). Throws a BackboneError naming `prop`
 * when it is missing.
 * @internal
 */
export function zoneId(zoneIds: string[] | undefined, zone: string, prop: string, why: string): string {
  if (!Array.isArray(zoneIds) || zoneIds.length === 0) {
    throw BackboneError.of(prop, `is empty: give the IDs of the hub's Private Link DNS zones (${zone} is needed for ${why})`);
  }
  zoneIds.forEach((z, i) => {
    // The zone's name must be plain text (it picks the zone); the subscription
    // may be a token (data.azurerm_client_config), which the pattern allows.
    if (typeof z !== 'string' || !/^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.Network\/privateDnsZones\/[^/]+$/i.test(z)) {
      throw BackboneError.of(`${prop}[${i}]`, `${JSON.stringify(z)} is not a private DNS zone ID (/subscriptions/<id>/resourceGroups/<rg>/providers/Microsoft.Network/privateDnsZones/<zone>, the zone name as plain text)`);
    }
  });
  const found = zoneIds.find((z) => z.toLowerCase().endsWith(`/privatednszones/${zone}`));
  if (!found) throw BackboneError.of(prop, `has no ${zone} zone (needed for ${why})`);
  return found;
}

/** The optional zones among a list (e.g. the workspace and FHIR zones of a healthcareworkspace endpoint). @internal */
export function optionalZoneIds(zoneIds: string[], zones: string[]): string[] {
  return zones.map((zone) => zoneIds.find((z) => z.toLowerCase().endsWith(`/privatednszones/${zone}`))).filter((z): z is string => z !== undefined);
}

/** Checks a required resource ID prop (skipping unresolved tokens). @internal */
export function requireId(value: unknown, prop: string, pattern: RegExp, what: string): string {
  if (typeof value !== 'string' || value.trim() === '') throw BackboneError.of(prop, `${JSON.stringify(value)} is not set (required: ${what})`);
  if (!Token.isUnresolved(value) && !pattern.test(value)) throw BackboneError.of(prop, `"${value}" is not ${what}`);
  return value;
}

/** Subnet resource IDs. @internal */
export const SUBNET_ID = /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.Network\/virtualNetworks\/[^/]+\/subnets\/[^/]+$/i;
/** Log Analytics workspace resource IDs. @internal */
export const WORKSPACE_ID = /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.OperationalInsights\/workspaces\/[^/]+$/i;

/**
 * The imaging network of the spec with this id; refuses a network the spec
 * does not have.
 * @internal
 */
export function checkNetwork(spec: BackboneSpec, network: ImagingNetwork | undefined): ImagingNetwork {
  const known = spec.imagingNetworks();
  const found = known.find((n) => n.id === network?.id);
  if (!found) {
    throw BackboneError.of('network', `${JSON.stringify(network?.id)} is not an imaging network of backbone ${spec.name} (${known.map((n) => n.id).join(', ')})`);
  }
  return found;
}

/**
 * Tags of an imaging network's own resources: the trust's for a per-trust
 * network, the hub's for the national one, and for an ICB's network the
 * backbone's tags with the ICB as ODS code and ICB. Plus `imaging-network`.
 * @internal
 */
export function networkTags(spec: BackboneSpec, network: ImagingNetwork): { [key: string]: string } {
  let tags: { [key: string]: string };
  if (network.id === `trust-${network.odsCode.toLowerCase()}`) {
    tags = spec.tagsFor(network.odsCode);
  } else if (network.id === 'national') {
    tags = spec.tagsFor();
  } else {
    tags = NhsTags.tags({
      backbone: spec.name,
      odsCode: network.odsCode,
      icb: network.odsCode,
      environment: spec.environment,
      dataClassification: spec.dataClassification,
      owner: spec.owner,
      costCentre: spec.costCentre,
    });
  }
  return { ...tags, 'imaging-network': network.id };
}

/** ZRS where the region has availability zones, LRS in ukwest (no zones). @internal */
export function replicationFor(region: string): string {
  return ['ukwest', 'francesouth', 'germanynorth', 'norwaywest'].includes(region) ? 'LRS' : 'ZRS';
}

/** Options of a private endpoint. @internal */
export interface EndpointOptions {
  readonly name: string;
  readonly resourceGroupName: string;
  readonly location: string;
  readonly subnetId: string;
  readonly resourceId: string;
  readonly subresource: string;
  readonly zoneIds: string[];
  readonly tags: { [key: string]: string };
}

/** A private endpoint registered in the hub's Private Link zones. @internal */
export function privateEndpoint(scope: Construct, id: string, o: EndpointOptions): PrivateEndpoint {
  return new PrivateEndpoint(scope, id, {
    name: `${o.name}-pe`,
    resourceGroupName: o.resourceGroupName,
    location: o.location,
    subnetId: o.subnetId,
    customNetworkInterfaceName: `${o.name}-pe-nic`,
    privateServiceConnection: {
      name: `${o.name}-psc`,
      privateConnectionResourceId: o.resourceId,
      subresourceNames: [o.subresource],
      isManualConnection: false,
    },
    privateDnsZoneGroup: { name: o.subresource, privateDnsZoneIds: o.zoneIds },
    tags: o.tags,
  });
}

/** A diagnostic setting to the central Log Analytics workspace (resource-specific tables). @internal */
export function diagnostics(
  scope: Construct, id: string, targetResourceId: string, workspaceId: string,
  logs: { category?: string; categoryGroup?: string }[], metrics: boolean,
): MonitorDiagnosticSetting {
  return new MonitorDiagnosticSetting(scope, id, {
    name: 'to-central-log-analytics',
    targetResourceId,
    logAnalyticsWorkspaceId: workspaceId,
    logAnalyticsDestinationType: 'Dedicated',
    enabledLog: logs,
    enabledMetric: metrics ? [{ category: 'AllMetrics' }] : undefined,
  });
}

const GATEWAY_IDENTITY = Symbol.for('nhs-backbone.azure.DimseGatewayIdentity');

/** Marks the identity of a trust's DIMSE gateway (not an app, but a backbone workload identity). @internal */
export function markGatewayIdentity(x: object): void {
  Object.defineProperty(x, GATEWAY_IDENTITY, { value: true });
}

/** True for a DIMSE gateway's identity. @internal */
export function isGatewayIdentity(x: unknown): boolean {
  return typeof x === 'object' && x !== null && (x as any)[GATEWAY_IDENTITY] === true;
}
