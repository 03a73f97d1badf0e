import { ApplicationGateway } from '@cdktf/provider-azurerm/lib/application-gateway';
import { MonitorDiagnosticSetting } from '@cdktf/provider-azurerm/lib/monitor-diagnostic-setting';
import { NetworkSecurityGroup } from '@cdktf/provider-azurerm/lib/network-security-group';
import { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import { Subnet } from '@cdktf/provider-azurerm/lib/subnet';
import { SubnetRouteTableAssociation } from '@cdktf/provider-azurerm/lib/subnet-route-table-association';
import { UserAssignedIdentity } from '@cdktf/provider-azurerm/lib/user-assigned-identity';
import { Token } from 'cdktf';
import { Construct } from 'constructs';
import { AddressPlan, HubSubnet } from '../../core/address-plan';
import { ingressOf } from '../../core/app-contract';
import { BackboneSpec } from '../../core/backbone-spec';
import { Cidr } from '../../core/cidr';
import { BackboneError } from '../../core/errors';
import { AppIngress } from '../../core/spec';
import { AzureBuiltInRole } from '../identity/roles';
import { denyByDefaultNsg, InboundAllow } from '../network/nsg';
export { findApp, ingressOf, requireServes } from '../../core/app-contract';

/** The only predefined TLS policy accepted (TLS 1.2+ with the strong cipher list). @internal */
export const TLS_POLICIES = ['AppGwSslPolicy20220101S'];

/** The ports Application Gateway v2's infrastructure must be reached on from GatewayManager. @internal */
export const GATEWAY_MANAGER_PORTS = '65200-65535';

/** Throws a BackboneError naming the prop unless it is a non-empty string. @internal */
export function requireText(prop: string, value: unknown, what: string): string {
  if (typeof value !== 'string' || value.trim() === '') throw BackboneError.of(prop, `is required (${what})`);
  return value;
}

const SECRET_ID = /^https:\/\/([a-z0-9-]{3,24})\.vault\.azure\.net\/secrets\/([A-Za-z0-9-]{1,127})\/?$/;

/**
 * Checks a Key Vault secret id (versionless, so renewals are picked up) and
 * returns the secret's name (undefined when the id is a token). @internal
 */
export function checkSecretId(prop: string, value: unknown): string | undefined {
  const s = requireText(prop, value, 'the versionless Key Vault secret id of the TLS certificate, https://<vault>.vault.azure.net/secrets/<name>');
  if (Token.isUnresolved(s)) return undefined;
  const m = SECRET_ID.exec(s);
  if (!m) {
    throw BackboneError.of(prop, `${JSON.stringify(s)} is not a versionless Key Vault secret id (https://<vault>.vault.azure.net/secrets/<name>; no version, so the gateway follows renewals)`);
  }
  return m[2];
}

/** Checks a TLS policy name. @internal */
export function checkTlsPolicy(prop: string, value: string | undefined): string {
  const name = value ?? TLS_POLICIES[0];
  if (!TLS_POLICIES.includes(name)) {
    throw BackboneError.of(prop, `${JSON.stringify(name)} is not allowed (${TLS_POLICIES.join(', ')}: TLS 1.2 or later with strong ciphers only)`);
  }
  return name;
}

/** Checks backend addresses: each an IPv4 address inside `cidr`. @internal */
export function checkAddressesIn(prop: string, addresses: string[] | undefined, cidr: string, what: string): string[] {
  const block = Cidr.parse(cidr);
  return (addresses ?? []).map((a, i) => {
    const one = typeof a === 'string' ? Cidr.tryParse(`${a}/32`) : undefined;
    if (!one || !block.contains(one)) throw BackboneError.of(`${prop}[${i}]`, `${JSON.stringify(a)} is not an address in ${what} ${cidr}`);
    return a;
  });
}

/** Props of a dedicated Application Gateway subnet. @internal */
export interface GatewaySubnetOptions {
  readonly name: string;
  readonly nsgName: string;
  readonly cidr: string;
  readonly resourceGroupName: string;
  readonly virtualNetworkName: string;
  readonly location: string;
  readonly tags: { [key: string]: string };
  /** Where clients come from, on 443. */
  readonly clientSources: string[];
  readonly routeTableId?: string;
}

/**
 * A subnet for Application Gateways only (v2 needs one of its own), with a
 * deny-by-default NSG: HTTPS 443 from the clients only, the v2 control plane
 * (GatewayManager on 65200-65535) and Azure Load Balancer health probes, as
 * Application Gateway v2 requires. @internal
 */
export function gatewaySubnet(scope: Construct, id: string, o: GatewaySubnetOptions): { subnet: Subnet; nsg: NetworkSecurityGroup } {
  const subnet = new Subnet(scope, id, {
    name: o.name,
    resourceGroupName: o.resourceGroupName,
    virtualNetworkName: o.virtualNetworkName,
    addressPrefixes: [o.cidr],
    defaultOutboundAccessEnabled: false,
  });
  if (o.routeTableId) new SubnetRouteTableAssociation(scope, `${id}RouteTable`, { subnetId: subnet.id, routeTableId: o.routeTableId });
  const allows: InboundAllow[] = [
    { name: 'allow-clients-https', sources: o.clientSources, protocol: 'Tcp', ports: ['443'] },
    { name: 'allow-gateway-manager', sources: ['GatewayManager'], protocol: 'Tcp', ports: [GATEWAY_MANAGER_PORTS] },
    { name: 'allow-load-balancer-probes', sources: ['AzureLoadBalancer'], protocol: '*', ports: ['*'] },
  ];
  const nsg = denyByDefaultNsg(scope, `${id}Nsg`, {
    name: o.nsgName, resourceGroupName: o.resourceGroupName, location: o.location, tags: o.tags, subnetId: subnet.id, allows,
  });
  return { subnet, nsg };
}

/** One backend of a gateway: a pool of addresses, optionally behind a host name. @internal */
export interface GatewayBackend {
  /** Pool / listener suffix (an ODS code, or 'app'). */
  readonly key: string;
  readonly addresses: string[];
  /** Host name of the listener (multi-site); undefined for a basic listener. */
  readonly hostName?: string;
}

/** What a gateway is built from. @internal */
export interface GatewayOptions {
  readonly name: string;
  readonly identityName: string;
  readonly resourceGroupName: string;
  readonly location: string;
  readonly tags: { [key: string]: string };
  readonly subnetId: string;
  readonly sku: 'Standard_v2' | 'WAF_v2';
  readonly privateIp?: string;
  readonly publicIpId?: string;
  readonly firewallPolicyId?: string;
  readonly certificateSecretId: string;
  readonly certificateSecretName?: string;
  readonly keyVaultId: string;
  readonly tlsPolicy: string;
  readonly targetPort: number;
  readonly backendHostName?: string;
  readonly backends: GatewayBackend[];
  readonly minCapacity: number;
  readonly maxCapacity: number;
  readonly logAnalyticsWorkspaceId: string;
  readonly logStorageAccountId?: string;
  readonly what: string;
}

/**
 * An Application Gateway v2, HTTPS 443 only (no port 80 listener), certificate
 * from Key Vault through a user-assigned identity holding Key Vault Secrets
 * User on that one secret, a predefined TLS policy, HTTPS to the backends, and
 * every log and metric to the central log store. @internal
 */
export function applicationGateway(scope: Construct, o: GatewayOptions): { gateway: ApplicationGateway; identity: UserAssignedIdentity } {
  const identity = new UserAssignedIdentity(scope, 'GatewayIdentity', {
    name: o.identityName, resourceGroupName: o.resourceGroupName, location: o.location, tags: o.tags,
  });
  const secretScope = o.certificateSecretName ? `${o.keyVaultId}/secrets/${o.certificateSecretName}` : o.keyVaultId;
  const secretAccess = new RoleAssignment(scope, 'CertificateAccess', {
    scope: secretScope,
    roleDefinitionName: AzureBuiltInRole.KEY_VAULT_SECRETS_USER.roleName,
    principalId: identity.principalId,
    principalType: 'ServicePrincipal',
    description: `TLS certificate of ${o.what}, granted by nhs-backbone`,
  });
  const frontend = o.publicIpId ? 'public' : 'private';
  const multi = o.backends.some((b) => b.hostName !== undefined);
  const gateway = new ApplicationGateway(scope, 'Gateway', {
    name: o.name,
    resourceGroupName: o.resourceGroupName,
    location: o.location,
    tags: o.tags,
    zones: ['1', '2', '3'],
    sku: { name: o.sku, tier: o.sku },
    autoscaleConfiguration: { minCapacity: o.minCapacity, maxCapacity: o.maxCapacity },
    enableHttp2: true,
    firewallPolicyId: o.firewallPolicyId,
    forceFirewallPolicyAssociation: o.firewallPolicyId ? true : undefined,
    identity: { type: 'UserAssigned', identityIds: [identity.id] },
    gatewayIpConfiguration: [{ name: 'gateway', subnetId: o.subnetId }],
    frontendIpConfiguration: o.publicIpId
      ? [{ name: frontend, publicIpAddressId: o.publicIpId }]
      : [{ name: frontend, subnetId: o.subnetId, privateIpAddressAllocation: 'Static', privateIpAddress: o.privateIp }],
    frontendPort: [{ name: 'https', port: 443 }],
    sslCertificate: [{ name: 'tls', keyVaultSecretId: o.certificateSecretId }],
    sslPolicy: { policyType: 'Predefined', policyName: o.tlsPolicy },
    backendAddressPool: o.backends.map((b) => ({ name: `pool-${b.key}`, ipAddresses: b.addresses })),
    backendHttpSettings: [{
      name: 'https',
      protocol: 'Https',
      port: o.targetPort,
      cookieBasedAffinity: 'Disabled',
      requestTimeout: 60,
      hostName: o.backendHostName,
      pickHostNameFromBackendAddress: false,
    }],
    httpListener: o.backends.map((b) => ({
      name: `https-${b.key}`,
      frontendIpConfigurationName: frontend,
      frontendPortName: 'https',
      protocol: 'Https',
      sslCertificateName: 'tls',
      hostName: b.hostName,
      requireSni: multi,
    })),
    requestRoutingRule: o.backends.map((b, i) => ({
      name: `to-${b.key}`,
      ruleType: 'Basic',
      priority: 100 + i * 10,
      httpListenerName: `https-${b.key}`,
      backendAddressPoolName: `pool-${b.key}`,
      backendHttpSettingsName: 'https',
    })),
    dependsOn: [secretAccess],
  });
  new MonitorDiagnosticSetting(scope, 'Diagnostics', {
    name: 'to-central-log-store',
    targetResourceId: gateway.id,
    logAnalyticsWorkspaceId: o.logAnalyticsWorkspaceId,
    logAnalyticsDestinationType: 'Dedicated',
    storageAccountId: o.logStorageAccountId,
    enabledLog: [{ categoryGroup: 'allLogs' }],
    enabledMetric: [{ category: 'AllMetrics' }],
  });
  return { gateway, identity };
}

/** How many /26 edge subnets the hub's EGRESS /24 holds by default. @internal */
export const EDGES_IN_EGRESS = 4;

/** The hub subnets an edge subnet must stay out of (EGRESS is unused on Azure and holds the default edges). */
const HUB_SUBNETS_IN_USE = [HubSubnet.FIREWALL, HubSubnet.GATEWAY, HubSubnet.DNS, HubSubnet.ENDPOINTS, HubSubnet.MANAGEMENT, HubSubnet.SHARED];

/** Checks an edge subnet: a /27 or larger block of the hub block, outside the hub's own subnets. @internal */
export function checkEdgeSubnet(prop: string, cidr: string, plan: AddressPlan): Cidr {
  const c = Cidr.tryParse(cidr);
  if (!c || c.toString() !== cidr || !Cidr.parse(plan.hubBlock).contains(c) || c.prefix > 27) {
    throw BackboneError.of(prop, `${JSON.stringify(cidr)} is not a /27 or larger block (written as its network address) inside the hub block ${plan.hubBlock}`);
  }
  for (const h of HUB_SUBNETS_IN_USE) {
    if (c.overlaps(Cidr.parse(plan.hubSubnet(h)))) throw BackboneError.of(prop, `${cidr} overlaps the hub's ${h} subnet ${plan.hubSubnet(h)}: give a block of the hub block outside it`);
  }
  return c;
}

/** Free /23 blocks of the hub block (outside its subnets), for error messages. */
function freeHubBlocks(plan: AddressPlan): string | undefined {
  const hub = Cidr.parse(plan.hubBlock);
  const used = HUB_SUBNETS_IN_USE.map((h) => Cidr.parse(plan.hubSubnet(h)));
  const free: string[] = [];
  for (let i = 0; i < 2 ** (23 - hub.prefix) && free.length < 2; i++) {
    const b = hub.subnet(23, i);
    if (!used.some((u) => u.overlaps(b)) && !b.overlaps(Cidr.parse(plan.hubSubnet(HubSubnet.EGRESS)))) free.push(b.toString());
  }
  return free.length ? free.join(', ') : undefined;
}

/**
 * The default edge subnet of an internet app: the /26 of the hub's EGRESS
 * /24 at the app's place among the spec's internet apps. Throws a
 * BackboneError naming `prop` for the fifth internet app and later. @internal
 */
export function defaultEdgeSubnet(prop: string, spec: BackboneSpec, plan: AddressPlan, appName: string): string {
  const internet = spec.apps.filter((a) => ingressOf(a) === AppIngress.INTERNET);
  const slot = internet.findIndex((a) => a.name === appName);
  if (slot >= EDGES_IN_EGRESS) {
    const free = freeHubBlocks(plan);
    throw BackboneError.of(prop, `is required: the hub's EGRESS /24 holds the edge subnets of the first ${EDGES_IN_EGRESS} internet apps only (${appName} is #${slot + 1}); give a free /26 of the hub block ${plan.hubBlock}, outside the hub's subnets and the other apps' edge subnets${free ? `, e.g. in ${free}` : ''}`);
  }
  return Cidr.parse(plan.hubSubnet(HubSubnet.EGRESS)).subnet(26, Math.max(0, slot)).toString();
}
