import { spawnSync } from 'child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { main } from '../../src/cli/main';

/** Runs the command in-process and captures what it prints. */
async function run(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join('\n'), err: err.join('\n'), errLines: err.join('\n').split('\n').filter((l) => l) };
}

const work = mkdtempSync(join(tmpdir(), 'nhs-backbone-cli-'));
let n = 0;
function specFile(content: string, ext = 'yaml'): string {
  const f = join(work, `spec${n++}.${ext}`);
  writeFileSync(f, content);
  return f;
}

const GOOD = `name: cli-test
addressPool: 10.180.0.0/14
trusts:
  - { odsCode: REM, name: Liverpool, icb: QYG }
  - { odsCode: RBS, name: Alder Hey, icb: QYG }
apps:
  - { name: ai-triage, trusts: ["*"], dicomweb: read }
network:
  hscn: { peerAddresses: [203.0.113.10], peerAsn: 65010 }
identity:
  securityContact: security@cli-test.nhs.uk
`;

describe('nhs-backbone validate', () => {
  test('a valid spec exits 0 and says what it holds', async () => {
    const r = await run('validate', specFile(GOOD));
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/valid: backbone cli-test \(prod, residency uk\), 2 trusts, 1 apps, pool 10\.180\.0\.0\/14/);
    // The one warning every residency-uk spec gets: where the backup copies live.
    expect(r.err.trim().split('\n')).toEqual([expect.stringMatching(/^warning: .*spec1\.yaml: storage\.backup: AWS and Google Cloud have one UK region each/)]);
  });

  test('JSON is accepted too', async () => {
    const r = await run('validate', specFile(JSON.stringify({ name: 'json-spec', trusts: [{ odsCode: 'REM' }] }), 'json'));
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/^warning: .*: network\.hscn: not given/);
  });

  const bad: Array<[string, string, RegExp[]]> = [
    ['a missing name', 'trusts: [{ odsCode: REM }]', [/^error: .*: name: is required/]],
    ['a name with capitals', 'name: Cheshire\ntrusts: [{ odsCode: REM }]', [/^error: .*: name: "Cheshire" is not allowed \(3-20 characters/]],
    ['a name with spaces', 'name: my backbone\ntrusts: [{ odsCode: REM }]', [/^error: .*: name: "my backbone" is not allowed/]],
    ['no trusts', 'name: no-trusts\ntrusts: []', [/^error: .*: trusts: is empty/]],
    ['a duplicate ODS code', 'name: dup-ods\ntrusts: [{ odsCode: REM }, { odsCode: REM }]', [/^error: .*: trusts\[1\]\.odsCode: "REM" is a duplicate of trusts\[0\]\.odsCode/]],
    ['a malformed ODS code', 'name: bad-ods\ntrusts: [{ odsCode: rem }]', [/^error: .*: trusts\[0\]\.odsCode: "rem" is not an ODS code \(3-5 upper-case letters or digits\)$/]],
    ['an app naming an unknown trust', 'name: bad-app\ntrusts: [{ odsCode: REM }]\napps: [{ name: viewer, trusts: [RXX] }]', [/^error: .*: apps\[0\]\.trusts\[0\]: "RXX" is not a trust of this backbone/]],
    ['a non-UK region', 'name: bad-region\nregions: { azure: westeurope }\ntrusts: [{ odsCode: REM }]', [/^error: .*: regions\.azure: "westeurope" is not allowed under residency uk \(allowed: uksouth, ukwest\)$/]],
    ['a public pool', 'name: bad-pool\naddressPool: 8.8.0.0/16\ntrusts: [{ odsCode: REM }]', [/^error: .*: addressPool: 8\.8\.0\.0\/16 is not private/]],
    ['a pool overlapping a reserved block', 'name: bad-pool\naddressPool: 10.104.0.0/14\ntrusts: [{ odsCode: REM }]', [/^error: .*: addressPool: 10\.104\.0\.0\/14 overlaps 10\.104\.0\.0\/13/]],
    ['a pool too small', 'name: bad-pool\naddressPool: 10.180.0.0/19\ntrusts: [{ odsCode: REM }]', [/^error: .*: addressPool: 10\.180\.0\.0\/19 is too small: .* use a \/18 or larger$/]],
    ['several problems at once', 'name: X\ntrusts: [{ odsCode: rem }, { odsCode: RBS }, { odsCode: RBS }]', [/name: "X"/, /trusts\[0\]\.odsCode/, /trusts\[2\]\.odsCode/]],
    ['a file that is not YAML or JSON', 'name: [unclosed\n  - : }{', [/^error: .*spec\d+\.yaml: is not valid YAML or JSON/]],
    ['a YAML file that is not a mapping', 'just some words', [/^error: .*: is not a backbone spec: expected a YAML or JSON mapping .* found a string$/]],
  ];

  test.each(bad)('%s: exit 1, one line per problem, no stack trace', async (_what, content, expected) => {
    const r = await run('validate', specFile(content));
    expect(r.code).toBe(1);
    const errors = r.errLines.filter((l) => l.startsWith('error: '));
    expect(errors).toHaveLength(expected.length);
    expected.forEach((re, i) => expect(errors[i]).toMatch(re));
    expect(r.err).not.toMatch(/\n\s+at /);
  });

  test('a file that does not exist', async () => {
    const r = await run('validate', join(work, 'missing.yaml'));
    expect(r.code).toBe(1);
    expect(r.errLines).toEqual([expect.stringMatching(/^error: .*missing\.yaml: no such file \(expected a backbone spec in YAML or JSON\)$/)]);
  });

  test('a JSON file that is not JSON', async () => {
    const r = await run('validate', specFile('{ "name": ', 'json'));
    expect(r.code).toBe(1);
    expect(r.errLines).toEqual([expect.stringMatching(/^error: .*\.json: is not valid JSON: /)]);
  });

  test('unknown fields are warned about, naming them', async () => {
    const r = await run('validate', specFile(GOOD + 'enviroment: dev\n'));
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/^warning: .*: enviroment: unknown field, ignored \(did you mean "environment"\?\)/m);
  });
});

