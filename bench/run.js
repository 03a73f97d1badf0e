'use strict';
// `npm run bench`: the national-scale synthesis benchmark (issue 9).
//
//   node bench/run.js [--clouds aws,azure,gcp] [--sizes 209,418] [--modalities N]
//                     [--out bench.out] [--keep] [--cpu-prof] [--experiments LIST]
//                     [--node-option=--flag]
//
// For each cloud and size it spawns `node bench/synth-one.js` (one process per
// measurement, run one after another), which runs the CLI's `synth` on a
// national spec (bench/spec.js: N trusts, N/5 ICBs, an imaging network per
// ICB, a DIMSE gateway per trust, three national apps serving every trust).
// Prints a table and the 418/209 ratios, writes <out>/bench.json. Exit code 0
// even when a target is missed (it is a benchmark): look for MISSED.
// Needs a compiled lib/ (`npx projen compile`).
const { spawnSync } = require('child_process');
const { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } = require('fs');
const os = require('os');
const { join, resolve } = require('path');

const TARGETS = {
  seconds: 20, // each cloud's 209-trust synth (whole run: node start to files written and checked)
  memoryMiB: 2048, // peak RSS of that run
  sizeRatioSlack: 1.1, // 418 trusts at most 2.2 (= 1.1 x 2) times 209
  terraformStackShare: 0.1, // no Terraform stack holds more than a tenth of the resources
  // CloudFormation's per-template limits (checked in synth-one.js)
  cfn: { resources: 500, bytes: 1024 * 1024, outputs: 200, parameters: 200 },
};
const BASE_SIZE = 209;

function parseArgs(argv) {
  const o = { clouds: ['aws', 'azure', 'gcp'], sizes: [209, 418], modalities: 1, out: 'bench.out', keep: false, cpuProf: false, experiments: '', nodeOptions: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const [k, inline] = a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const val = () => (inline !== undefined ? inline : argv[++i]);
    switch (k) {
      case '--clouds': o.clouds = val().split(',').map((s) => s.trim()).filter(Boolean); break;
      case '--sizes': o.sizes = val().split(',').map((s) => Number(s.trim())); break;
      case '--modalities': o.modalities = Number(val()); break;
      case '--out': o.out = val(); break;
      case '--keep': o.keep = true; break;
      case '--cpu-prof': o.cpuProf = true; break;
      case '--experiments': o.experiments = val(); break; // see bench/synth-one.js (emulate a fix before making it)
      case '--node-option': o.nodeOptions.push(val()); break; // e.g. --node-option=--max-semi-space-size=64
      case '--help': case '-h':
        process.stdout.write(readFileSync(__filename, 'utf8').split('\n').slice(1, 14).map((l) => l.replace(/^\/\/ ?/, '')).join('\n') + '\n');
        process.exit(0);
      // falls through
      default:
        process.stderr.write(`bench: unknown option ${a} (--clouds, --sizes, --modalities, --out, --keep, --cpu-prof, --experiments, --node-option)\n`);
        process.exit(2);
    }
  }
  for (const c of o.clouds) if (!['aws', 'azure', 'gcp'].includes(c)) { process.stderr.write(`bench: --clouds: unknown cloud "${c}" (aws, azure, gcp)\n`); process.exit(2); }
  for (const s of o.sizes) if (!Number.isInteger(s) || s < 1) { process.stderr.write('bench: --sizes: positive integers, e.g. 209,418\n'); process.exit(2); }
  if (!Number.isInteger(o.modalities) || o.modalities < 0) { process.stderr.write('bench: --modalities: a whole number >= 0\n'); process.exit(2); }
  return o;
}

/** ICBs for a size: 42 for 209 trusts, 84 for 418 (England's ratio). */
const icbsFor = (trusts) => Math.max(1, Math.round((trusts * 42) / 209));

function runOne(root, outRoot, cloud, trusts, opts) {
  const icbs = icbsFor(trusts);
  const dir = join(outRoot, 'runs', `${cloud}-${trusts}`);
  const nodeArgs = [...opts.nodeOptions];
  if (opts.cpuProf) nodeArgs.push('--cpu-prof', '--cpu-prof-dir', join(outRoot, 'prof'), '--cpu-prof-name', `${cloud}-${trusts}.cpuprofile`);
  const args = [...nodeArgs, join(__dirname, 'synth-one.js'), cloud, String(trusts), String(icbs), dir, '--modalities', String(opts.modalities)];
  process.stderr.write(`bench: ${cloud} ${trusts} trusts / ${icbs} ICBs ... `);
  const start = process.hrtime.bigint();
  const child = spawnSync(process.execPath, args, { cwd: root, env: { ...process.env, BENCH_EXPERIMENTS: opts.experiments }, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, timeout: 30 * 60 * 1000 });
  const parentWall = Number(process.hrtime.bigint() - start) / 1e9;
  let r;
  try {
    r = JSON.parse(readFileSync(join(dir, 'result.json'), 'utf8'));
  } catch {
    r = { cloud, trusts, icbs, exitCode: child.status ?? 'killed', error: `${child.error ? child.error.message + '\n' : ''}${(child.stderr || '').slice(-4000)}` };
  }
  r.seconds = { ...(r.seconds || {}), parentWall: Math.round(parentWall * 1000) / 1000 };
  if (child.stderr && child.stderr.trim()) r.stderr = child.stderr.slice(-4000);
  if (!opts.keep) rmSync(join(dir, 'out'), { recursive: true, force: true });
  process.stderr.write(r.exitCode === 0 ? `${r.seconds.wall}s, ${r.peakRssMiB} MiB\n` : `FAILED (exit ${r.exitCode})\n`);
  return r;
}

