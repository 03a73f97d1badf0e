import { ComputeNetworkFirewallPolicy } from '@cdktf/provider-google/lib/compute-network-firewall-policy';
import { ComputeNetworkFirewallPolicyAssociation } from '@cdktf/provider-google/lib/compute-network-firewall-policy-association';
import { ComputeNetworkFirewallPolicyRule } from '@cdktf/provider-google/lib/compute-network-firewall-policy-rule';
import { Annotations } from 'cdktf';
import { Construct } from 'constructs';

/**
 * A global network firewall policy associated with one VPC network, with the
 * backbone's baseline: explicit, logged deny of all ingress and of all egress
 * at the bottom, and allow rules added above it. A network firewall policy
 * can only be associated with networks of its own project, so the hub and
 * every trust get their own policy (each in its own stack).
 * @internal
 */

/** Priority of the explicit deny of all ingress (logged). */
export const DENY_INGRESS_PRIORITY = 65000;
/** Priority of the explicit deny of all other egress (logged). */
export const DENY_EGRESS_PRIORITY = 65001;

export interface PolicyRule {
  readonly id: string;
  readonly priority: number;
  readonly direction: 'INGRESS' | 'EGRESS';
  readonly action: 'allow' | 'deny';
  readonly description: string;
  readonly srcIpRanges?: string[];
  readonly destIpRanges?: string[];
  readonly destFqdns?: string[];
  /** e.g. [['tcp', ['443']]]; default all protocols. */
  readonly l4?: Array<[string, string[]?]>;
}

export interface BaselinePolicyProps {
  readonly name: string;
  readonly projectId: string;
  /** The network's id (a token of the network in the same stack). */
  readonly networkId: string;
  readonly description: string;
}

export class BaselinePolicy extends Construct {
  public readonly policy: ComputeNetworkFirewallPolicy;
  private readonly projectId: string;

  constructor(scope: Construct, id: string, props: BaselinePolicyProps) {
    super(scope, id);
    this.projectId = props.projectId;
    this.policy = new ComputeNetworkFirewallPolicy(this, 'Resource', {
      name: props.name,
      project: props.projectId,
      description: props.description,
    });
    new ComputeNetworkFirewallPolicyAssociation(this, 'Association', {
      name: props.name,
      project: props.projectId,
      firewallPolicy: this.policy.name,
      attachmentTarget: props.networkId,
    });
    this.addRule({
      id: 'deny-all-ingress',
      priority: DENY_INGRESS_PRIORITY,
      direction: 'INGRESS',
      action: 'deny',
      description: 'Backbone baseline: deny all ingress not allowed above (logged)',
      srcIpRanges: ['0.0.0.0/0'],
    });
    this.addRule({
      id: 'deny-all-egress',
      priority: DENY_EGRESS_PRIORITY,
      direction: 'EGRESS',
      action: 'deny',
      description: 'Backbone baseline: deny all egress not allowed above (logged)',
      destIpRanges: ['0.0.0.0/0'],
    });
  }

  public addRule(r: PolicyRule): ComputeNetworkFirewallPolicyRule {
    return new ComputeNetworkFirewallPolicyRule(this, r.id, {
      project: this.projectId,
      firewallPolicy: this.policy.name,
      ruleName: r.id,
      description: r.description,
      priority: r.priority,
      direction: r.direction,
      action: r.action,
      enableLogging: true,
      match: {
        srcIpRanges: r.srcIpRanges,
        destIpRanges: r.destIpRanges,
        destFqdns: r.destFqdns,
        layer4Configs: (r.l4 ?? [['all']]).map(([ipProtocol, ports]) => ({ ipProtocol, ports })),
      },
    });
  }
}

/**
 * Splits the egress allow list into names a Cloud NGFW FQDN object can hold
 * and wildcard entries it cannot (FQDN objects take exact names only).
 */
export function splitAllowList(list: string[]): { readonly exact: string[]; readonly wildcard: string[] } {
  return {
    exact: list.filter((d) => !d.startsWith('*.')),
    wildcard: list.filter((d) => d.startsWith('*.')),
  };
}

/**
 * The egress allow list as FQDN objects (TLS on 443). FQDN objects take exact
 * names only, so wildcard entries (`*.nhs.uk`) stay denied and a warning says
 * they need a proxy (Secure Web Proxy) to be allowed.
 */
export function addEgressAllowList(fw: BaselinePolicy, egressAllowList: string[], scope: Construct, warn = true): void {
  const { exact, wildcard } = splitAllowList(egressAllowList);
  if (exact.length > 0) {
    fw.addRule({
      id: 'allow-egress-allow-list',
      priority: 1100,
      direction: 'EGRESS',
      action: 'allow',
      description: 'network.egressAllowList (exact names, TLS); every other internet destination is denied',
      destFqdns: exact,
      l4: [['tcp', ['443']]],
    });
  }
  if (warn && wildcard.length > 0) {
    Annotations.of(scope).addWarning(
      `network.egressAllowList: ${wildcard.join(', ')} stay denied on Google Cloud: firewall FQDN objects take exact names only; allow them through a Secure Web Proxy or list the exact names`,
    );
  }
}
