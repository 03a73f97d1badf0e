import { BackboneError } from './errors';

/**
 * What a retention period runs from. The Records Management Code of Practice
 * counts from an event in the patient's life, not from an object's age.
 */
export enum RetentionTrigger {
  /** From the last time the patient was seen (conclusion of treatment). */
  LAST_SEEN = 'last-seen',
  /** From the patient's birth (e.g. until the 25th birthday). */
  BIRTH = 'birth',
  /** From diagnosis. */
  DIAGNOSIS = 'diagnosis',
  /** From the creation of the record (logs, screening results). */
  CREATION = 'creation',
}

/**
 * A records category of the Records Management Code of Practice 2021 (and the
 * RCR's imaging recommendation), with its legal retention.
 *
 * `minimumLockYears` is the floor a store may enforce for every object in the
 * category: the shortest period the rule can give any patient (for example, a
 * cancer record may go 8 years after death). Applications extend each record's
 * retention from its own event (last seen, birth, death); the store never
 * shortens it.
 *
 * Source: Records Management Code of Practice 2021, as summarised by the Royal
 * College of Radiologists (2025); see NHS-FACTS.md.
 */
export class RecordsCategory {
  /** Adult health records: 8 years after the patient was last seen. */
  public static readonly ADULT = new RecordsCategory('adult', 'Adult health records', 8, 8, RetentionTrigger.LAST_SEEN,
    '8 years after the patient was last seen', true);
  /** Children's records: until the 25th birthday (26th if 17 when last seen); at least 8 years. */
  public static readonly CHILD = new RecordsCategory('child', "Children's health records", 8, 25, RetentionTrigger.BIRTH,
    'until the 25th birthday, or the 26th if the patient was 17 when last seen', true);
  /** Maternity records: 25 years. */
  public static readonly MATERNITY = new RecordsCategory('maternity', 'Maternity records', 25, 25, RetentionTrigger.BIRTH,
    '25 years after the birth of the last child', true);
  /** Mental health records: 20 years after last seen, or 10 years after death. */
  public static readonly MENTAL_HEALTH = new RecordsCategory('mental-health', 'Mental health records', 10, 20, RetentionTrigger.LAST_SEEN,
    '20 years after the patient was last seen, or 10 years after death', true);
  /** Oncology records: 30 years after diagnosis, or 8 years after death. */
  public static readonly CANCER = new RecordsCategory('cancer', 'Oncology (cancer) records', 8, 30, RetentionTrigger.DIAGNOSIS,
    '30 years after diagnosis, or 8 years after death', true);
  /** Transplant records: 30 years. */
  public static readonly TRANSPLANT = new RecordsCategory('transplant', 'Transplant records', 30, 30, RetentionTrigger.LAST_SEEN,
    '30 years', true);
  /** Records of chronic or recurring conditions: 20 years. */
  public static readonly CHRONIC = new RecordsCategory('chronic', 'Chronic or recurring conditions', 20, 20, RetentionTrigger.LAST_SEEN,
    '20 years', true);
  /** Screening records: 10 years. */
  public static readonly SCREENING = new RecordsCategory('screening', 'Screening records', 10, 10, RetentionTrigger.CREATION,
    '10 years', true);
  /** Images and reports (RCR recommendation): 30 years after last seen, or 10 years after death. */
  public static readonly IMAGING = new RecordsCategory('imaging', 'Images and reports (RCR recommendation)', 10, 30, RetentionTrigger.LAST_SEEN,
    '30 years after the patient was last seen, or 10 years after death', true);
  /**
   * Audit and flow logs: no NHS-mandated period was found (unverified); the
   * backbone keeps them at least a year by design.
   */
  public static readonly AUDIT_LOG = new RecordsCategory('audit-log', 'Audit and flow logs', 1, 1, RetentionTrigger.CREATION,
    'at least 1 year (a design choice: no NHS-mandated period found)', false);

  /** Every category, in the order above. */
  public static all(): RecordsCategory[] {
    return [
      RecordsCategory.ADULT, RecordsCategory.CHILD, RecordsCategory.MATERNITY, RecordsCategory.MENTAL_HEALTH,
      RecordsCategory.CANCER, RecordsCategory.TRANSPLANT, RecordsCategory.CHRONIC, RecordsCategory.SCREENING,
      RecordsCategory.IMAGING, RecordsCategory.AUDIT_LOG,
    ];
  }

  /** The category with this id (e.g. `adult`), or undefined. */
  public static fromId(id: string): RecordsCategory | undefined {
    return RecordsCategory.all().find((c) => c.id === id);
  }

  private constructor(
    /** Stable id used in specs and tags, e.g. `mental-health`. */
    public readonly id: string,
    /** Human-readable name. */
    public readonly title: string,
    /** The floor a store enforces on every object in the category, in years. */
    public readonly minimumLockYears: number,
    /** The headline period of the rule, in years (from its trigger). */
    public readonly periodYears: number,
    /** What the period runs from. */
    public readonly trigger: RetentionTrigger,
    /** The rule in words. */
    public readonly rule: string,
    /** True when the legal minimum must be enforced in compliance mode (no one, not even an admin, may shorten it). */
    public readonly requiresComplianceMode: boolean,
  ) {}

  /** The floor in days (365 a year, as S3 Object Lock and GCS retention count). */
  public get minimumLockDays(): number {
    return this.minimumLockYears * 365;
  }
}

/** How a store's lock behaves. */
export enum LockMode {
  /** Nobody, including administrators, can shorten or remove the lock. */
  COMPLIANCE = 'compliance',
  /** Privileged users can shorten or remove the lock. */
  GOVERNANCE = 'governance',
}

/**
 * A store's retention: a records category and, optionally, a longer period.
 */
export class Retention {
  /** The category's legal minimum in compliance mode. */
  public static records(category: RecordsCategory): Retention {
    return new Retention(category, category.minimumLockYears,
      category.requiresComplianceMode ? LockMode.COMPLIANCE : LockMode.GOVERNANCE);
  }

  private constructor(
    public readonly category: RecordsCategory,
    public readonly years: number,
    public readonly mode: LockMode,
  ) {}

  /**
   * A longer lock than the category's floor. Throws when shorter than the
   * legal minimum.
   */
  public withYears(years: number): Retention {
    if (!Number.isInteger(years) || years < this.category.minimumLockYears || years > 100) {
      throw BackboneError.of('retention.years', `${years} is not allowed for ${this.category.id} records (a whole number from ${this.category.minimumLockYears}, the category's legal minimum, to 100)`);
    }
    return new Retention(this.category, years, this.mode);
  }

  /** The lock in days. */
  public get days(): number {
    return this.years * 365;
  }
}
