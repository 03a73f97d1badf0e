import { ApplicationGateway } from '@cdktf/provider-azurerm/lib/application-gateway';
import { MonitorDiagnosticSetting } from '@cdktf/provider-azurerm/lib/monitor-diagnostic-setting';
import { NetworkSecurityGroup } from '@cdktf/provider-azurerm/lib/network-security-group';
import { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import { Subnet } from '@cdktf/provider-azurerm/lib/subnet';
import { SubnetRouteTableAssociation } from '@cdktf/provider-azurerm/lib/subnet-route-table-association';
import { UserAssignedIdentity } from '@cdktf/provider-azurerm/lib/user-assigned-identity';
import { Token } from 'cdktf';
import { Construct } from 'constructs';
import { Cidr } from '../../core/cidr';
import { BackboneError } from '../../core/errors';
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
