import { ImmutabilityScope } from './types';
import { BackboneError } from '../../core/errors';
import { LockMode, RecordsCategory, Retention } from '../../core/retention';
import { StoreSpec } from '../../core/spec';
import { APP_NAME_PATTERN } from '../../core/validate';

/** The one container of a clinical store (and of its backup copy). @internal */
export const RECORDS_CONTAINER = 'records';

/** Longest store name (as the spec allows). @internal */
const STORE_NAME_MAX = 20;

/** A store's retention, checked, with every default filled in. @internal */
export interface StoreRetention {
  readonly store: Required<StoreSpec>;
  readonly category: RecordsCategory;
  /** years x 365. */
  readonly days: number;
  /** Compliance mode: the policy is locked. */
  readonly locked: boolean;
  readonly scope: ImmutabilityScope;
  /** Container metadata recording the rule (keys a-z, 0-9 and '_'). */
  readonly metadata: { [key: string]: string };
}

/**
 * Checks a store the way the spec does (so a store built outside a spec is
 * held to the same rules) and fills in its defaults. Throws a BackboneError
 * naming `store.<field>`.
 * @internal
 */
export function storeRetention(store: StoreSpec): StoreRetention {
  if (typeof store !== 'object' || store === null) throw BackboneError.of('store', 'is not set (required: a store with name and category)');
  const name = store.name;
  if (typeof name !== 'string' || !APP_NAME_PATTERN.test(name) || name.length > STORE_NAME_MAX) {
    throw BackboneError.of('store.name', `${JSON.stringify(name)} is not allowed (lower-kebab, at most ${STORE_NAME_MAX} characters, e.g. "clinical-records")`);
  }
  const clinical = RecordsCategory.all().filter((c) => c.requiresComplianceMode);
  const category = typeof store.category === 'string' ? RecordsCategory.fromId(store.category) : undefined;
  if (!category || !clinical.includes(category)) {
    throw BackboneError.of('store.category', `${JSON.stringify(store.category)} is not a records category (one of: ${clinical.map((c) => c.id).join(', ')})`);
  }
  let retention = Retention.records(category);
  if (store.years !== undefined) {
    try {
      retention = retention.withYears(store.years);
    } catch (e) {
      throw BackboneError.of('store.years', `${JSON.stringify(store.years)} is shorter than the legal minimum or not a whole number of years (${category.id} records: at least ${category.minimumLockYears}, ${category.rule}; at most 100)`);
    }
  }
  const lockMode = store.lockMode ?? LockMode.COMPLIANCE;
  if (!Object.values(LockMode).includes(lockMode as LockMode)) {
    throw BackboneError.of('store.lockMode', `${JSON.stringify(lockMode)} is not a lock mode (${Object.values(LockMode).join(' or ')})`);
  }
  if (lockMode === LockMode.GOVERNANCE && category.requiresComplianceMode) {
    throw BackboneError.of('store.lockMode', `governance is not allowed for ${category.id} records: the legal minimum must be enforced in compliance mode (no administrator can shorten it)`);
  }
  const legalHold = store.legalHold ?? false;
  if (typeof legalHold !== 'boolean') throw BackboneError.of('store.legalHold', `${JSON.stringify(legalHold)} is not allowed (true or false)`);
  const coldAfterDays = store.coldAfterDays ?? 90;
  if (typeof coldAfterDays !== 'number' || !Number.isInteger(coldAfterDays) || coldAfterDays < 30 || coldAfterDays > 3650) {
    throw BackboneError.of('store.coldAfterDays', `${JSON.stringify(coldAfterDays)} is not allowed (whole days from 30, the shortest every cloud's colder tiers accept, to 3650)`);
  }
  const full: Required<StoreSpec> = { name, category: category.id, years: retention.years, lockMode, legalHold, coldAfterDays };
  const scope = legalHold ? ImmutabilityScope.CONTAINER : ImmutabilityScope.VERSION;
  return {
    store: full,
    category,
    days: retention.days,
    locked: lockMode === LockMode.COMPLIANCE,
    scope,
    metadata: {
      records_category: category.id,
      retention_years: String(retention.years),
      lock_mode: lockMode,
      legal_hold: legalHold ? 'required' : 'none',
    },
  };
}

/** The trust's tags plus the store's retention, so every account says what it holds and for how long. @internal */
export function storeTags(base: { [key: string]: string }, r: StoreRetention): { [key: string]: string } {
  return {
    ...base,
    'store': r.store.name,
    'records-category': r.category.id,
    'retention-days': String(r.days),
    'lock-mode': r.store.lockMode,
    'legal-hold': String(r.store.legalHold),
    'immutability-scope': r.scope,
  };
}
