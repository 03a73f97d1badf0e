import { ACKNOWLEDGEMENTS_KEY, ComplianceFinding, ComplianceReport, FindingSeverity, NhsComplianceProfile, ReportFormat } from '../../src/core/compliance';
import { BackboneError } from '../../src/core/errors';
import { Cloud } from '../../src/core/regions';

const finding = (over: Partial<ComplianceFinding> = {}): ComplianceFinding => ({
  ruleId: 'NHS-ENC-1',
  cloud: Cloud.AWS,
  stack: 'x-rem-prod',
  resource: 'StoreBucket1234',
  resourceType: 'AWS::S3::Bucket',
  message: 'bucket is encrypted with an AWS-managed key, not a customer key',
  severity: FindingSeverity.ERROR,
  ...over,
});

const messageOf = (fn: () => unknown): string => {
  try {
    fn();
  } catch (e) {
    expect(BackboneError.isBackboneError(e)).toBe(true);
    return (e as Error).message;
  }
  throw new Error('no error');
};

describe('the NHS compliance profile', () => {
  test('eight rules, each mapped to an NCSC Cloud Security Principle and a DSPT outcome', () => {
    const rules = NhsComplianceProfile.rules();
    expect(rules.map((r) => r.id)).toEqual(['NHS-ENC-1', 'NHS-RES-1', 'NHS-NET-1', 'NHS-TAG-1', 'NHS-LOG-1', 'NHS-RET-1', 'NHS-BAK-1', 'NHS-IAM-1']);
    for (const r of rules) {
      expect(r.ncscPrinciple).toMatch(/^\d+(\.\d+)? [A-Z]/);
      expect(r.dsptOutcome).toMatch(/^[A-D]\d\.[a-e] [A-Z]/);
    }
    expect(NhsComplianceProfile.rule('NHS-BAK-1').dsptOutcome).toBe('B5.c Backups');
  });

  test('an acknowledgement needs a known rule and a written reason', () => {
    expect(NhsComplianceProfile.checkAcknowledgement({ ruleId: 'NHS-NET-1', reason: '  the HSCN VPN gateway needs a public IP to reach the provider  ' }))
      .toEqual({ ruleId: 'NHS-NET-1', reason: 'the HSCN VPN gateway needs a public IP to reach the provider' });
    expect(messageOf(() => NhsComplianceProfile.checkAcknowledgement({ ruleId: 'NHS-NET-9', reason: 'a long enough reason, surely' })))
      .toMatch(/^ruleId: "NHS-NET-9" is not a rule of the NHS compliance profile \(one of: NHS-ENC-1, /);
    expect(messageOf(() => NhsComplianceProfile.checkAcknowledgement({ ruleId: 'NHS-NET-1', reason: 'ok' })))
      .toBe('reason: an acknowledgement of NHS-NET-1 needs a written reason of at least 20 characters, saying why the finding is accepted');
  });

  test('acknowledgements are read back from output metadata, malformed ones ignored', () => {
    expect(NhsComplianceProfile.acknowledgementsIn({
      [ACKNOWLEDGEMENTS_KEY]: [{ ruleId: 'NHS-LOG-1', reason: 'logs go to the central archive by another path' }, { ruleId: 'NHS-ENC-1' }, { ruleId: 'NHS-TAG-1', reason: 'short' }],
    })).toEqual([{ ruleId: 'NHS-LOG-1', reason: 'logs go to the central archive by another path' }]);
    expect(NhsComplianceProfile.acknowledgementsIn(undefined)).toEqual([]);
  });
});

describe('the compliance report', () => {
  const failed = new ComplianceReport([
    finding(),
    finding({ ruleId: 'NHS-NET-1', resource: 'VpnEip', message: 'public IP', acknowledgedReason: 'the HSCN VPN endpoint must be reachable by the provider' }),
    finding({ ruleId: 'NHS-TAG-1', severity: FindingSeverity.WARNING, message: 'no ods-code tag' }),
  ], 42);

  test('fails on an unacknowledged error only', () => {
    expect(failed.passed).toBe(false);
    expect(failed.unacknowledgedErrors().map((f) => f.ruleId)).toEqual(['NHS-ENC-1']);
    expect(new ComplianceReport([finding({ acknowledgedReason: 'x'.repeat(20) }), finding({ severity: FindingSeverity.WARNING })], 1).passed).toBe(true);
  });

  test('text: a summary line, then a table of findings', () => {
    const lines = failed.render(ReportFormat.TEXT).trimEnd().split('\n');
    expect(lines[0]).toBe('NHS compliance profile: 42 resources checked, 1 unacknowledged errors, 1 acknowledged, 1 warnings: FAILED');
    expect(lines[2]).toMatch(/^status\s+rule\s+cloud\s+stack\s+resource\s+finding$/);
    expect(lines.slice(3).map((l) => l.split(/\s+/).slice(0, 2).join(' '))).toEqual(['error NHS-ENC-1', 'warning NHS-TAG-1', 'acknowledged NHS-NET-1']);
  });

  test('json: machine-readable, with the rules and the findings', () => {
    const j = JSON.parse(failed.render(ReportFormat.JSON));
    expect(j).toMatchObject({ passed: false, checkedResources: 42, summary: { errors: 1, acknowledged: 1, warnings: 1 } });
    expect(j.rules).toHaveLength(8);
    expect(j.findings[0]).toMatchObject({ ruleId: 'NHS-ENC-1', resource: 'StoreBucket1234' });
  });

  test('markdown: a summary per rule first, the findings folded under it', () => {
    const md = failed.render(ReportFormat.MARKDOWN);
    expect(md).toMatch(/^### NHS compliance profile: \*\*failed\*\*/);
    expect(md).toContain('| NHS-ENC-1 | Data at rest is encrypted with a customer-managed key | 2.3 Data at rest protection | B3.c Stored data | 1 | 0 |');
    expect(md).toContain('| NHS-NET-1 | No inbound access from the internet except declared app ingress | 11 External interface protection | B4.a Secure by design | 0 | 1 |');
    expect(md.indexOf('<details>')).toBeGreaterThan(md.indexOf('| NHS-IAM-1 |'));
  });
});
