import { BackboneError } from './errors';
import { Cloud } from './regions';

/** How bad a finding is. */
export enum FindingSeverity {
  /** Fails `nhs-backbone check` unless acknowledged. */
  ERROR = 'error',
  /** Reported; never fails the check. */
  WARNING = 'warning',
}

/**
 * A rule of the NHS compliance profile, with the NCSC Cloud Security Principle
 * and the DSPT (Cyber Assessment Framework-aligned) outcome it evidences.
 */
export interface ComplianceRule {
  /** Stable id, e.g. `NHS-ENC-1`. */
  readonly id: string;
  /** One line: what must hold. */
  readonly title: string;
  /** The NCSC Cloud Security Principle it evidences, e.g. `2.3 Data at rest protection`. */
  readonly ncscPrinciple: string;
  /** The DSPT outcome it evidences, e.g. `B3.c Stored data`. */
  readonly dsptOutcome: string;
  /** Severity of its findings. */
  readonly severity: FindingSeverity;
}

/** A resource that breaks a rule, in a synthesised output. */
export interface ComplianceFinding {
  /** The rule broken. */
  readonly ruleId: string;
  /** The cloud of the output. */
  readonly cloud: Cloud;
  /** The stack (CloudFormation stack or Terraform stack directory). */
  readonly stack: string;
  /** The resource: CloudFormation logical id, or Terraform address (`type.name`). */
  readonly resource: string;
  /** The resource type (CloudFormation type or Terraform resource type). */
  readonly resourceType: string;
  /** What is wrong, in one line. */
  readonly message: string;
  /** The rule's severity. */
  readonly severity: FindingSeverity;
  /**
   * The written reason, when the finding was acknowledged on the resource.
   * @default - not acknowledged
   */
  readonly acknowledgedReason?: string;
}

/** An acknowledgement of one rule on one resource, with the reason. */
export interface ComplianceAcknowledgement {
  /** The rule id (e.g. `NHS-NET-1`). */
  readonly ruleId: string;
  /** Why the finding is accepted: at least 20 characters, for the assurance team to read. */
  readonly reason: string;
}

const RULES: ComplianceRule[] = [
  {
    id: 'NHS-ENC-1',
    title: 'Data at rest is encrypted with a customer-managed key',
    ncscPrinciple: '2.3 Data at rest protection',
    dsptOutcome: 'B3.c Stored data',
    severity: FindingSeverity.ERROR,
  },
  {
    id: 'NHS-RES-1',
    title: 'Every resource is in a region the residency allows (UK by default)',
    ncscPrinciple: '2.1 Physical location and legal jurisdiction',
    dsptOutcome: 'B3.a Understanding data',
    severity: FindingSeverity.ERROR,
  },
  {
    id: 'NHS-NET-1',
    title: 'No inbound access from the internet except declared app ingress',
    ncscPrinciple: '11 External interface protection',
    dsptOutcome: 'B4.a Secure by design',
    severity: FindingSeverity.ERROR,
  },
  {
    id: 'NHS-TAG-1',
    title: 'Every taggable resource carries the ODS-code tag',
    ncscPrinciple: '4 Governance framework',
    dsptOutcome: 'A3.a Asset management',
    severity: FindingSeverity.ERROR,
  },
  {
    id: 'NHS-LOG-1',
    title: 'Audit and flow logs are on',
    ncscPrinciple: '13 Audit information and alerting for customers',
    dsptOutcome: 'C1.a Monitoring coverage',
    severity: FindingSeverity.ERROR,
  },
  {
    id: 'NHS-RET-1',
    title: "A store's retention lock is at least its records category's legal minimum",
    ncscPrinciple: '2 Asset protection and resilience',
    dsptOutcome: 'B3.c Stored data',
    severity: FindingSeverity.ERROR,
  },
  {
    id: 'NHS-BAK-1',
    title: 'Every clinical store has an immutable backup copy',
    ncscPrinciple: '2.6 Resilience',
    dsptOutcome: 'B5.c Backups',
    severity: FindingSeverity.ERROR,
  },
  {
    id: 'NHS-IAM-1',
    title: 'No wildcard administrative grants',
    ncscPrinciple: '9 Secure user management',
    dsptOutcome: 'B2.c Privileged user management',
    severity: FindingSeverity.ERROR,
  },
];

