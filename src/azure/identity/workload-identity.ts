import { DataAzurermUserAssignedIdentity } from '@cdktf/provider-azurerm/lib/data-azurerm-user-assigned-identity';
import { UserAssignedIdentity } from '@cdktf/provider-azurerm/lib/user-assigned-identity';
import { TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { markWorkloadIdentity } from './grant';
import { BackboneSpec } from '../../core/backbone-spec';
import { BackboneError } from '../../core/errors';
import { Cloud } from '../../core/regions';

/** An app's identity in the backbone: grants on backbone resources take one. */
export interface IWorkloadIdentity {
  /** The app it belongs to. */
  readonly appName: string;
  /** The trust it acts for. */
  readonly odsCode: string;
  /** The user-assigned identity's name. */
  readonly identityName: string;
  /** Its resource group. */
  readonly resourceGroupName: string;
  /** Its Azure resource ID (for `identity.identity_ids` of a compute resource). */
  readonly identityId: string;
  /** Its client (application) id, as SDKs' DefaultAzureCredential takes it. */
  readonly clientId: string;
  /** Its service principal's object id, in its own stack. */
  readonly principalId: string;
  /**
   * Its principal id as seen from another construct's Terraform stack: the
   * same reference in the same stack, else a lookup by name (a data source),
   * so no stack reads another's state.
   */
  principalIdIn(scope: Construct): string;
}

/** Props of a workload identity. */
export interface WorkloadIdentityProps {
  /** The validated backbone spec. */
  readonly spec: BackboneSpec;
  /** The app (one of spec.apps) this identity is for. */
  readonly appName: string;
  /** The trust the identity acts for; the app must serve it. */
  readonly odsCode: string;
  /** The resource group to create it in (the trust's), as a plain name. */
  readonly resourceGroupName: string;
}

/**
 * A specialist app's workload identity for one trust: a user-assigned managed
 * identity, named from the spec and tagged with the trust's ODS code. It has
 * no role of its own: access comes only from grant methods on backbone
 * resources (`key.grantEncryptDecrypt(identity)`, ...). One identity per app
 * per trust keeps trusts apart: an app's identity for one trust cannot read
 * another trust's data.
 */
export class WorkloadIdentity extends Construct implements IWorkloadIdentity {
  public readonly appName: string;
  public readonly odsCode: string;
  public readonly identityName: string;
  public readonly resourceGroupName: string;
  public readonly identityId: string;
  public readonly clientId: string;
  public readonly principalId: string;
  /** The user-assigned identity. */
  public readonly resource: UserAssignedIdentity;
  private readonly lookups = new Map<TerraformStack, string>();

  constructor(scope: Construct, id: string, props: WorkloadIdentityProps) {
    super(scope, id);
    const { spec, appName, odsCode } = props;
    spec.trust(odsCode);
    const app = spec.apps.find((a) => a.name === appName);
    if (!app) {
      throw BackboneError.of('appName', `"${appName}" is not an app of backbone ${spec.name} (apps: ${spec.apps.map((a) => a.name).join(', ') || 'none'})`);
    }
    if (!(app.trusts ?? []).includes(odsCode)) {
      throw BackboneError.of('odsCode', `app "${appName}" does not serve trust ${odsCode} (it serves ${(app.trusts ?? []).join(', ') || 'no trust'})`);
    }
    this.appName = appName;
    this.odsCode = odsCode;
    this.resourceGroupName = props.resourceGroupName;
    this.identityName = spec.naming.trust(odsCode, `${appName}-id`);
    this.resource = new UserAssignedIdentity(this, 'Resource', {
      name: this.identityName,
      resourceGroupName: props.resourceGroupName,
      location: spec.region(Cloud.AZURE),
      tags: { ...spec.tagsFor(odsCode), 'backbone-principal': 'app', 'app': appName },
    });
    this.identityId = this.resource.id;
    this.clientId = this.resource.clientId;
    this.principalId = this.resource.principalId;
    markWorkloadIdentity(this);
  }

  public principalIdIn(scope: Construct): string {
    const stack = TerraformStack.of(scope);
    if (stack === TerraformStack.of(this)) return this.principalId;
    const known = this.lookups.get(stack);
    if (known) return known;
    const id = `Identity-${this.odsCode}-${this.appName}`;
    const existing = stack.node.tryFindChild(id) as DataAzurermUserAssignedIdentity | undefined;
    const data = existing ?? new DataAzurermUserAssignedIdentity(stack, id, {
      name: this.identityName,
      resourceGroupName: this.resourceGroupName,
    });
    this.lookups.set(stack, data.principalId);
    return data.principalId;
  }
}
