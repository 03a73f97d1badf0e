import { KmsCryptoKey } from '@cdktf/provider-google/lib/kms-crypto-key';
import { KmsCryptoKeyIamMember } from '@cdktf/provider-google/lib/kms-crypto-key-iam-member';
import { KmsKeyRing } from '@cdktf/provider-google/lib/kms-key-ring';
import { Construct } from 'constructs';
import { IWorkloadIdentity, WorkloadIdentity } from './workload-identity';
import { BackboneSpec } from '../../core/backbone-spec';
import { BackboneError } from '../../core/errors';
import { NameKind } from '../../core/naming';
import { Cloud } from '../../core/regions';
import { checkProjectId } from '../network/ids';

/** Where a key's material lives. */
export enum KeyProtectionLevel {
  /**
   * In Cloud HSM: FIPS 140-2 Level 3 validated hardware; the key material
   * never leaves the HSM. The backbone's default for patient data.
   */
  HSM = 'HSM',
  /** In software (FIPS 140-2 Level 1): cheaper, for non-patient data only. */
  SOFTWARE = 'SOFTWARE',
}

/** Google Cloud KMS's limits on automatic rotation: at least 1 day, at most 876,000 hours (100 years). */
const MIN_ROTATION_DAYS = 1;
const MAX_ROTATION_DAYS = 36500;
/** The default rotation period: 90 days (CIS Google Cloud Foundations Benchmark 1.10). */
const DEFAULT_ROTATION_DAYS = 90;
/** How long a destroyed key version can still be restored: 30 days. */
const DESTROY_SCHEDULED_SECONDS = 30 * 86400;

/** Props of a trust's key ring. */
export interface TrustKeyRingProps {
  /** The validated backbone spec. */
  readonly spec: BackboneSpec;
  /** The trust the keys belong to. */
  readonly odsCode: string;
  /** The trust's project. */
  readonly projectId: string;
  /**
   * Data classes to give a key of their own (e.g. `imaging`, `reports`): one
   * crypto key each, named after the class.
   * @default ["data"] - one key for all of the trust's data
   */
  readonly dataClasses?: string[];
  /**
   * Days between automatic rotations (a new primary version; old versions
   * stay to decrypt old data). Google allows 1 day to 876,000 hours (36,500 days).
   * @default 90
   */
  readonly rotationDays?: number;
  /**
   * Where the key material lives.
   * @default KeyProtectionLevel.HSM
   */
  readonly protectionLevel?: KeyProtectionLevel;
}

/**
 * A trust's customer-managed keys: one Cloud KMS key ring in the spec's
 * Google region (europe-west2 by default) in the trust's project, and one
 * symmetric encryption key per data class, rotated automatically. Key rings
 * and keys cannot be deleted in Google Cloud; both carry Terraform's
 * `prevent_destroy` so that no plan can even try, and destroyed versions stay
 * restorable for 30 days.
 */
export class TrustKeyRing extends Construct {
  /** The shortest rotation period Cloud KMS accepts, in days (24 hours). */
  public static readonly MIN_ROTATION_DAYS = MIN_ROTATION_DAYS;
  /** The longest rotation period Cloud KMS accepts, in days (876,000 hours = 100 years). */
  public static readonly MAX_ROTATION_DAYS = MAX_ROTATION_DAYS;
  /** The default rotation period, in days. */
  public static readonly DEFAULT_ROTATION_DAYS = DEFAULT_ROTATION_DAYS;

  /** The key ring. */
  public readonly resource: KmsKeyRing;
  /** The trust. */
  public readonly odsCode: string;
  /** The key ring's name. */
  public readonly keyRingName: string;
  /** The key ring's id, `projects/<project>/locations/<region>/keyRings/<name>`. */
  public readonly keyRingId: string;
  private readonly keys = new Map<string, CustomerKey>();

