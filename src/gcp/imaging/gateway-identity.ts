import { ServiceAccount } from '@cdktf/provider-google/lib/service-account';
import { ITerraformDependable, TerraformStack } from 'cdktf';
import { Construct, IConstruct } from 'constructs';
import { BackboneSpec } from '../../core/backbone-spec';
import { NameKind } from '../../core/naming';
import { IWorkloadIdentity } from '../identity/workload-identity';
import { checkProjectId } from '../network/ids';

/** Props of a DIMSE gateway's service account. */
export interface DimseGatewayIdentityProps {
  /** The validated backbone spec. */
  readonly spec: BackboneSpec;
  /** The trust whose gateway runs as this identity. */
  readonly odsCode: string;
  /** The trust's project (where the gateway's VM runs). */
  readonly projectId: string;
}

const GATEWAY_IDENTITY = Symbol.for('nhs-backbone.gcp.DimseGatewayIdentity');

/**
 * The identity a trust's DIMSE gateway VM runs as: one Google service account
 * with no key (the VM gets short-lived tokens from the metadata server). The
 * gateway is infrastructure, not an app of the spec, so it is not a
 * WorkloadIdentity; `DicomStore.grantDicomWrite` and the gateway's own grants
 * accept it.
 */
export class DimseGatewayIdentity extends Construct implements IWorkloadIdentity {
  /** True for a DimseGatewayIdentity built by this library (also across copies of it). */
  public static isDimseGatewayIdentity(x: unknown): x is DimseGatewayIdentity {
    return typeof x === 'object' && x !== null && (x as any)[GATEWAY_IDENTITY] === true;
  }

  public readonly email: string;
  public readonly member: string;
  public readonly projectId: string;
  /** The service account id (6-30 characters). */
  public readonly accountId: string;
  /** The trust. */
  public readonly odsCode: string;
  /** The service account. */
  public readonly resource: ServiceAccount;

  constructor(scope: Construct, id: string, props: DimseGatewayIdentityProps) {
    super(scope, id);
    Object.defineProperty(this, GATEWAY_IDENTITY, { value: true });
    props.spec.trust(props.odsCode);
    this.odsCode = props.odsCode;
    this.projectId = checkProjectId('projectId', props.projectId);
    this.accountId = props.spec.naming.name(NameKind.GCP_SERVICE_ACCOUNT, [props.odsCode, 'dimse-gw']);
    this.email = `${this.accountId}@${this.projectId}.iam.gserviceaccount.com`;
    this.member = `serviceAccount:${this.email}`;
    this.resource = new ServiceAccount(this, 'Resource', {
      project: this.projectId,
      accountId: this.accountId,
      displayName: `DIMSE gateway (${props.odsCode})`,
      description: `DIMSE gateway ${props.spec.gatewayAeTitle(props.odsCode)} of trust ${props.odsCode} (${props.spec.name}). No keys: metadata-server tokens only.`,
    });
  }

  /**
   * What a grant resource made for this identity should depend on: the
   * service account when the grant is in the same stack, else nothing (the
   * identity's stack is applied first).
   * @internal
   */
  public _dependable(from: IConstruct): ITerraformDependable[] {
    return TerraformStack.of(from) === TerraformStack.of(this) ? [this.resource] : [];
  }
}
