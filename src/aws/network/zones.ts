import { BackboneSpec } from '../../core/backbone-spec';
import { Cloud } from '../../core/regions';

/**
 * The availability zones the backbone uses in its AWS region: three, named
 * explicitly so that synthesis needs no account look-up and is deterministic.
 * @internal
 */
export function AWS_AZS(spec: BackboneSpec): string[] {
  const region = spec.region(Cloud.AWS);
  return ['a', 'b', 'c'].map((z) => `${region}${z}`);
}