/** Metadata key (CloudFormation `Metadata`, Terraform `//`) that carries acknowledgements in synth output. */
export const ACKNOWLEDGEMENTS_KEY = 'nhs-backbone:acknowledgements';
/** Tag (label on Google Cloud) naming a clinical store's records category, read by NHS-RET-1. */
export const RECORDS_CATEGORY_TAG = 'records-category';
const MIN_REASON = 20;

/**
 * The NHS compliance profile: its rules, acknowledgements and reports. Each
 * cloud evaluates the rules over its synthesised output (CloudFormation
 * templates, Terraform JSON), so the same code serves synth time and
 * `nhs-backbone check` on output someone else synthesised.
 */
export class NhsComplianceProfile {
  /** Every rule, in id order of the profile. */
  public static rules(): ComplianceRule[] {
    return RULES.map((r) => ({ ...r }));
  }

  /** The rule with this id; throws a BackboneError naming `ruleId` when there is none. */
  public static rule(ruleId: string): ComplianceRule {
    const r = RULES.find((x) => x.id === ruleId);
    if (!r) throw BackboneError.of('ruleId', `${JSON.stringify(ruleId)} is not a rule of the NHS compliance profile (one of: ${RULES.map((x) => x.id).join(', ')})`);
    return { ...r };
  }

  /**
   * Checks an acknowledgement: a known rule and a written reason. Throws a
   * BackboneError naming the field.
   */
  public static checkAcknowledgement(ack: ComplianceAcknowledgement): ComplianceAcknowledgement {
    NhsComplianceProfile.rule(ack.ruleId);
    if (typeof ack.reason !== 'string' || ack.reason.trim().length < MIN_REASON) {
      throw BackboneError.of('reason', `an acknowledgement of ${ack.ruleId} needs a written reason of at least ${MIN_REASON} characters, saying why the finding is accepted`);
    }
    return { ruleId: ack.ruleId, reason: ack.reason.trim() };
  }

  /**
   * The acknowledgements recorded on a resource's metadata (the value under
   * ACKNOWLEDGEMENTS_KEY), ignoring malformed entries.
   */
  public static acknowledgementsIn(metadata: any): ComplianceAcknowledgement[] {
    const list = metadata?.[ACKNOWLEDGEMENTS_KEY];
    if (!Array.isArray(list)) return [];
    return list.filter((a) => a && typeof a.ruleId === 'string' && typeof a.reason === 'string' && a.reason.trim().length >= MIN_REASON)
      .map((a) => ({ ruleId: a.ruleId, reason: a.reason }));
  }

  private constructor() {}
}

/** Output formats of a compliance report. */
export enum ReportFormat {
  TEXT = 'text',
  JSON = 'json',
  MARKDOWN = 'markdown',
}

/** The findings of a compliance check, and their rendering. */
export class ComplianceReport {
  /** The findings, sorted by cloud, stack, resource and rule. */
  public readonly findings: ComplianceFinding[];
  /** The resources checked, per cloud. */
  public readonly checkedResources: number;

  constructor(findings: ComplianceFinding[], checkedResources: number) {
    this.findings = [...findings].sort((a, b) =>
      a.cloud.localeCompare(b.cloud) || a.stack.localeCompare(b.stack) || a.resource.localeCompare(b.resource) || a.ruleId.localeCompare(b.ruleId));
    this.checkedResources = checkedResources;
  }

