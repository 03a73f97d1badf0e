import { Duration, RemovalPolicy, Token, aws_iam as iam, aws_kms as kms } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { requireWorkloadIdentity } from './internal';
import { denyGrantsExceptForAwsServices } from './key-policy';
import { IWorkloadIdentity } from './workload-identity';
import { BackboneSpec } from '../../core/backbone-spec';
import { BackboneError } from '../../core/errors';

/** KMS's limits on automatic rotation, in days. */
const MIN_ROTATION_DAYS = 90;
const MAX_ROTATION_DAYS = 2560;

/** Props of a customer-managed key. */
export interface CustomerManagedKeyProps {
  /** The validated backbone spec. */
  readonly spec: BackboneSpec;
  /**
   * The trust whose data the key protects.
   * @default - a hub (shared) key
   */
  readonly odsCode?: string;
  /**
   * The class of data the key protects when a trust keeps one key per class
   * (e.g. `imaging`, `records`, `backup`): lower-kebab, at most 20 characters.
   * @default - one key for all of the trust's data
   */
  readonly dataClass?: string;
  /**
   * How often KMS rotates the key material (KMS allows 90 to 2560 days).
   * @default Duration.days(365)
   */
  readonly rotationPeriod?: Duration;
}

/**
 * A customer-managed KMS key for one trust (or the hub), optionally for one
 * class of its data: named from the spec (`alias/<backbone>-<ods>-key[-<class>]-<env>`),
 * rotated automatically, never deleted by an update or a stack deletion
 * (RemovalPolicy.RETAIN, and a 30-day deletion window should anyone schedule
 * it by hand), with a key policy that names the account as administrator,
 * refuses grants except those AWS services make for their callers, and gives
 * nothing to a wildcard principal. Apps get access only through `grant*` methods, which
 * take a WorkloadIdentity.
 */
export class CustomerManagedKey extends Construct {
  /** The alias name of a trust's (or the hub's) key, derived from the spec alone. */
  public static aliasFor(spec: BackboneSpec, odsCode?: string, dataClass?: string): string {
    const purpose = dataClass ? `key-${dataClass}` : 'key';
    return `alias/${odsCode ? spec.naming.trust(odsCode, purpose) : spec.naming.hub(purpose)}`;
  }

  /** The KMS key (pass it as `encryptionKey` to the backbone's stores). */
  public readonly key: kms.Key;
  /** The key's ARN. */
  public readonly keyArn: string;
  /** The alias name. */
  public readonly aliasName: string;
  /** The rotation period in days. */
  public readonly rotationPeriodDays: number;

  constructor(scope: Construct, id: string, props: CustomerManagedKeyProps) {
    super(scope, id);
    const { spec, odsCode, dataClass } = props;
    if (odsCode !== undefined) spec.trust(odsCode);
    if (dataClass !== undefined && !/^[a-z][a-z0-9-]{0,19}$/.test(dataClass)) {
      throw BackboneError.of('dataClass', `${JSON.stringify(dataClass)} is not a data class name (lower-kebab, a-z 0-9 '-', starting with a letter, at most 20 characters)`);
    }
    const rotation = props.rotationPeriod ?? Duration.days(365);
    this.rotationPeriodDays = checkRotation(rotation);
    this.aliasName = CustomerManagedKey.aliasFor(spec, odsCode, dataClass);

    this.key = new kms.Key(this, 'Resource', {
      alias: this.aliasName,
      description: `nhs-backbone ${spec.name}: ${odsCode ? `trust ${odsCode}` : 'hub'}${dataClass ? ` ${dataClass} data` : ''}`,
      enableKeyRotation: true,
      rotationPeriod: rotation,
      pendingWindow: Duration.days(30),
      removalPolicy: RemovalPolicy.RETAIN,
    });
    denyGrantsExceptForAwsServices(this.key);
    this.keyArn = this.key.keyArn;
  }

  /** Lets an app encrypt and decrypt with the key. */
  public grantEncryptDecrypt(grantee: IWorkloadIdentity): iam.Grant {
    return this.key.grantEncryptDecrypt(requireWorkloadIdentity(grantee));
  }

  /** Lets an app decrypt with the key. */
  public grantDecrypt(grantee: IWorkloadIdentity): iam.Grant {
    return this.key.grantDecrypt(requireWorkloadIdentity(grantee));
  }

  /** Lets an app encrypt with the key. */
  public grantEncrypt(grantee: IWorkloadIdentity): iam.Grant {
    return this.key.grantEncrypt(requireWorkloadIdentity(grantee));
  }
}

function checkRotation(d: Duration): number {
  let days: number;
  try {
    days = d.toDays({ integral: false });
  } catch {
    return NaN; // an unresolved token: KMS checks it at deploy time
  }
  if (Token.isUnresolved(days)) return days;
  if (!Number.isInteger(days) || days < MIN_ROTATION_DAYS || days > MAX_ROTATION_DAYS) {
    throw BackboneError.of('rotationPeriod', `${d.toHumanString()} is not a KMS rotation period (whole days from ${MIN_ROTATION_DAYS} to ${MAX_ROTATION_DAYS})`);
  }
  return days;
}