/** Target checks for one run: [{ name, ok, detail }]. */
function checks(r) {
  const c = [];
  if (r.exitCode !== 0) {
    c.push({ name: 'synth', ok: false, detail: `exit ${r.exitCode}` });
    if (r.cfnBreaches && r.cfnBreaches.length) c.push({ name: 'CFN limits', ok: false, detail: r.cfnBreaches.join('; ') });
    return c;
  }
  if (r.complianceUnacknowledgedErrors) c.push({ name: 'compliance', ok: false, detail: `${r.complianceUnacknowledgedErrors} unacknowledged errors` });
  if (r.trusts === BASE_SIZE) {
    c.push({ name: `<${TARGETS.seconds}s`, ok: r.seconds.wall < TARGETS.seconds, detail: `${r.seconds.wall}s` });
    c.push({ name: '<2GiB', ok: r.peakRssMiB < TARGETS.memoryMiB, detail: `${r.peakRssMiB} MiB` });
  }
  if (r.cloud === 'aws') {
    c.push({ name: 'CFN limits', ok: r.cfnBreaches.length === 0, detail: r.cfnBreaches.length ? r.cfnBreaches.slice(0, 3).join('; ') + (r.cfnBreaches.length > 3 ? `; ... (${r.cfnBreaches.length})` : '') : `max ${r.cfnMaxResources} resources/template` });
  } else {
    c.push({ name: 'TF share<=10%', ok: r.largestStackShare <= TARGETS.terraformStackShare, detail: `${r.mostResourcesStack.name} ${(r.largestStackShare * 100).toFixed(1)}%` });
  }
  return c;
}

const fmtChecks = (cs) => cs.map((x) => `${x.name}:${x.ok ? 'ok' : 'MISSED'}`).join(' ');

function table(rows, header) {
  const w = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) => cells.map((c, i) => (i === 0 || i === cells.length - 1 ? String(c).padEnd(w[i]) : String(c).padStart(w[i]))).join('  ').trimEnd();
  return [line(header), line(w.map((n) => '-'.repeat(n))), ...rows.map(line)].join('\n');
}

