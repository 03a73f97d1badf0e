import { CfnResource, Lazy, Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { STACK_METADATA_KEY } from './template';
import { BackboneSpec } from '../../core/backbone-spec';
import { ACKNOWLEDGEMENTS_KEY, ComplianceAcknowledgement, NhsComplianceProfile } from '../../core/compliance';
import { BackboneError } from '../../core/errors';
import { AppIngress } from '../../core/spec';

/**
 * The NHS compliance profile on AWS: acknowledgements written into the
 * synthesised CloudFormation, and the stack record the rules read.
 *
 * An acknowledgement names one rule on one resource with a written reason. It
 * travels in the resource's CloudFormation `Metadata`
 * (`"nhs-backbone:acknowledgements": [{ "ruleId", "reason" }]`), so
 * `nhs-backbone check` on the output, and the NhsCompliancePlugin at synth
 * time, report the finding as acknowledged rather than failing.
 */
export class AwsCompliance {
  /**
   * Acknowledges a rule's finding on a resource. `construct` is the
   * CfnResource itself, or a construct whose default child (`Resource`, or
   * the default child of that, as for an L2 inside a backbone construct) is
   * one; a Stack takes the acknowledgement for findings about the stack as a
   * whole (its template's `Metadata`). Several acknowledgements on one
   * resource are kept in order; the same rule and reason twice is kept once.
   * Throws a BackboneError naming `ruleId` (not a rule of the profile),
   * `reason` (under 20 characters) or `construct` (no resource to carry it).
   */
  public static acknowledge(construct: IConstruct, ruleId: string, reason: string): void {
    const ack = NhsComplianceProfile.checkAcknowledgement({ ruleId, reason });
    if (Stack.isStack(construct)) {
      const metadata = { ...(construct.templateOptions.metadata ?? {}) };
      metadata[ACKNOWLEDGEMENTS_KEY] = merge(NhsComplianceProfile.acknowledgementsIn(metadata), ack);
      construct.templateOptions.metadata = metadata;
      return;
    }
    const resource = AwsCompliance.resourceOf(construct);
    const existing = NhsComplianceProfile.acknowledgementsIn({ [ACKNOWLEDGEMENTS_KEY]: resource.getMetadata(ACKNOWLEDGEMENTS_KEY) });
    resource.addMetadata(ACKNOWLEDGEMENTS_KEY, merge(existing, ack));
  }

  /** The acknowledgements made on a construct's resource (or stack) so far. */
  public static acknowledgementsOf(construct: IConstruct): ComplianceAcknowledgement[] {
    if (Stack.isStack(construct)) return NhsComplianceProfile.acknowledgementsIn(construct.templateOptions.metadata ?? {});
    const resource = AwsCompliance.resourceOf(construct);
    return NhsComplianceProfile.acknowledgementsIn({ [ACKNOWLEDGEMENTS_KEY]: resource.getMetadata(ACKNOWLEDGEMENTS_KEY) });
  }

  /**
   * Records in a stack's template what the rules cannot see in resources:
   * the backbone's name, its residency (NHS-RES-1's allowed regions) and the
   * apps declared with internet ingress (NHS-NET-1's allowed internet
   * edges), as the template's `Metadata["nhs-backbone"]`. The Backbone does
   * this for each of its stacks; call it on a stack of your own that the
   * check reads. A stack without the record is checked as residency `uk`
   * with no internet ingress.
   */
  public static recordStack(stack: Stack, spec: BackboneSpec): void {
    if (!Stack.isStack(stack)) throw BackboneError.of('stack', 'is not a Stack');
    stack.templateOptions.metadata = {
      ...(stack.templateOptions.metadata ?? {}),
      [STACK_METADATA_KEY]: {
        backbone: spec.name,
        residency: spec.residency,
        // Read at synthesis, so apps added to the spec afterwards (Backbone.addApp) are listed too.
        internetIngressApps: Lazy.list({ produce: () => spec.apps.filter((a) => a.ingress === AppIngress.INTERNET).map((a) => a.name).sort() }),
      },
    };
  }

  /** The CloudFormation resource an acknowledgement on `construct` lands on. */
  private static resourceOf(construct: IConstruct): CfnResource {
    let current: IConstruct | undefined = construct;
    for (let depth = 0; current && depth < 4; depth++) {
      if (CfnResource.isCfnResource(current)) return current;
      current = current.node?.defaultChild;
    }
    const path = construct?.node?.path;
    throw BackboneError.of('construct', `${path !== undefined ? `"${path}"` : String(construct)} is not a CloudFormation resource and has no default child "Resource" that is one: acknowledge the resource itself`);
  }

  private constructor() {}
}

function merge(existing: ComplianceAcknowledgement[], ack: ComplianceAcknowledgement): ComplianceAcknowledgement[] {
  const out = existing.map((a) => ({ ruleId: a.ruleId, reason: a.reason }));
  if (!out.some((a) => a.ruleId === ack.ruleId && a.reason === ack.reason)) out.push({ ruleId: ack.ruleId, reason: ack.reason });
  return out;
}
