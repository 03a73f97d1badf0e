import { Stack, Tags } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { AddressLock, AddressPlan } from '../core/address-plan';
import { BackboneSpec } from '../core/backbone-spec';
import { entryOf } from '../core/errors';
import { NameKind } from '../core/naming';
import { Cloud } from '../core/regions';
import { BreakGlassAccess } from './identity/break-glass';
import { CiFederation } from './identity/ci-federation';
import { CustomerManagedKey } from './identity/customer-managed-key';
import { BackbonePermissionsBoundary } from './identity/permissions-boundary';
import { WorkloadIdentity } from './identity/workload-identity';
import { AuditTrail } from './logging/audit-trail';
import { CentralLogStore } from './logging/central-log-store';
import { HubNetwork } from './network/hub-network';
import { TrustSpoke } from './network/trust-spoke';
import { ClinicalStore } from './storage/clinical-store';
import { TrustBackup } from './storage/trust-backup';

/** Props of the AWS backbone. */
export interface BackboneProps {
  /** The validated backbone spec. */
  readonly spec: BackboneSpec;
  /**
   * Address allocations made before (the lock file beside the spec).
   * @default - none: slots are handed out in spec order
   */
  readonly addressLock?: AddressLock;
  /**
   * The AWS account to deploy to.
   * @default - environment-agnostic (the account of the deploying credentials)
   */
  readonly account?: string;
}

/**
 * The NHS backbone on AWS: one hub stack and one stack per trust, so that no
 * template nears CloudFormation's limits and each trust deploys on its own.
 * Every stack carries the NHS tags of its tenant.
 *
 * Hub: the permissions boundary, the central log archive and the audit trail
 * (CloudTrail, recording every store's object access into the archive).
 * Trust: its spoke, its key, one ClinicalStore per store in the spec's
 * `storage.stores`, and a TrustBackup (locked vaults and daily plans, with a
 * copy to `storage.backup.awsAccount` when given).
 */
export class Backbone extends Construct {
  /** The spec it was built from. */
  public readonly spec: BackboneSpec;
  /** The address plan in use. */
  public readonly addressPlan: AddressPlan;
  /** The hub stack. */
  public readonly hubStack: Stack;
  /** The hub network. */
  public readonly hub: HubNetwork;
  /** The central log archive (in the hub stack). */
  public readonly logStore: CentralLogStore;
  /** The CloudTrail trail that records management events and every store's object access into the log archive. */
  public readonly auditTrail: AuditTrail;
  /** The permissions boundary every workload and CI role is created under. */
  public readonly permissionsBoundary: BackbonePermissionsBoundary;
  /** CI federation (when the spec's identity.ci is set). */
  public readonly ciFederation?: CiFederation;
  /** The emergency-access role and the alert on its use. */
  public readonly breakGlass: BreakGlassAccess;
  private readonly spokes = new Map<string, TrustSpoke>();
  private readonly stacks = new Map<string, Stack>();
  private readonly keys = new Map<string, CustomerManagedKey>();
  private readonly identities = new Map<string, WorkloadIdentity>();
  private readonly stores = new Map<string, ClinicalStore>();
  private readonly backups = new Map<string, TrustBackup>();