  /** Findings of severity error that are not acknowledged: any of them fails the check. */
  public unacknowledgedErrors(): ComplianceFinding[] {
    return this.findings.filter((f) => f.severity === FindingSeverity.ERROR && f.acknowledgedReason === undefined);
  }

  /** True when the check passes (no unacknowledged error). */
  public get passed(): boolean {
    return this.unacknowledgedErrors().length === 0;
  }

  /** The report in a format. */
  public render(format: ReportFormat): string {
    switch (format) {
      case ReportFormat.JSON: return this.toJson();
      case ReportFormat.MARKDOWN: return this.toMarkdown();
      default: return this.toText();
    }
  }

  private summary(): { errors: number; acknowledged: number; warnings: number } {
    return {
      errors: this.unacknowledgedErrors().length,
      acknowledged: this.findings.filter((f) => f.acknowledgedReason !== undefined).length,
      warnings: this.findings.filter((f) => f.severity === FindingSeverity.WARNING && f.acknowledgedReason === undefined).length,
    };
  }

  private status(f: ComplianceFinding): string {
    return f.acknowledgedReason !== undefined ? 'acknowledged' : f.severity;
  }

  private toText(): string {
    const s = this.summary();
    const lines = [`NHS compliance profile: ${this.checkedResources} resources checked, ${s.errors} unacknowledged errors, ${s.acknowledged} acknowledged, ${s.warnings} warnings: ${this.passed ? 'PASSED' : 'FAILED'}`];
    if (this.findings.length > 0) {
      const rows = this.findings.map((f) => [this.status(f), f.ruleId, f.cloud, f.stack, f.resource, f.acknowledgedReason !== undefined ? `${f.message} (acknowledged: ${f.acknowledgedReason})` : f.message]);
      const head = ['status', 'rule', 'cloud', 'stack', 'resource', 'finding'];
      const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
      const fmt = (r: string[]) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  ');
      lines.push('', fmt(head), ...rows.map(fmt));
    }
    return lines.join('\n') + '\n';
  }

  private toJson(): string {
    return JSON.stringify({
      profile: 'nhs-backbone',
      passed: this.passed,
      checkedResources: this.checkedResources,
      summary: this.summary(),
      rules: NhsComplianceProfile.rules(),
      findings: this.findings,
    }, undefined, 2) + '\n';
  }

  private toMarkdown(): string {
    const s = this.summary();
    const esc = (x: string) => x.replace(/\|/g, '\\|').replace(/\n/g, ' ');
    const out = [
      `### NHS compliance profile: ${this.passed ? 'passed' : '**failed**'}`,
      '',
      `${this.checkedResources} resources checked: ${s.errors} unacknowledged errors, ${s.acknowledged} acknowledged, ${s.warnings} warnings.`,
      '',
      '| rule | what it requires | NCSC principle | DSPT outcome | open | acknowledged |',
      '|---|---|---|---|---|---|',
      ...NhsComplianceProfile.rules().map((r) => {
        const mine = this.findings.filter((f) => f.ruleId === r.id);
        return `| ${r.id} | ${esc(r.title)} | ${esc(r.ncscPrinciple)} | ${esc(r.dsptOutcome)} | ${mine.filter((f) => f.acknowledgedReason === undefined).length} | ${mine.filter((f) => f.acknowledgedReason !== undefined).length} |`;
      }),
    ];
    if (this.findings.length > 0) {
      out.push('', '<details><summary>Findings</summary>', '', '| status | rule | cloud | stack | resource | finding |', '|---|---|---|---|---|---|');
      for (const f of this.findings) {
        out.push(`| ${this.status(f)} | ${f.ruleId} | ${f.cloud} | ${esc(f.stack)} | \`${esc(f.resource)}\` | ${esc(f.message)}${f.acknowledgedReason !== undefined ? ` (acknowledged: ${esc(f.acknowledgedReason)})` : ''} |`);
      }
      out.push('', '</details>');
    }
    return out.join('\n') + '\n';
  }
}