describe('wrong usage exits 2 with the usage', () => {
  test.each([
    [[]],
    [['deploy', 'x.yaml']],
    [['validate']],
    [['synth']],
    [['synth', 'x.yaml', '--cloud', 'oracle']],
    [['synth', 'x.yaml', '--cloud']],
    [['synth', 'x.yaml', '--colour', 'red']],
    [['validate', 'a.yaml', 'b.yaml']],
  ])('%j', async (argv) => {
    const r = await run(...argv);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/usage:\n\s+nhs-backbone validate <spec>/);
  });

  test('help exits 0', async () => {
    const r = await run('--help');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/nhs-backbone synth <spec> \[--cloud aws\|azure\|gcp\|all\] \[--out DIR\]/);
  });
});

describe('nhs-backbone synth', () => {
  const out = join(work, 'out');
  const spec = specFile(GOOD);
  let result: Awaited<ReturnType<typeof run>>;
  beforeAll(async () => {
    result = await run('synth', spec, '--out', out);
  });

  test('exits 0 and prints a per-cloud summary', () => {
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/^aws\s+4\s+\d+\s+\d+\.\d\s+/m);
    expect(result.out).toMatch(/^azure\s+4\s+\d+\s+\d+\.\d\s+/m);
    expect(result.out).toMatch(/^gcp\s+7\s+\d+\s+\d+\.\d\s+/m);
  });

  test('writes the output layout of DESIGN.md', () => {
    expect(existsSync(join(out, 'aws', 'manifest.json'))).toBe(true);
    // The hub, the ICB's imaging network and the two trusts.
    expect(readdirSync(join(out, 'aws')).filter((f) => f.endsWith('.template.json'))).toHaveLength(4);
    expect(readdirSync(join(out, 'azure', 'stacks')).sort()).toEqual(['cli-test-hub-prod', 'cli-test-img-icb-qyg-prod', 'cli-test-rbs-prod', 'cli-test-rem-prod']);
    // Google Cloud: the backup project's stack, one backup stack per trust beside the trust's own, and the ICB's imaging network.
    expect(readdirSync(join(out, 'gcp', 'stacks')).sort()).toEqual([
      'cli-test-backup-prod', 'cli-test-hub-prod', 'cli-test-img-icb-qyg-prod', 'cli-test-rbs-backup-prod', 'cli-test-rbs-prod', 'cli-test-rem-backup-prod', 'cli-test-rem-prod',
    ]);
    for (const cloud of ['azure', 'gcp']) {
      const tf = JSON.parse(readFileSync(join(out, cloud, 'stacks', 'cli-test-rem-prod', 'cdk.tf.json'), 'utf8'));
      expect(Object.keys(tf.resource).length).toBeGreaterThan(0);
    }
  });

  test('records the address slots in the lock file beside the spec', () => {
    const lock = JSON.parse(readFileSync(spec.replace(/\.yaml$/, '.lock.json'), 'utf8'));
    expect(lock).toEqual({ version: 1, pool: '10.180.0.0/14', trusts: { REM: 0, RBS: 1 }, apps: { 'ai-triage': 0 } });
    expect(result.out).toMatch(/address slots recorded in .*\.lock\.json \(3 new\)/);
  });

  test('--cloud gcp builds one cloud only', async () => {
    const one = join(work, 'one');
    const r = await run('synth', spec, '--cloud=gcp', '--out', one);
    expect(r.code).toBe(0);
    expect(readdirSync(one)).toEqual(['gcp']);
  });

  test('synth ends with the compliance profile over what it wrote: no unacknowledged errors', () => {
    expect(result.out).toMatch(/^NHS compliance profile: \d+ resources, 0 unacknowledged errors$/m);
  });

  test('check passes on that output in every format (exit 0)', async () => {
    const text = await run('check', out);
    expect(text.code).toBe(0);
    expect(text.out).toMatch(/^NHS compliance profile: \d+ resources checked, 0 unacknowledged errors, \d+ acknowledged, \d+ warnings: PASSED$/m);
    const json = await run('check', out, '--format', 'json');
    expect(json.code).toBe(0);
    const report = JSON.parse(json.out);
    expect(report.passed).toBe(true);
    expect(report.checkedResources).toBeGreaterThan(500);
    // Every acknowledged finding carries its written reason.
    for (const f of report.findings) expect(f.acknowledgedReason ?? '').toMatch(/.{20,}/);
    const md = await run('check', out, '--format=markdown');
    expect(md.out).toMatch(/^### NHS compliance profile: passed/);
    expect(md.out).toContain('| NHS-BAK-1 | Every clinical store has an immutable backup copy | 2.6 Resilience | B5.c Backups |');
  });

  test('a tampered output fails the check, naming the rule and the resource (exit 1)', async () => {
    const tampered = join(work, 'tampered');
    cpSync(join(out, 'gcp'), join(tampered, 'gcp'), { recursive: true });
    const file = join(tampered, 'gcp', 'stacks', 'cli-test-rem-prod', 'cdk.tf.json');
    const tf = JSON.parse(readFileSync(file, 'utf8'));
    const [name, bucket] = Object.entries<any>(tf.resource.google_storage_bucket)[0];
    delete bucket.encryption;
    writeFileSync(file, JSON.stringify(tf));
    const r = await run('check', tampered);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/FAILED/);
    expect(r.out).toMatch(new RegExp(`^error\\s+NHS-ENC-1\\s+gcp\\s+cli-test-rem-prod\\s+google_storage_bucket\\.${name}\\s`, 'm'));
  });

  test('check: a wrong format is wrong usage (2); a missing or empty folder is bad input (1)', async () => {
    expect((await run('check', out, '--format', 'html')).code).toBe(2);
    expect((await run('check')).code).toBe(2);
    const missing = await run('check', join(work, 'no-such-folder'));
    expect(missing.code).toBe(1);
    expect(missing.errLines).toEqual([expect.stringMatching(/^error: .*no-such-folder: no such folder/)]);
    const empty = mkdtempSync(join(work, 'empty-'));
    const r = await run('check', empty);
    expect(r.code).toBe(1);
    expect(r.errLines).toEqual([expect.stringMatching(/no synth output in it \(expected aws\/, azure\/ or gcp\//)]);
  });

  test('bad input writes nothing: no output folder, no lock file', async () => {
    const badOut = join(work, 'never');
    const bad = specFile('name: nothing-written\ntrusts: [{ odsCode: rem }]');
    const r = await run('synth', bad, '--out', badOut);
    expect(r.code).toBe(1);
    expect(existsSync(badOut)).toBe(false);
    expect(existsSync(bad.replace(/\.yaml$/, '.lock.json'))).toBe(false);
  });
});

describe('the real process', () => {
  // Spawned through ts-node (transpile only) so the test needs no prior compile.
  const cli = (...args: string[]) => spawnSync(process.execPath, [
    '-e', "require('ts-node').register({ transpileOnly: true }); require('./src/cli/main').main(process.argv.slice(1)).then((c) => { process.exitCode = c; })",
    ...args,
  ], { cwd: join(__dirname, '..', '..'), encoding: 'utf8' });

  test('exit codes 1 and 2 reach the shell, with no stack trace', () => {
    const bad = cli('validate', specFile('name: Bad Name\ntrusts: [{ odsCode: REM }]'));
    expect(bad.status).toBe(1);
    expect(bad.stderr.trim().split('\n').filter((l) => !l.startsWith('warning: '))).toEqual([
      expect.stringMatching(/^error: .*: name: "Bad Name" is not allowed/),
    ]);
    const usage = cli('frobnicate');
    expect(usage.status).toBe(2);
    expect(usage.stderr).toMatch(/^nhs-backbone: unknown command "frobnicate"/);
  });
});
