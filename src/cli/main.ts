import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'fs';
import { dirname, join, resolve } from 'path';
import { AddressLock } from '../core/address-plan';
import { BackboneSpec } from '../core/backbone-spec';
import { ComplianceFinding, ComplianceReport, ReportFormat } from '../core/compliance';
import { DiffFormat, DiffReport, StackDiff, diffTerraformStacks, readTerraformOutput } from '../core/diff';
import { BackboneError, formatProblem } from '../core/errors';
import { loadSpecFile, lockPathFor, readLock, serialiseLock } from '../core/load';
import { SpecProblem } from '../core/problem';
import { Cloud } from '../core/regions';

/**
 * The `nhs-backbone` command. Not part of the jsii API.
 *
 * Exit codes: 0 success; 1 invalid input (one line per problem, nothing
 * written); 2 wrong usage.
 */

export const USAGE = `usage:
  nhs-backbone validate <spec>
  nhs-backbone synth <spec> [--cloud aws|azure|gcp|all] [--out DIR]
  nhs-backbone check <DIR> [--format text|json|markdown]
  nhs-backbone diff <OLD_DIR> <NEW_DIR> [--format text|json|markdown] [--fail-on-destroy]

  validate   check a backbone spec (YAML or JSON) and print every problem
  synth      build the backbone for one or all clouds into DIR (default backbone.out):
             DIR/aws is a CDK cloud assembly, DIR/azure and DIR/gcp use the cdktf.out layout
  check      check a synth output (DIR/aws, DIR/azure, DIR/gcp) against the NHS compliance profile
  diff       compare two synth outputs, every cloud present: per stack the resources added, removed and
             changed, with the stateful resources destroyed or replaced and the security-relevant changes
             first; --fail-on-destroy exits 1 when a store, key, DICOM store, log archive or backup vault
             would be destroyed or replaced

exit codes: 0 success, 1 invalid input, a failed check or (with --fail-on-destroy) a destroyed store, 2 wrong usage`;

export interface Io {
  out(line: string): void;
  err(line: string): void;
}

const defaultIo: Io = {
  out: (l) => process.stdout.write(l + '\n'),
  err: (l) => process.stderr.write(l + '\n'),
};

class UsageError extends Error {}

const CLOUDS = ['aws', 'azure', 'gcp'] as const;
type CloudName = typeof CLOUDS[number];

interface Parsed {
  command: string;
  positional: string[];
  options: Record<string, string>;
}

/** Options that take no value. */
const FLAGS = new Set(['fail-on-destroy']);

function parse(argv: string[], allowed: Record<string, string[]>): Parsed {
  const [command, ...rest] = argv;
  if (!command) throw new UsageError('missing command');
  if (!(command in allowed)) throw new UsageError(`unknown command "${command}"`);
  const positional: string[] = [];
  const options: Record<string, string> = {};
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i];
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const key = eq > 0 ? a.slice(2, eq) : a.slice(2);
      if (!allowed[command].includes(key)) throw new UsageError(`unknown option --${key} for ${command}`);
      if (FLAGS.has(key)) {
        if (eq > 0) throw new UsageError(`--${key} takes no value`);
        options[key] = 'true';
        continue;
      }
      const value = eq > 0 ? a.slice(eq + 1) : rest[++i];
      if (value === undefined || value === '') throw new UsageError(`--${key} needs a value`);
      options[key] = value;
    } else {
      positional.push(a);
    }
  }
  return { command, positional, options };
}

function printProblems(io: Io, problems: SpecProblem[], file?: string): void {
  for (const p of problems) {
    const line = formatProblem(p);
    io.err(`error: ${file && !line.startsWith(file) ? `${file}: ` : ''}${line}`);
  }
}

function printWarnings(io: Io, warnings: SpecProblem[], file: string): void {
  for (const w of warnings) io.err(`warning: ${file}: ${formatProblem(w)}`);
}

/** Loads a spec and its lock, printing problems; undefined when invalid. */
function load(io: Io, file: string): { spec: BackboneSpec; lock?: AddressLock; lockPath: string } | undefined {
  const result = loadSpecFile(file);
  printWarnings(io, result.warnings, file);
  if (!result.props) {
    printProblems(io, result.problems, file);
    return undefined;
  }
  const lockPath = lockPathFor(file);
  const { lock, problems } = readLock(lockPath);
  if (problems.length > 0) {
    printProblems(io, problems);
    return undefined;
  }
  const spec = BackboneSpec.fromProps(result.props);
  return { spec, lock, lockPath };
}

function validate(io: Io, args: Parsed): number {
  if (args.positional.length !== 1) throw new UsageError(args.positional.length ? 'validate takes one spec file' : 'missing <spec>');
  const file = args.positional[0];
  const loaded = load(io, file);
  if (!loaded) return 1;
  const { spec, lock } = loaded;
  const plan = spec.addressPlan(lock); // throws BackboneError when the pool cannot hold the slots
  io.out(`${file}: valid: backbone ${spec.name} (${spec.environment}, residency ${spec.residency}), ${spec.trusts.length} trusts, ${spec.apps.length} apps, pool ${plan.addressPool}`);
  if (plan.newAllocations.length > 0) {
    io.out(`  synth will allocate address slots for ${plan.newAllocations.length} new entries and record them in ${lockPathFor(file)}`);
  }
  return 0;
}