  constructor(scope: Construct, id: string, props: TrustKeyRingProps) {
    super(scope, id);
    const { spec } = props;
    spec.trust(props.odsCode);
    this.odsCode = props.odsCode;
    const project = checkProjectId('projectId', props.projectId);
    const region = spec.region(Cloud.GCP);
    const rotationDays = props.rotationDays ?? DEFAULT_ROTATION_DAYS;
    if (typeof rotationDays !== 'number' || !Number.isInteger(rotationDays) || rotationDays < MIN_ROTATION_DAYS || rotationDays > MAX_ROTATION_DAYS) {
      throw BackboneError.of('rotationDays', `${JSON.stringify(rotationDays)} is not a Cloud KMS rotation period (whole days from ${MIN_ROTATION_DAYS} to ${MAX_ROTATION_DAYS}: Google allows 24 hours to 876,000 hours)`);
    }
    const protection = props.protectionLevel ?? KeyProtectionLevel.HSM;
    if (!Object.values(KeyProtectionLevel).includes(protection)) {
      throw BackboneError.of('protectionLevel', `${JSON.stringify(protection)} is not a key protection level (one of: ${Object.values(KeyProtectionLevel).join(', ')})`);
    }
    const classes = props.dataClasses ?? ['data'];
    if (!Array.isArray(classes) || classes.length === 0) {
      throw BackboneError.of('dataClasses', `${JSON.stringify(classes)} is not a list of data classes (at least one, e.g. ["imaging", "reports"])`);
    }
    const seen = new Set<string>();
    classes.forEach((c, i) => {
      if (typeof c !== 'string' || !/^[a-z][a-z0-9-]{0,30}[a-z0-9]$/.test(c)) {
        throw BackboneError.of(`dataClasses[${i}]`, `${JSON.stringify(c)} is not a data class name (2-32 characters: a-z, 0-9 and '-', starting with a letter)`);
      }
      if (seen.has(c)) throw BackboneError.of(`dataClasses[${i}]`, `"${c}" is given twice`);
      seen.add(c);
    });

    this.keyRingName = spec.naming.trust(props.odsCode, 'keys', NameKind.GCP_RESOURCE);
    this.keyRingId = `projects/${project}/locations/${region}/keyRings/${this.keyRingName}`;
    this.resource = new KmsKeyRing(this, 'Resource', {
      project,
      name: this.keyRingName,
      location: region,
      lifecycle: { preventDestroy: true },
    });
    for (const dataClass of classes) {
      const key = new CustomerKey(this, dataClass, {
        keyRing: this,
        dataClass,
        rotationPeriod: `${rotationDays * 86400}s`,
        protectionLevel: protection,
        labels: { ...spec.labelsFor(props.odsCode), 'data-class': dataClass },
      });
      this.keys.set(dataClass, key);
    }
  }

  /** The key for a data class. */
  public key(dataClass: string = 'data'): CustomerKey {
    const k = this.keys.get(dataClass);
    if (!k) throw BackboneError.of('dataClass', `"${dataClass}" has no key in trust ${this.odsCode}'s key ring (one of: ${[...this.keys.keys()].join(', ')})`);
    return k;
  }

  /** Every key, by data class. */
  public get dataClasses(): string[] {
    return [...this.keys.keys()];
  }
}

/** Props of a customer-managed key (made by TrustKeyRing). */
export interface CustomerKeyProps {
  /** The ring the key is in. */
  readonly keyRing: TrustKeyRing;
  /** The data class the key protects; also the key's name. */
  readonly dataClass: string;
  /** Rotation period in seconds with an `s` suffix, e.g. `7776000s`. */
  readonly rotationPeriod: string;
  /** Where the key material lives. */
  readonly protectionLevel: KeyProtectionLevel;
  /** Labels of the key. */
  readonly labels: { [key: string]: string };
}

/**
 * One customer-managed encryption key (symmetric, ENCRYPT_DECRYPT), rotated
 * automatically and never destroyed by a plan. Access only through
 * `grantEncryptDecrypt`.
 */
export class CustomerKey extends Construct {
  /** The crypto key. */
  public readonly resource: KmsCryptoKey;
  /** The key's id, `projects/<p>/locations/<r>/keyRings/<ring>/cryptoKeys/<name>`, known before it exists. */
  public readonly keyId: string;
  /** The data class the key protects. */
  public readonly dataClass: string;
  private readonly grants = new Map<string, KmsCryptoKeyIamMember>();

  constructor(scope: Construct, id: string, props: CustomerKeyProps) {
    super(scope, id);
    this.dataClass = props.dataClass;
    this.keyId = `${props.keyRing.keyRingId}/cryptoKeys/${props.dataClass}`;
    this.resource = new KmsCryptoKey(this, 'Resource', {
      name: props.dataClass,
      keyRing: props.keyRing.resource.id,
      purpose: 'ENCRYPT_DECRYPT',
      rotationPeriod: props.rotationPeriod,
      destroyScheduledDuration: `${DESTROY_SCHEDULED_SECONDS}s`,
      versionTemplate: { algorithm: 'GOOGLE_SYMMETRIC_ENCRYPTION', protectionLevel: props.protectionLevel },
      labels: props.labels,
      lifecycle: { preventDestroy: true },
    });
  }

  /**
   * Lets an identity of the backbone encrypt and decrypt with this key
   * (roles/cloudkms.cryptoKeyEncrypterDecrypter, as one IAM member: no other
   * member of the key's policy is touched). Granting twice is a no-op.
   * Throws a BackboneError naming `grantee` for anything that is not a
   * backbone WorkloadIdentity.
   */
  public grantEncryptDecrypt(grantee: IWorkloadIdentity): void {
    const identity = WorkloadIdentity._check(grantee, 'grantee');
    if (this.grants.has(identity.member)) return;
    const grant = new KmsCryptoKeyIamMember(this, `EncryptDecrypt-${identity.email}`, {
      cryptoKeyId: this.resource.id,
      role: 'roles/cloudkms.cryptoKeyEncrypterDecrypter',
      member: identity.member,
      dependsOn: identity._dependable(this),
    });
    this.grants.set(identity.member, grant);
  }
}
