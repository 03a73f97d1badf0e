import { IResolvable, Lazy, Stack, Token, aws_networkfirewall as nfw } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { DEFAULT_TARGET_PORT, HSCN_CLIENT_RANGES, checkPort, edgeSubnetCidrs, ingressOf } from './internal';
import { AddressPlan, MAX_APPS, TrustSubnet } from '../../core/address-plan';
import { BackboneSpec } from '../../core/backbone-spec';
import { Cidr } from '../../core/cidr';
import { BackboneError } from '../../core/errors';
import { AppIngress } from '../../core/spec';

/** Props of the hub firewall's app ingress rules. */
export interface AppIngressFirewallRulesProps {
  /** The validated backbone spec: its apps' ingress. */
  readonly spec: BackboneSpec;
  /** The backbone's address plan. */
  readonly addressPlan: AddressPlan;
  /**
   * The target port of each internet app, by app name (as given to its InternetAppEdge).
   * @default - 8443 for every app
   */
  readonly targetPorts?: { [appName: string]: number };
}

/**
 * The hub firewall's rules for declared app ingress, in the hub stack: one
 * stateful rule group (strict order) the firewall policy must reference at
 * priority 120 (after the shared-app rules at 100, before DIMSE at 150), with
 * `addTo(policy)` or in the policy's own list. Without it the policy's
 * default drop stops every flow below. The rules are read at synthesis, so
 * apps added to the spec later (spec.addApp) are covered, as long as the
 * group exists (it is made when an app with HSCN or internet ingress exists).
 *
 * - HSCN ingress: per trust with an `hscn` app, 443 from the HSCN range
 *   (10.0.0.0/8) minus the backbone's own pool (so no other trust or the hub
 *   gets in this way) to the trust's WORKLOAD block, where the internal load
 *   balancers live. The load balancers' security groups narrow it per app.
 * - Internet ingress: per `internet` app, its target port from the public edge
 *   subnets (AppEdgeNetwork) to the app's /27 in each trust it serves, and
 *   nowhere else.
 */
export class AppIngressFirewallRules extends Construct {
  /** The rule group's priority in the firewall policy's strict order. */
  public static readonly PRIORITY = 120;

  /** The rule group; undefined when no app had HSCN or internet ingress when it was made. */
  public readonly ruleGroup?: nfw.CfnRuleGroup;
  private readonly spec: BackboneSpec;
  private readonly plan: AddressPlan;
  private readonly ports: { [appName: string]: number };

  constructor(scope: Construct, id: string, props: AppIngressFirewallRulesProps) {
    super(scope, id);
    const { spec, addressPlan: plan } = props;
    this.spec = spec;
    this.plan = plan;
    this.ports = { ...(props.targetPorts ?? {}) };
    for (const name of Object.keys(this.ports)) {
      this.checkInternetApp(name, `targetPorts.${name}`);
      checkPort(this.ports[name], `targetPorts.${name}`);
    }
    if (this.build().rules.length === 0) return;

    // The rules are read at synthesis, so apps added to the spec after this
    // construct (spec.addApp) are passed too. The capacity is fixed (a rule
    // group's capacity cannot change after it is made): room for every trust
    // and every app slot.
    this.ruleGroup = new nfw.CfnRuleGroup(this, 'Resource', {
      ruleGroupName: spec.naming.hub('fw-app-ingress'),
      type: 'STATEFUL',
      capacity: Math.max(100, 2 * (spec.trusts.length + MAX_APPS)),
      description: 'Pass declared app ingress: HTTPS from the HSCN to the trusts\' internal app load balancers, and from the public edge to internet apps\' subnets',
      ruleGroup: {
        ruleVariables: { ipSets: Lazy.any({ produce: () => this.build().ipSets }) },
        rulesSource: { rulesString: Lazy.string({ produce: () => this.build().rules.join('\n') }) },
        statefulRuleOptions: { ruleOrder: 'STRICT_ORDER' },
      },
    });
  }

  /**
   * Sets an internet app's target port (as given to its InternetAppEdge), for
   * apps added after this construct was made.
   */
  public setTargetPort(appName: string, port: number): void {
    this.checkInternetApp(appName, 'appName');
    this.ports[appName] = checkPort(port, 'port');
  }

  /** The rules (Suricata) as they stand: one per trust with HSCN apps and one per internet app. */
  public get rules(): string[] {
    return this.build().rules;
  }