async function synth(io: Io, args: Parsed): Promise<number> {
  if (args.positional.length !== 1) throw new UsageError(args.positional.length ? 'synth takes one spec file' : 'missing <spec>');
  const cloudOpt = args.options.cloud ?? 'all';
  if (cloudOpt !== 'all' && !(CLOUDS as readonly string[]).includes(cloudOpt)) {
    throw new UsageError(`--cloud must be aws, azure, gcp or all, not "${cloudOpt}"`);
  }
  const clouds: CloudName[] = cloudOpt === 'all' ? [...CLOUDS] : [cloudOpt as CloudName];
  const out = resolve(args.options.out ?? 'backbone.out');
  const file = args.positional[0];
  const loaded = load(io, file);
  if (!loaded) return 1;
  const { spec, lock, lockPath } = loaded;
  const plan = spec.addressPlan(lock);

  // Build everything in a scratch folder; move it into place only when every cloud succeeded.
  const scratch = `${out}.partial-${process.pid}`;
  rmSync(scratch, { recursive: true, force: true });
  const rows: string[] = [];
  try {
    for (const cloud of clouds) {
      const start = process.hrtime.bigint();
      const dir = join(scratch, cloud);
      mkdirSync(dir, { recursive: true });
      const summary = await synthCloud(cloud, spec, plan.lock, dir);
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      rows.push(`${cloud.padEnd(6)} ${String(summary.stacks).padStart(6)} ${String(summary.resources).padStart(10)} ${seconds.toFixed(1).padStart(8)}   ${join(out, cloud)}`);
    }
    mkdirSync(out, { recursive: true });
    for (const cloud of clouds) {
      rmSync(join(out, cloud), { recursive: true, force: true });
      renameSync(join(scratch, cloud), join(out, cloud));
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }

  const lockText = serialiseLock(plan.lock);
  const before = existsSync(lockPath) ? readFileSync(lockPath, 'utf8') : undefined;
  if (before !== lockText) {
    mkdirSync(dirname(lockPath), { recursive: true });
    writeFileSync(lockPath, lockText);
    io.out(`address slots recorded in ${lockPath} (${plan.newAllocations.length} new): commit it with the spec`);
  }
  io.out(`backbone ${spec.name}: ${spec.trusts.length} trusts, ${spec.apps.length} apps`);
  io.out(`${'cloud'.padEnd(6)} ${'stacks'.padStart(6)} ${'resources'.padStart(10)} ${'seconds'.padStart(8)}   output`);
  for (const r of rows) io.out(r);
  // The post-synth pass: the same rules `check` runs, over what was just written.
  const report = checkDirectory(out, clouds);
  const open = report.unacknowledgedErrors().length;
  io.out(`NHS compliance profile: ${report.checkedResources} resources, ${open} unacknowledged errors${open ? ` (see: nhs-backbone check ${args.options.out ?? 'backbone.out'})` : ''}`);
  return 0;
}

function checkDirectory(dir: string, clouds: readonly CloudName[]): ComplianceReport {
  const findings: ComplianceFinding[] = [];
  let checked = 0;
  for (const cloud of clouds) {
    const r = checkCloud(cloud, join(dir, cloud));
    findings.push(...r.findings);
    checked += r.checkedResources;
  }
  return new ComplianceReport(findings, checked);
}

function checkCloud(cloud: CloudName, dir: string): { findings: ComplianceFinding[]; checkedResources: number } {
  // Pure JSON readers: no CDK or Terraform engine is loaded for a check.
  switch (cloud) {
    /* eslint-disable @typescript-eslint/no-require-imports */
    case 'aws': return (require('../aws/compliance/check-output') as typeof import('../aws/compliance/check-output')).checkSynthOutput(dir);
    case 'azure': return (require('../azure/compliance/check-output') as typeof import('../azure/compliance/check-output')).checkSynthOutput(dir);
    case 'gcp': return (require('../gcp/compliance/check-output') as typeof import('../gcp/compliance/check-output')).checkSynthOutput(dir);
    /* eslint-enable @typescript-eslint/no-require-imports */
  }
}

function check(io: Io, args: Parsed): number {
  if (args.positional.length !== 1) throw new UsageError(args.positional.length ? 'check takes one output folder' : 'missing <DIR>');
  const format = args.options.format ?? 'text';
  if (!(Object.values(ReportFormat) as string[]).includes(format)) {
    throw new UsageError(`--format must be text, json or markdown, not "${format}"`);
  }
  const dir = resolve(args.positional[0]);
  if (!existsSync(dir)) {
    io.err(`error: ${args.positional[0]}: no such folder (give the output folder of nhs-backbone synth)`);
    return 1;
  }
  const clouds = CLOUDS.filter((c) => existsSync(join(dir, c)));
  if (clouds.length === 0) {
    io.err(`error: ${args.positional[0]}: no synth output in it (expected aws/, azure/ or gcp/, as nhs-backbone synth writes)`);
    return 1;
  }
  const report = checkDirectory(dir, clouds);
  io.out(report.render(format as ReportFormat).trimEnd());
  return report.passed ? 0 : 1;
}

function diff(io: Io, args: Parsed): number {
  if (args.positional.length !== 2) throw new UsageError('diff takes two synth output folders: <OLD_DIR> <NEW_DIR>');
  const format = args.options.format ?? 'text';
  if (!['text', 'json', 'markdown'].includes(format)) {
    throw new UsageError(`--format must be text, json or markdown, not "${format}"`);
  }
  const [oldArg, newArg] = args.positional;
  for (const d of [oldArg, newArg]) {
    if (!existsSync(d)) {
      io.err(`error: ${d}: no such folder (give two output folders of nhs-backbone synth)`);
      return 1;
    }
  }
  const clouds = CLOUDS.filter((c) => existsSync(join(oldArg, c)) || existsSync(join(newArg, c)));
  if (clouds.length === 0) {
    io.err(`error: ${oldArg}, ${newArg}: no synth output in either (expected aws/, azure/ or gcp/, as nhs-backbone synth writes)`);
    return 1;
  }
  const stacks = clouds.flatMap((cloud) => diffCloud(cloud, join(oldArg, cloud), join(newArg, cloud)));
  const report = new DiffReport(oldArg, newArg, stacks);
  io.out(report.render(format as DiffFormat).trimEnd());
  const destroyed = report.destructive();
  if (args.options['fail-on-destroy'] && destroyed.length > 0) {
    io.err(`error: ${destroyed.length} stateful resource${destroyed.length === 1 ? '' : 's'} would be destroyed or replaced (first: ${destroyed[0].cloud} ${destroyed[0].stack} ${destroyed[0].id}); --fail-on-destroy stops here`);
    return 1;
  }
  return 0;
}

function diffCloud(cloud: CloudName, oldDir: string, newDir: string): StackDiff[] {
  // Pure JSON readers; cloudformation-diff is loaded only for AWS.
  /* eslint-disable @typescript-eslint/no-require-imports */
  switch (cloud) {
    case 'aws': return (require('../aws/diff') as typeof import('../aws/diff')).diffAwsOutputs(oldDir, newDir);
    case 'azure': {
      const rules = require('../azure/diff-rules') as typeof import('../azure/diff-rules');
      return diffTerraformStacks(Cloud.AZURE, readTerraformOutput(oldDir), readTerraformOutput(newDir),
        rules.AZURE_FORCE_NEW, rules.AZURE_CONDITIONAL_FORCE_NEW);
    }
    case 'gcp': {
      const rules = require('../gcp/diff-rules') as typeof import('../gcp/diff-rules');
      return diffTerraformStacks(Cloud.GCP, readTerraformOutput(oldDir), readTerraformOutput(newDir),
        rules.GCP_FORCE_NEW, rules.GCP_CONDITIONAL_FORCE_NEW);
    }
  }
  /* eslint-enable @typescript-eslint/no-require-imports */
}

async function synthCloud(cloud: CloudName, spec: BackboneSpec, lock: AddressLock, dir: string) {
  // Each cloud's engine is loaded only when asked for: `--cloud aws` never loads cdktf.
  switch (cloud) {
    /* eslint-disable @typescript-eslint/no-require-imports */
    case 'aws': return (require('../aws/synth') as typeof import('../aws/synth')).synthAws(spec, lock, dir);
    case 'azure': return (require('../azure/synth') as typeof import('../azure/synth')).synthAzure(spec, lock, dir);
    case 'gcp': return (require('../gcp/synth') as typeof import('../gcp/synth')).synthGcp(spec, lock, dir);
    /* eslint-enable @typescript-eslint/no-require-imports */
  }
}

/** Runs the command; resolves to the exit code. */
export async function main(argv: string[], io: Io = defaultIo): Promise<number> {
  if (argv.length === 0 || ['help', '--help', '-h'].includes(argv[0])) {
    (argv.length === 0 ? io.err : io.out)(USAGE);
    return argv.length === 0 ? 2 : 0;
  }
  if (argv[0] === '--version') {
    io.out(JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')).version);
    return 0;
  }
  try {
    const args = parse(argv, { validate: [], synth: ['cloud', 'out'], check: ['format'], diff: ['format', 'fail-on-destroy'] });
    switch (args.command) {
      case 'validate': return validate(io, args);
      case 'synth': return await synth(io, args);
      case 'check': return check(io, args);
      case 'diff': return diff(io, args);
      default: throw new UsageError(`unknown command "${args.command}"`);
    }
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`nhs-backbone: ${e.message}`);
      io.err(USAGE);
      return 2;
    }
    if (BackboneError.isBackboneError(e)) {
      printProblems(io, e.problems);
      return 1;
    }
    io.err(`nhs-backbone: internal error (please report it): ${(e as Error)?.message ?? e}`);
    if (process.env.NHS_BACKBONE_DEBUG) io.err(String((e as Error)?.stack));
    return 70;
  }
}
