import { TerraformResource, TerraformStack } from 'cdktf';
import { IConstruct } from 'constructs';
import { STACK_METADATA_KEY } from './tf-model';
import { BackboneSpec } from '../../core/backbone-spec';
import { ACKNOWLEDGEMENTS_KEY, ComplianceAcknowledgement, NhsComplianceProfile } from '../../core/compliance';
import { BackboneError } from '../../core/errors';
import { AppIngress } from '../../core/spec';

const RECORDED = new WeakMap<TerraformResource, ComplianceAcknowledgement[]>();

/**
 * The NHS compliance profile on Azure (cdktf): acknowledgements written into
 * the synthesised Terraform JSON, and the stack record the rules read.
 *
 * An acknowledgement names one rule on one resource with a written reason; it
 * travels in the resource's `"//"` object
 * (`"//": { "nhs-backbone:acknowledgements": [{ "ruleId", "reason" }] }`),
 * so `nhs-backbone check` on the output sees it and reports the finding as
 * acknowledged rather than failing.
 */
export class AzureCompliance {
  /**
   * Acknowledges a rule's finding on a resource: `construct` is the
   * TerraformResource itself or a construct whose default child (`Resource`)
   * is one. Several acknowledgements on one resource are kept in order; the
   * same rule and reason twice is kept once. Throws a BackboneError naming
   * `ruleId` (not a rule of the profile), `reason` (under 20 characters) or
   * `construct` (no Terraform resource to carry it).
   */
  public static acknowledge(construct: IConstruct, ruleId: string, reason: string): void {
    const ack = NhsComplianceProfile.checkAcknowledgement({ ruleId, reason });
    const resource = AzureCompliance.resourceOf(construct);
    const list = RECORDED.get(resource) ?? [];
    if (!list.some((a) => a.ruleId === ack.ruleId && a.reason === ack.reason)) list.push(ack);
    RECORDED.set(resource, list);
    resource.addOverride(`//.${ACKNOWLEDGEMENTS_KEY}`, list.map((a) => ({ ruleId: a.ruleId, reason: a.reason })));
  }

  /** The acknowledgements made on a construct's resource so far. */
  public static acknowledgementsOf(construct: IConstruct): ComplianceAcknowledgement[] {
    return (RECORDED.get(AzureCompliance.resourceOf(construct)) ?? []).map((a) => ({ ...a }));
  }

  /**
   * Records in a stack's output what the rules cannot see in resources: the
   * backbone's name, its residency (NHS-RES-1's allowed regions) and the apps
   * declared with internet ingress (NHS-NET-1's allowed internet edges), in
   * the stack's top-level `"//"."nhs-backbone"`. The Backbone does this for
   * each of its stacks; call it on a stack of your own that the check reads.
   * A stack without the record is checked as residency `uk` with no internet ingress.
   */
  public static recordStack(stack: TerraformStack, spec: BackboneSpec): void {
    if (!TerraformStack.isStack(stack)) throw BackboneError.of('stack', 'is not a TerraformStack');
    stack.addOverride(`//.${STACK_METADATA_KEY}`, {
      backbone: spec.name,
      residency: spec.residency,
      internetIngressApps: spec.apps.filter((a) => a.ingress === AppIngress.INTERNET).map((a) => a.name),
    });
  }

  private static resourceOf(construct: IConstruct): TerraformResource {
    if (TerraformResource.isTerraformResource(construct)) return construct;
    const child = construct?.node?.defaultChild;
    if (child && TerraformResource.isTerraformResource(child)) return child;
    const path = construct?.node?.path;
    throw BackboneError.of('construct', `${path ? `"${path}"` : String(construct)} is not a Terraform resource and has no default child "Resource" that is one: acknowledge the resource itself`);
  }

  private constructor() {}
}
