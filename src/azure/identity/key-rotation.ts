import type { KeyRotationOptions } from './trust-key-vault';
import { BackboneError } from '../../core/errors';

const DAY_PERIOD = /^[0-9]+$/;

/** The rotation policy of a key, validated against Key Vault's limits. @internal */
export function rotationPolicy(o: KeyRotationOptions): { rotateAfter: number; expireAfter: number; notifyBefore: number } {
  const whole = (v: number | undefined, path: string, dflt: number): number => {
    if (v === undefined) return dflt;
    if (typeof v !== 'number' || !Number.isInteger(v) || !DAY_PERIOD.test(String(v))) {
      throw BackboneError.of(path, `${JSON.stringify(v)} is not a whole number of days`);
    }
    return v;
  };
  const rotateAfter = whole(o.rotationPeriodDays, 'rotationPeriodDays', 365);
  if (rotateAfter < 7 || rotateAfter > 730) {
    throw BackboneError.of('rotationPeriodDays', `${rotateAfter} is out of range (7 to 730 days: Key Vault rotates no sooner than 7 days after creation; keys are rotated at least every two years)`);
  }
  const expireAfter = whole(o.expireAfterDays, 'expireAfterDays', rotateAfter + 90);
  if (expireAfter < 28 || expireAfter < rotateAfter + 7) {
    throw BackboneError.of('expireAfterDays', `${expireAfter} is out of range (at least 28 days, and at least 7 days after the rotation at ${rotateAfter} days: at least ${Math.max(28, rotateAfter + 7)})`);
  }
  const notifyBefore = whole(o.notifyBeforeExpiryDays, 'notifyBeforeExpiryDays', 30);
  if (notifyBefore < 7 || notifyBefore >= expireAfter) {
    throw BackboneError.of('notifyBeforeExpiryDays', `${notifyBefore} is out of range (at least 7 days and less than expireAfterDays, ${expireAfter})`);
  }
  return { rotateAfter, expireAfter, notifyBefore };
}
