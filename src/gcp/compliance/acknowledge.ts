import { TerraformElement, TerraformProvider, TerraformResource } from 'cdktf';
import { IConstruct } from 'constructs';
import { ACKNOWLEDGEMENTS_KEY, ComplianceAcknowledgement, NhsComplianceProfile } from '../../core/compliance';
import { BackboneError } from '../../core/errors';

const RECORDED = Symbol.for('nhs-backbone.gcp.acknowledgements');

/**
 * Acknowledgements of NHS compliance profile findings on Google Cloud
 * resources. An acknowledgement names one rule and gives a written reason;
 * it is written into the resource's own `"//"` object in the Terraform JSON
 * (`"//": { "nhs-backbone:acknowledgements": [{ "ruleId": ..., "reason": ... }] }`),
 * so it travels with the synthesised output and `nhs-backbone check` sees it
 * wherever the output is checked. It turns that rule's finding on that
 * resource into an acknowledged one; it never hides it.
 */
export class GcpCompliance {
  /**
   * Acknowledges a rule on a resource, with the reason. `construct` may be
   * the Terraform resource itself (or a provider block, for stack-wide
   * findings) or a construct whose default child (`Resource`) is one, such
   * as `ClinicalStore` or `DicomStore`. Several rules may be acknowledged on
   * one resource; acknowledging the same rule and reason twice records it
   * once. Throws a BackboneError naming `ruleId`, `reason` or `construct`.
   */
  public static acknowledge(construct: IConstruct, ruleId: string, reason: string): void {
    const ack = NhsComplianceProfile.checkAcknowledgement({ ruleId, reason });
    const element = GcpCompliance.elementOf(construct);
    const list: ComplianceAcknowledgement[] = (element as any)[RECORDED] ?? [];
    if (!list.some((a) => a.ruleId === ack.ruleId && a.reason === ack.reason)) list.push(ack);
    Object.defineProperty(element, RECORDED, { value: list, configurable: true });
    element.addOverride(`//.${ACKNOWLEDGEMENTS_KEY}`, list.map((a) => ({ ruleId: a.ruleId, reason: a.reason })));
  }

  /** The acknowledgements recorded on a construct's Terraform resource (or provider block), in order. */
  public static acknowledgementsOf(construct: IConstruct): ComplianceAcknowledgement[] {
    const list: ComplianceAcknowledgement[] = (GcpCompliance.elementOf(construct) as any)[RECORDED] ?? [];
    return list.map((a) => ({ ...a }));
  }

  private static elementOf(construct: IConstruct): TerraformElement {
    if (TerraformResource.isTerraformResource(construct) || TerraformProvider.isTerraformProvider(construct)) return construct;
    const child = typeof construct?.node?.tryFindChild === 'function' ? construct.node.tryFindChild('Resource') : undefined;
    if (TerraformResource.isTerraformResource(child)) return child;
    const what = typeof construct?.node?.path === 'string' ? `construct ${construct.node.path}` : JSON.stringify(construct);
    throw BackboneError.of('construct', `${what} is not a Terraform resource and has no default child "Resource" that is one (pass the resource whose finding is acknowledged)`);
  }

  private constructor() {}
}
