import { aws_networkfirewall as nfw } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { AddressPlan, TrustSubnet } from '../../core/address-plan';
import { BackboneSpec } from '../../core/backbone-spec';

/** Props of the firewall policy. @internal */
export interface FirewallPolicyProps {
  readonly spec: BackboneSpec;
  readonly addressPlan: AddressPlan;
}

/** Priorities of the stateful rule groups (strict order: lowest first). @internal */
export const RULE_PRIORITY = { APPS: 100, DIMSE: 150, HANDSHAKE: 200, EGRESS_ALLOW_LIST: 300 };

/** Suricata rule variable name of an app (letters, digits, '_'). @internal */
export function appVariable(app: string): string {
  return `APP_${app.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}

/**
 * The inspection firewall's policy: stateful, strict rule order, default
 * action drop (aws:drop_strict) with alerts (aws:alert_strict). Passed, in
 * order:
 *  1. traffic between the app subnets of trusts that share an app (one rule per
 *     app that serves two trusts or more): everything else between spokes is
 *     dropped;
 *  1b. DIMSE from each trust's modalities (`imaging.modalities`, /32 each) to
 *     the trust's IMAGING subnets on the gateway port, the only inbound from
 *     the HSCN (one rule per trust with modalities);
 *  2. the TCP handshake from the backbone to the internet on ports 80/443, so
 *     that the allow list can see the TLS server name or HTTP host (with
 *     drop_strict a SYN would otherwise be dropped before any name is seen);
 *  3. the egress allow list (TLS SNI and HTTP Host, ALLOWLIST): every other
 *     host is denied.
 * @internal
 */
export function buildFirewallPolicy(scope: Construct, id: string, props: FirewallPolicyProps): nfw.CfnFirewallPolicy {
  const { spec, addressPlan: plan } = props;
  const homeNet = { ipSets: { HOME_NET: { definition: [plan.addressPool] } } };
  const allowList = spec.network.egressAllowList ?? [];
  const refs: nfw.CfnFirewallPolicy.StatefulRuleGroupReferenceProperty[] = [];

  const shared = spec.apps.filter((a) => (a.trusts ?? []).length >= 2);
  if (shared.length > 0) {
    const ipSets: Record<string, { definition: string[] }> = { HOME_NET: { definition: [plan.addressPool] } };
    const rules: string[] = [];
    for (const app of shared) {
      const v = appVariable(app.name);
      ipSets[v] = { definition: (app.trusts ?? []).map((ods) => plan.appSubnet(ods, app.name)) };
      const sid = 1_000_000 + plan.lock.apps[app.name];
      rules.push(`pass ip $${v} any -> $${v} any (msg:"app ${app.name} serves these trusts"; sid:${sid}; rev:1;)`);
    }
    const group = new nfw.CfnRuleGroup(scope, `${id}Apps`, {
      ruleGroupName: spec.naming.hub('fw-apps'),
      type: 'STATEFUL',
      capacity: Math.max(10, shared.length * 2),
      description: 'Pass traffic between the app subnets of trusts that share an app; other spoke-to-spoke traffic is dropped',
      ruleGroup: {
        ruleVariables: { ipSets },
        rulesSource: { rulesString: rules.join('\n') },
        statefulRuleOptions: { ruleOrder: 'STRICT_ORDER' },
      },
    });
    refs.push({ resourceArn: group.attrRuleGroupArn, priority: RULE_PRIORITY.APPS });
  }

  const withModalities = spec.trusts.map((t) => t.odsCode).filter((ods) => spec.modalitiesOf(ods).length > 0);
  if (withModalities.length > 0) {
    const port = spec.imaging.gateway?.port ?? 11112;
    const ipSets: Record<string, { definition: string[] }> = { HOME_NET: { definition: [plan.addressPool] } };
    const rules: string[] = [];
    for (const ods of withModalities) {
      const [from, to] = [`MODALITIES_${ods}`, `DIMSE_GATEWAY_${ods}`];
      ipSets[from] = { definition: spec.modalitiesOf(ods).map((m) => `${m.host}/32`) };
      ipSets[to] = { definition: [plan.trustSubnet(ods, TrustSubnet.IMAGING)] };
      const sid = 2_000_000 + plan.trustSlot(ods);
      rules.push(`pass tcp $${from} any -> $${to} ${port} (msg:"DIMSE from the modalities of trust ${ods} to its gateway"; sid:${sid}; rev:1;)`);
    }
    const group = new nfw.CfnRuleGroup(scope, `${id}Dimse`, {
      ruleGroupName: spec.naming.hub('fw-dimse'),
      type: 'STATEFUL',
      capacity: Math.max(10, withModalities.length * 2),
      description: 'Pass DICOM (DIMSE) from each trust\'s modalities to its gateway\'s subnets on the gateway port; other inbound from the HSCN is dropped',
      ruleGroup: {
        ruleVariables: { ipSets },
        rulesSource: { rulesString: rules.join('\n') },
        statefulRuleOptions: { ruleOrder: 'STRICT_ORDER' },
      },
    });
    refs.push({ resourceArn: group.attrRuleGroupArn, priority: RULE_PRIORITY.DIMSE });
  }

  if (allowList.length > 0) {
    const handshake = new nfw.CfnRuleGroup(scope, `${id}Handshake`, {
      ruleGroupName: spec.naming.hub('fw-handshake'),
      type: 'STATEFUL',
      capacity: 10,
      description: 'Let the TCP handshake to the internet through so that the allow list can read the server name',
      ruleGroup: {
        ruleVariables: homeNet,
        rulesSource: {
          rulesString: 'pass tcp $HOME_NET any -> $EXTERNAL_NET [80,443] (flow:not_established,to_server; msg:"TCP handshake for the egress allow list"; sid:900001; rev:1;)',
        },
        statefulRuleOptions: { ruleOrder: 'STRICT_ORDER' },
      },
    });
    refs.push({ resourceArn: handshake.attrRuleGroupArn, priority: RULE_PRIORITY.HANDSHAKE });
    const allow = new nfw.CfnRuleGroup(scope, `${id}EgressAllowList`, {
      ruleGroupName: spec.naming.hub('fw-egress-allow'),
      type: 'STATEFUL',
      capacity: Math.max(10, allowList.length * 4),
      description: 'Internet egress allow list (network.egressAllowList); every other host is denied',
      ruleGroup: {
        ruleVariables: homeNet,
        rulesSource: {
          rulesSourceList: {
            // "*.nhs.uk" in the spec is ".nhs.uk" (the domain and its subdomains) in Network Firewall.
            targets: allowList.map((d) => (d.startsWith('*.') ? d.slice(1) : d)),
            targetTypes: ['TLS_SNI', 'HTTP_HOST'],
            generatedRulesType: 'ALLOWLIST',
          },
        },
        statefulRuleOptions: { ruleOrder: 'STRICT_ORDER' },
      },
    });
    refs.push({ resourceArn: allow.attrRuleGroupArn, priority: RULE_PRIORITY.EGRESS_ALLOW_LIST });
  }

  return new nfw.CfnFirewallPolicy(scope, id, {
    firewallPolicyName: spec.naming.hub('fw-policy'),
    description: 'Stateful, strict order, default drop: spokes apart, egress by allow list only, HSCN inbound denied',
    firewallPolicy: {
      statelessDefaultActions: ['aws:forward_to_sfe'],
      statelessFragmentDefaultActions: ['aws:forward_to_sfe'],
      statefulEngineOptions: { ruleOrder: 'STRICT_ORDER' },
      statefulDefaultActions: ['aws:drop_strict', 'aws:alert_strict'],
      statefulRuleGroupReferences: refs,
      policyVariables: { ruleVariables: homeNet.ipSets },
    },
  });
}
