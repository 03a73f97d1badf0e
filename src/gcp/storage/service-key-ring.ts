import { KmsCryptoKey } from '@cdktf/provider-google/lib/kms-crypto-key';
import { KmsKeyRing } from '@cdktf/provider-google/lib/kms-key-ring';
import { Construct } from 'constructs';
import { keyRingId, standardKey } from './ids';
import { BackboneSpec } from '../../core/backbone-spec';
import { BackboneError } from '../../core/errors';
import { Cloud } from '../../core/regions';
import { checkProjectId } from '../network/ids';

/** Props of a key ring for a shared project (the hub's, the backup project's). */
export interface ServiceKeyRingProps {
  /** The validated backbone spec. */
  readonly spec: BackboneSpec;
  /** The project the ring is made in. */
  readonly projectId: string;
  /** The ring's name (a Google resource name, 1-63 characters). */
  readonly name: string;
  /**
   * Keys to make in the ring now, by name.
   * @default - none (keys may be made later, also from other stacks, by the ring's id)
   */
  readonly keyNames?: string[];
}

/**
 * A customer-managed key ring in a shared project (the hub's log archive key,
 * the backup project's keys), made the same way as a trust's ring: in the
 * spec's region, HSM keys rotated every 90 days, restorable for 30 days after
 * a version is destroyed, and ring and keys never destroyed by a plan.
 */
export class ServiceKeyRing extends Construct {
  /** The key ring. */
  public readonly resource: KmsKeyRing;
  /** `projects/<project>/locations/<region>/keyRings/<name>`, known before it exists. */
  public readonly keyRingId: string;
  private readonly keys = new Map<string, KmsCryptoKey>();

  constructor(scope: Construct, id: string, props: ServiceKeyRingProps) {
    super(scope, id);
    const project = checkProjectId('projectId', props.projectId);
    if (typeof props.name !== 'string' || !/^[a-zA-Z0-9_-]{1,63}$/.test(props.name)) {
      throw BackboneError.of('name', `${JSON.stringify(props.name)} is not a key ring name (1-63 letters, digits, '_' or '-')`);
    }
    const region = props.spec.region(Cloud.GCP);
    this.keyRingId = keyRingId(project, region, props.name);
    this.resource = new KmsKeyRing(this, 'Resource', {
      project,
      name: props.name,
      location: region,
      lifecycle: { preventDestroy: true },
    });
    for (const [i, name] of (props.keyNames ?? []).entries()) {
      if (typeof name !== 'string' || !/^[a-zA-Z0-9_-]{1,63}$/.test(name) || this.keys.has(name)) {
        throw BackboneError.of(`keyNames[${i}]`, `${JSON.stringify(name)} is not a new key name (1-63 letters, digits, '_' or '-', each once)`);
      }
      this.keys.set(name, standardKey(this, name, { keyRing: this.resource.id, name, labels: { ...props.spec.labelsFor(), purpose: name } }));
    }
  }

  /** A key made with the ring. */
  public key(name: string): KmsCryptoKey {
    const k = this.keys.get(name);
    if (!k) throw BackboneError.of('name', `"${name}" is not a key of this ring (one of: ${[...this.keys.keys()].join(', ') || 'none'})`);
    return k;
  }
}