function main() {
  const opts = parseArgs(process.argv.slice(2));
  const root = resolve(__dirname, '..');
  if (!existsSync(join(root, 'lib', 'cli', 'main.js'))) {
    process.stderr.write('bench: lib/ is not built: run `npx projen compile` first\n');
    process.exit(2);
  }
  const outRoot = resolve(root, opts.out);
  mkdirSync(outRoot, { recursive: true });
  if (opts.cpuProf) mkdirSync(join(outRoot, 'prof'), { recursive: true });

  const runs = [];
  for (const cloud of opts.clouds) for (const size of opts.sizes) runs.push(runOne(root, outRoot, cloud, size, opts));

  const rows = runs.map((r) => {
    const cs = checks(r);
    r.targets = cs;
    if (r.exitCode !== 0) {
      const s = r.seconds || {};
      const why = String(r.error || r.stderr || '').split('\n').find((l) => l.trim()) || '';
      return [r.cloud, r.trusts, s.wall ? s.wall.toFixed(1) : '-', s.cpu ? s.cpu.toFixed(1) : '-', '-', s.buildAndSynth ? s.buildAndSynth.toFixed(1) : '-', '-', '-',
        r.peakRssMiB ? r.peakRssMiB.toFixed(0) : '-', '-', '-', '-', '-', `${fmtChecks(cs)} FAILED: ${why.replace(/^nhs-backbone: /, '').slice(0, 140)}`];
    }
    const s = r.seconds;
    return [
      r.cloud, r.trusts, s.wall.toFixed(1), s.cpu !== undefined ? s.cpu.toFixed(1) : '-', r.loadAverageAtStart !== undefined ? r.loadAverageAtStart.toFixed(1) : '-', s.buildAndSynth.toFixed(1), `${s.build.toFixed(1)}+${s.appSynth.toFixed(1)}`, (s.compliance ?? 0).toFixed(2),
      r.peakRssMiB.toFixed(0), r.stacks, r.resources,
      `${r.largestStack.bytes} (${r.largestStack.name.length > 28 ? r.largestStack.name.slice(0, 27) + '…' : r.largestStack.name})`,
      `${(r.largestStackShare * 100).toFixed(1)}%`,
      fmtChecks(cs),
    ];
  });
  const out = [];
  out.push(`nhs-backbone synthesis benchmark: ${os.cpus().length} CPUs (${os.cpus()[0]?.model?.trim()}), ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}`);
  if (opts.experiments || opts.nodeOptions.length) out.push(`EXPERIMENT: ${[opts.experiments, ...opts.nodeOptions].filter(Boolean).join(' ')} (not the shipped code path)`);
  out.push(`spec: bench/spec.js (trusts, ICBs = trusts*42/209, imaging per ICB, ${opts.modalities} modality/trust, 3 national apps serving all trusts); path: lib/cli/main.js synth --cloud <c>`);
  const busy = runs.filter((r) => r.loadAverageAtStart > os.cpus().length);
  if (busy.length) out.push(`NOTE: the machine was busy (1-min load average above ${os.cpus().length} at the start of ${busy.length} run(s)): wall times are inflated; cpu s is the steadier figure`);
  out.push('');
  out.push(table(rows, ['cloud', 'trusts', 'wall s', 'cpu s', 'load', 'build+synth s', 'build+write s', 'check s', 'peak RSS MiB', 'stacks', 'resources', 'largest stack bytes', 'largest share', 'targets']));

  // Ratios between the biggest and the smallest size per cloud (418/209 by default).
  const ratios = [];
  const sizes = [...new Set(opts.sizes)].sort((a, b) => a - b);
  if (sizes.length >= 2) {
    const lo = sizes[0];
    const hi = sizes[sizes.length - 1];
    const limit = TARGETS.sizeRatioSlack * (hi / lo);
    out.push('');
    out.push(`ratios ${hi}/${lo} trusts (target: at most ${limit.toFixed(2)})`);
    const rrows = [];
    for (const cloud of opts.clouds) {
      const a = runs.find((r) => r.cloud === cloud && r.trusts === lo && r.exitCode === 0);
      const b = runs.find((r) => r.cloud === cloud && r.trusts === hi && r.exitCode === 0);
      if (!a || !b) { rrows.push([cloud, '-', '-', '-', '-', '-', 'MISSED (a run failed)']); ratios.push({ cloud, from: lo, to: hi, ok: false }); continue; }
      const x = {
        cloud, from: lo, to: hi, limit,
        wall: b.seconds.wall / a.seconds.wall,
        buildAndSynth: b.seconds.buildAndSynth / a.seconds.buildAndSynth,
        cpu: b.seconds.cpu / a.seconds.cpu,
        peakRss: b.peakRssMiB / a.peakRssMiB,
        resources: b.resources / a.resources,
      };
      // Judged on CPU time and memory: wall time swings with other load on the machine.
      x.ok = x.cpu <= limit && x.peakRss <= limit;
      ratios.push(x);
      rrows.push([cloud, x.wall.toFixed(2), x.cpu.toFixed(2), x.buildAndSynth.toFixed(2), x.peakRss.toFixed(2), x.resources.toFixed(2), x.ok ? 'ok' : 'MISSED']);
    }
    out.push(table(rrows, ['cloud', 'wall', 'cpu', 'build+synth', 'peak RSS', 'resources', 'target (cpu, RSS)']));
  }

  for (const r of runs) for (const w of r.serviceQuotaWarnings || []) out.push(`WARNING ${r.cloud} ${r.trusts}: ${w}`);
  const missed = [];
  for (const r of runs) for (const c of r.targets) if (!c.ok) missed.push(`${r.cloud} ${r.trusts}: ${c.name} (${c.detail})`);
  for (const x of ratios) if (!x.ok) missed.push(`${x.cloud} ratio ${x.to}/${x.from}: ${x.wall ? `cpu ${x.cpu.toFixed(2)}, RSS ${x.peakRss.toFixed(2)} (wall ${x.wall.toFixed(2)}), limit ${x.limit.toFixed(2)}` : 'a run failed'}`);
  out.push('');
  if (missed.length) {
    out.push(`MISSED ${missed.length} target(s):`);
    for (const m of missed) out.push(`  MISSED ${m}`);
  } else {
    out.push('all targets met');
  }

  const jsonPath = join(outRoot, 'bench.json');
  writeFileSync(jsonPath, JSON.stringify({
    machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model?.trim(), totalMemGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version, platform: `${os.platform()} ${os.release()}` },
    options: opts,
    targets: TARGETS,
    runs: runs.map(({ stackList, cliOutput, ...r }) => ({ ...r, cliOutput: (cliOutput || []).filter((l) => !l.startsWith('warning:')), topStacks: (stackList || []).slice(0, 5) })),
    ratios,
    missed,
  }, null, 2) + '\n');
  out.push(`figures written to ${jsonPath}`);
  process.stdout.write(out.join('\n') + '\n');
}

main();
