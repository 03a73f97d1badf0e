import { createHash } from 'crypto';

// Helpers shared by the storage constructs. Not re-exported from index.ts:
// not part of the jsii API.

/**
 * A name shortened to `max` characters the way core Naming shortens names:
 * the start kept, and a 4-character hash of the full name appended so that
 * two long names cannot collide. Deterministic. AWS Backup vault, plan,
 * selection and rule names allow 50 characters, fewer than any NameKind.
 */
export function fitName(full: string, max: number): string {
  if (full.length <= max) return full;
  const hash = createHash('sha256').update(full).digest('hex').slice(0, 4);
  return `${full.slice(0, max - hash.length - 1).replace(/[-_.]+$/, '')}-${hash}`;
}

/** Days in a records year: 365, as S3 Object Lock and RecordsCategory.minimumLockDays count. */
export const DAYS_PER_YEAR = 365;