  private checkInternetApp(name: string, path: string): void {
    const app = this.spec.apps.find((a) => a.name === name);
    if (!app || ingressOf(app) !== AppIngress.INTERNET) {
      throw BackboneError.of(path, `"${name}" is not an app with internet ingress (one of: ${this.spec.apps.filter((a) => ingressOf(a) === AppIngress.INTERNET).map((a) => a.name).join(', ') || 'none'})`);
    }
  }

  private build(): { rules: string[]; ipSets: { [name: string]: { definition: string[] } } } {
    const { spec, plan, ports } = this;
    const pool = Cidr.parse(plan.addressPool);
    const ipSets: { [name: string]: { definition: string[] } } = {};
    const rules: string[] = [];

    // HSCN -> the trust's internal load balancers (443), never from the backbone's own pool.
    const sources = HSCN_CLIENT_RANGES.map((c) => Cidr.parse(c));
    const minusPool = sources.some((s) => s.overlaps(pool)) ? [`!${pool}`] : [];
    const from = `[${[...sources.map(String), ...minusPool].join(',')}]`;
    for (const trust of spec.trusts) {
      const hscnApps = spec.appsServing(trust.odsCode).filter((a) => ingressOf(a) === AppIngress.HSCN);
      if (hscnApps.length === 0) continue;
      const v = `LB_${trust.odsCode}`;
      ipSets[v] = { definition: [plan.trustSubnet(trust.odsCode, TrustSubnet.WORKLOAD)] };
      rules.push(`pass tcp ${from} any -> $${v} 443 (msg:"HSCN to the app load balancers of trust ${trust.odsCode} (${hscnApps.map((a) => a.name).join(', ')})"; sid:${3_000_000 + plan.trustSlot(trust.odsCode)}; rev:1;)`);
    }

    // The public edge -> each internet app's subnets, on its target port.
    const edge = `[${edgeSubnetCidrs(plan).join(',')}]`;
    for (const app of spec.apps.filter((a) => ingressOf(a) === AppIngress.INTERNET)) {
      const slot = plan.lock.apps[app.name];
      if (slot === undefined) throw BackboneError.of('addressPlan', `has no slot for app "${app.name}": allocate one (AddressPlan.allocateApp)`);
      const v = `EDGE_TO_${app.name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
      ipSets[v] = { definition: (app.trusts ?? []).map((ods) => plan.appSubnet(ods, app.name)) };
      const port = ports[app.name] ?? DEFAULT_TARGET_PORT;
      rules.push(`pass tcp ${edge} any -> $${v} ${port} (msg:"internet edge of app ${app.name} to its targets"; sid:${3_100_000 + slot}; rev:1;)`);
    }
    return { rules, ipSets };
  }

  /**
   * Adds the rule group to a firewall policy (in the same stack) at
   * `PRIORITY`, keeping the policy's other references. Does nothing when
   * there is no rule group.
   */
  public addTo(policy: nfw.CfnFirewallPolicy): void {
    if (!this.ruleGroup) return;
    if (Stack.of(policy) !== Stack.of(this)) {
      throw BackboneError.of('policy', `is in stack ${Stack.of(policy).stackName}, not ${Stack.of(this).stackName}: add the rules to the hub's policy`);
    }
    const current = policy.firewallPolicy as nfw.CfnFirewallPolicy.FirewallPolicyProperty | IResolvable;
    if (Token.isUnresolved(current) || !('statelessDefaultActions' in (current as object))) {
      throw BackboneError.of('policy', 'has a firewall policy given as a token: add the rule group reference to its statefulRuleGroupReferences instead');
    }
    const fp = current as nfw.CfnFirewallPolicy.FirewallPolicyProperty;
    const refs = (fp.statefulRuleGroupReferences ?? []) as nfw.CfnFirewallPolicy.StatefulRuleGroupReferenceProperty[];
    if (refs.some((r) => r.priority === AppIngressFirewallRules.PRIORITY)) {
      throw BackboneError.of('policy', `already has a rule group at priority ${AppIngressFirewallRules.PRIORITY}`);
    }
    policy.firewallPolicy = {
      ...fp,
      statefulRuleGroupReferences: [...refs, { resourceArn: this.ruleGroup.attrRuleGroupArn, priority: AppIngressFirewallRules.PRIORITY }]
        .sort((a, b) => (a.priority ?? 0) - (b.priority ?? 0)),
    };
  }
}