  constructor(scope: Construct, id: string, props: BackboneProps) {
    super(scope, id);
    this.spec = props.spec;
    this.addressPlan = props.spec.addressPlan(props.addressLock);
    const env = { region: this.spec.region(Cloud.AWS), account: props.account };

    this.hubStack = new Stack(this, 'Hub', {
      stackName: this.spec.naming.name(NameKind.STACK, ['hub']),
      description: `nhs-backbone ${this.spec.name}: shared hub`,
      env,
    });
    tag(this.hubStack, this.spec.tagsFor());
    this.logStore = new CentralLogStore(this.hubStack, 'LogStore', { spec: this.spec });
    this.auditTrail = new AuditTrail(this.hubStack, 'AuditTrail', { spec: this.spec, logStore: this.logStore });
    this.hub = new HubNetwork(this.hubStack, 'Network', { spec: this.spec, addressPlan: this.addressPlan, logStore: this.logStore });
    this.permissionsBoundary = new BackbonePermissionsBoundary(this.hubStack, 'PermissionsBoundary', { spec: this.spec });
    this.breakGlass = new BreakGlassAccess(this.hubStack, 'BreakGlass', {
      spec: this.spec,
      alertEmails: this.spec.identity.securityContact ? [this.spec.identity.securityContact] : undefined,
    });
    if (this.spec.identity.ci) this.ciFederation = new CiFederation(this.hubStack, 'CiFederation', { spec: this.spec });

    for (const trust of this.spec.trusts) {
      const stack = new Stack(this, `Trust${trust.odsCode}`, {
        stackName: this.spec.naming.name(NameKind.STACK, [trust.odsCode]),
        description: `nhs-backbone ${this.spec.name}: ${trust.name} (${trust.odsCode})`,
        env,
      });
      tag(stack, this.spec.tagsFor(trust.odsCode));
      this.stacks.set(trust.odsCode, stack);
      // The trust stack reads the hub's values (SSM parameters, log store name) at deploy time: no exports.
      stack.addStackDependency(this.hubStack, 'the spoke attaches to the hub transit gateway');
      const spoke = new TrustSpoke(stack, 'Spoke', {
        spec: this.spec, addressPlan: this.addressPlan, odsCode: trust.odsCode,
      });
      for (const app of this.spec.appsServing(trust.odsCode)) spoke.attachApp(app.name);
      this.spokes.set(trust.odsCode, spoke);
      const key = new CustomerManagedKey(stack, 'Key', { spec: this.spec, odsCode: trust.odsCode });
      this.keys.set(trust.odsCode, key);
      const stores = (this.spec.storage.stores ?? []).map((st) => {
        const store = new ClinicalStore(stack, `Store-${st.name}`, {
          spec: this.spec, odsCode: trust.odsCode, storeName: st.name, encryptionKey: key,
        });
        this.stores.set(`${trust.odsCode}/${st.name}`, store);
        return store;
      });
      if (stores.length > 0) {
        this.backups.set(trust.odsCode, new TrustBackup(stack, 'Backup', { spec: this.spec, odsCode: trust.odsCode, stores }));
      }
      for (const app of this.spec.appsServing(trust.odsCode)) {
        this.identities.set(`${trust.odsCode}/${app.name}`, new WorkloadIdentity(stack, `App-${app.name}`, {
          spec: this.spec, appName: app.name, odsCode: trust.odsCode,
        }));
      }
    }
  }

  /** A trust's customer-managed key. */
  public key(odsCode: string): CustomerManagedKey {
    return entryOf(this.keys, odsCode, 'odsCode', `"${odsCode}" is not a trust of backbone ${this.spec.name}`);
  }

  /** The workload identity of an app in a trust it serves. */
  public identity(odsCode: string, appName: string): WorkloadIdentity {
    return entryOf(this.identities, `${odsCode}/${appName}`, 'appName', `"${appName}" is not an app serving trust ${odsCode} in backbone ${this.spec.name}`);
  }

  /** A trust's clinical store. */
  public store(odsCode: string, storeName: string): ClinicalStore {
    this.trustStack(odsCode);
    return entryOf(this.stores, `${odsCode}/${storeName}`, 'storeName', `"${storeName}" is not a store of backbone ${this.spec.name} (one of: ${(this.spec.storage.stores ?? []).map((s) => s.name).join(', ')})`);
  }

  /** A trust's backup (the locked vaults and plans of its stores). */
  public backup(odsCode: string): TrustBackup {
    return entryOf(this.backups, odsCode, 'odsCode', `"${odsCode}" is not a trust of backbone ${this.spec.name}`);
  }

  /** A trust's spoke. */
  public spoke(odsCode: string): TrustSpoke {
    return entryOf(this.spokes, odsCode, 'odsCode', `"${odsCode}" is not a trust of backbone ${this.spec.name}`);
  }

  /** A trust's stack. */
  public trustStack(odsCode: string): Stack {
    return entryOf(this.stacks, odsCode, 'odsCode', `"${odsCode}" is not a trust of backbone ${this.spec.name}`);
  }
}

function tag(scope: Construct, tags: { [k: string]: string }): void {
  for (const [k, v] of Object.entries(tags)) Tags.of(scope).add(k, v);
}
