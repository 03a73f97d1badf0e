'use strict';
// One benchmark measurement in a process of its own:
//   node bench/synth-one.js <cloud> <trusts> <icbs> <outdir> [--modalities N]
// Writes the spec to <outdir>/backbone.json and runs the CLI's `synth` on it
// (lib/cli/main.js main(), the code path of `nhs-backbone synth`), so the
// figures include validation, the address plan, writing the files and the
// post-synth compliance pass. Then it reads what was written and writes
// <outdir>/result.json (also printed as the last stdout line).
const t0 = process.uptime(); // node's own start-up before this line
const startLoad = require('os').loadavg()[0];
const { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } = require('fs');
const { join, relative, resolve } = require('path');
const { nationalProps } = require('./spec');

const CFN = { resources: 500, bytes: 1024 * 1024, outputs: 200, parameters: 200 };

function usage(msg) {
  process.stderr.write(`synth-one: ${msg}\nusage: node bench/synth-one.js <aws|azure|gcp> <trusts> <icbs> <outdir> [--modalities N]\n`);
  process.exit(2);
}

const argv = process.argv.slice(2);
const [cloud, trustsArg, icbsArg, outArg] = argv;
if (!['aws', 'azure', 'gcp'].includes(cloud)) usage(`unknown cloud "${cloud}"`);
const trusts = Number(trustsArg);
const icbs = Number(icbsArg);
if (!Number.isInteger(trusts) || trusts < 1 || !Number.isInteger(icbs) || icbs < 1) usage('trusts and icbs must be positive integers');
if (!outArg) usage('missing <outdir>');
const mi = argv.indexOf('--modalities');
const modalities = mi > 0 ? Number(argv[mi + 1]) : 1;

const root = resolve(__dirname, '..');
const lib = join(root, 'lib');
const outdir = resolve(outArg);
rmSync(outdir, { recursive: true, force: true });
mkdirSync(outdir, { recursive: true });
const specFile = join(outdir, 'backbone.json');
writeFileSync(specFile, JSON.stringify(nationalProps(trusts, icbs, { modalities }), null, 1));
const synthOut = join(outdir, 'out');

const sec = (a, b) => Number(b - a) / 1e9;
const now = () => process.hrtime.bigint();
const phases = {}; // seconds
const add = (k, s) => { phases[k] = (phases[k] ?? 0) + s; };

// --- module loading (what the CLI loads lazily; timed here so it can be told apart)
let t = now();
const { main } = require(join(lib, 'cli', 'main.js'));
add('loadCli', sec(t, now()));
t = now();
const synthMod = require(join(lib, cloud, 'synth.js'));
add('loadCloud', sec(t, now()));
t = now();
const checkMod = require(join(lib, cloud, 'compliance', 'check-output.js'));
add('loadCheck', sec(t, now()));

// --- wrap the phases the CLI calls, to time them (same objects the CLI requires)
const synthName = { aws: 'synthAws', azure: 'synthAzure', gcp: 'synthGcp' }[cloud];
const origSynth = synthMod[synthName];
let summary;
synthMod[synthName] = function timedSynth(...args) {
  const s = now();
  try {
    summary = origSynth.apply(this, args);
    return summary;
  } finally {
    add('buildAndSynth', sec(s, now()));
  }
};
// app.synth(): writing the templates (the rest of buildAndSynth is building the construct tree).
const engine = cloud === 'aws' ? require(require.resolve('aws-cdk-lib', { paths: [lib] })) : require(require.resolve('cdktf', { paths: [lib] }));
const origAppSynth = engine.App.prototype.synth;
engine.App.prototype.synth = function timedAppSynth(...args) {
  const s = now();
  try { return origAppSynth.apply(this, args); } finally { add('appSynth', sec(s, now())); }
};
// Experiments (not part of the default bench): BENCH_EXPERIMENTS=a,b emulates a fix before it is made.
//   no-trace-format  Error.prepareStackTrace returns '' while the CLI runs (cdktf's per-token traces are not formatted)
//   no-trace-capture cdktf's captureStackTrace returns [] (no trace taken at all)
//   no-tree          AWS: drop the tree.json metadata (what App({ treeMetadata: false }) does)
const experiments = (process.env.BENCH_EXPERIMENTS || '').split(',').filter(Boolean);
if (experiments.includes('no-trace-capture') && cloud !== 'aws') {
  require(require.resolve('cdktf/lib/tokens/private/stack-trace', { paths: [lib] })).captureStackTrace = () => [];
}
if (experiments.includes('no-tree') && cloud === 'aws') {
  const synthWithTree = engine.App.prototype.synth;
  engine.App.prototype.synth = function noTree(...args) {
    this._treeMetadata = false; // aws-cdk-lib 2.276 injects the Tree construct at synth when this is set
    return synthWithTree.apply(this, args);
  };
}
const origCheck = checkMod.checkSynthOutput;
let checkResult;
checkMod.checkSynthOutput = function timedCheck(...args) {
  const s = now();
  const r = origCheck.apply(this, args);
  add('compliance', sec(s, now()));
  checkResult = r;
  return r;
};

function walk(dir, pred, acc = []) {
  if (!existsSync(dir)) return acc;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) walk(p, pred, acc);
    else if (pred(e.name)) acc.push(p);
  }
  return acc;
}

const quotaWarnings = [];
let roleAssignments = 0;

/** Per-stack figures from what was written. */
function analyse(dir) {
  const stacks = [];
  if (cloud === 'aws') {
    for (const f of walk(dir, (n) => n.endsWith('.template.json'))) {
      const bytes = statSync(f).size;
      const tpl = JSON.parse(readFileSync(f, 'utf8'));
      const types = Object.values(tpl.Resources ?? {}).map((r) => r.Type);
      const count = (pred) => types.filter(pred).length;
      const albs = Object.values(tpl.Resources ?? {}).filter((r) => r.Type === 'AWS::ElasticLoadBalancingV2::LoadBalancer' && (r.Properties?.Type ?? 'application') === 'application').length;
      const targetGroups = count((t) => t === 'AWS::ElasticLoadBalancingV2::TargetGroup');
      const rules = count((t) => t === 'AWS::ElasticLoadBalancingV2::ListenerRule');
      // Service quotas CloudFormation does not check: 100 target groups per ALB (not adjustable), 100 rules per ALB (default).
      if (albs > 0 && (targetGroups / albs > 100 || rules / albs > 100)) {
        quotaWarnings.push(`${relative(dir, f).replace(/\.template\.json$/, '')}: ${targetGroups} target groups and ${rules} listener rules for ${albs} ALB(s): an ALB takes at most 100 target groups (not adjustable) and 100 rules (default quota)`);
      }
      stacks.push({
        name: relative(dir, f).replace(/\.template\.json$/, ''),
        bytes,
        resources: Object.keys(tpl.Resources ?? {}).length,
        outputs: Object.keys(tpl.Outputs ?? {}).length,
        parameters: Object.keys(tpl.Parameters ?? {}).length,
      });
    }
  } else {
    for (const f of walk(join(dir, 'stacks'), (n) => n === 'cdk.tf.json')) {
      const bytes = statSync(f).size;
      const tf = JSON.parse(readFileSync(f, 'utf8'));
      let resources = 0;
      for (const byType of Object.values(tf.resource ?? {})) resources += Object.keys(byType).length;
      roleAssignments += Object.keys(tf.resource?.azurerm_role_assignment ?? {}).length;
      stacks.push({ name: relative(join(dir, 'stacks'), f).replace(/\/cdk\.tf\.json$/, ''), bytes, resources, outputs: Object.keys(tf.output ?? {}).length });
    }
  }
  // Azure RBAC: at most 4,000 role assignments per subscription (the Backbone deploys into one).
  if (cloud === 'azure' && roleAssignments > 4000) {
    quotaWarnings.push(`${roleAssignments} azurerm_role_assignment in one subscription: Azure allows 4,000 role assignments per subscription`);
  }
  return stacks;
}

(async () => {
  const lines = [];
  const io = { out: (l) => lines.push(l), err: (l) => lines.push(l) };
  t = now();
  let code;
  let error;
  const prepare = Error.prepareStackTrace;
  if (experiments.includes('no-trace-format')) Error.prepareStackTrace = () => '';
  try {
    code = await main(['synth', specFile, '--cloud', cloud, '--out', synthOut], io);
  } catch (e) {
    code = 70;
    error = String(e && e.stack || e);
  } finally {
    Error.prepareStackTrace = prepare;
  }
  add('cli', sec(t, now()));
  const wall = process.uptime();
  const usage = process.resourceUsage();
  const memory = process.memoryUsage();

  const stacks = code === 0 ? analyse(join(synthOut, cloud)) : [];
  const resources = stacks.reduce((n, s) => n + s.resources, 0);
  const largest = stacks.reduce((a, s) => (!a || s.bytes > a.bytes ? s : a), undefined);
  const mostResources = stacks.reduce((a, s) => (!a || s.resources > a.resources ? s : a), undefined);
  const breaches = [];
  // A synth CDK refuses (e.g. more than 500 resources in a stack) fails in app.synth(): say which limit.
  const internal = lines.find((l) => l.includes('internal error'));
  if (internal) error = error ?? internal;
  const refused = internal && /Number of resources in stack '([^']+)': (\d+) is greater than allowed maximum of (\d+)/.exec(internal);
  if (refused) breaches.push(`${refused[1]}: ${refused[2]} resources > ${refused[3]} (CDK refused to synthesise)`);
  if (cloud === 'aws') {
    for (const s of stacks) {
      if (s.resources > CFN.resources) breaches.push(`${s.name}: ${s.resources} resources > ${CFN.resources}`);
      if (s.bytes > CFN.bytes) breaches.push(`${s.name}: ${s.bytes} bytes > ${CFN.bytes}`);
      if (s.outputs > CFN.outputs) breaches.push(`${s.name}: ${s.outputs} outputs > ${CFN.outputs}`);
      if (s.parameters > CFN.parameters) breaches.push(`${s.name}: ${s.parameters} parameters > ${CFN.parameters}`);
    }
  }
  const complianceLine = lines.find((l) => l.startsWith('NHS compliance profile:'));
  const open = complianceLine ? Number((/, (\d+) unacknowledged/.exec(complianceLine) || [])[1]) : undefined;
  const result = {
    cloud, trusts, icbs, modalitiesPerTrust: modalities,
    loadAverageAtStart: startLoad,
    experiments: experiments.length ? experiments : undefined,
    execArgv: process.execArgv.length ? process.execArgv : undefined,
    exitCode: code,
    error,
    cliOutput: lines,
    seconds: {
      // node start-up before the script ran, the whole run (node start to the end of the CLI synth), and its phases
      nodeStartup: round(t0, 3),
      wall: round(wall, 3),
      // CPU time of the whole process (all threads, incl. GC): less sensitive than wall to other load on the machine
      cpu: round((usage.userCPUTime + usage.systemCPUTime) / 1e6, 3),
      loadModules: round((phases.loadCli ?? 0) + (phases.loadCloud ?? 0) + (phases.loadCheck ?? 0), 3),
      cli: round(phases.cli, 3),
      buildAndSynth: round(phases.buildAndSynth, 3),
      build: round((phases.buildAndSynth ?? 0) - (phases.appSynth ?? 0), 3),
      appSynth: round(phases.appSynth, 3),
      compliance: round(phases.compliance, 3),
    },
    peakRssMiB: round(usage.maxRSS / 1024, 1),
    heapUsedMiBAtEnd: round(memory.heapUsed / 1048576, 1),
    stacks: stacks.length,
    resources,
    cliSummary: summary,
    complianceCheckedResources: checkResult ? checkResult.checkedResources : undefined,
    complianceUnacknowledgedErrors: open,
    largestStack: largest ? { name: largest.name, bytes: largest.bytes, resources: largest.resources } : undefined,
    mostResourcesStack: mostResources ? { name: mostResources.name, resources: mostResources.resources, bytes: mostResources.bytes } : undefined,
    largestStackShare: mostResources && resources ? round(mostResources.resources / resources, 4) : undefined,
    cfnMaxResources: cloud === 'aws' ? Math.max(0, ...stacks.map((s) => s.resources)) : undefined,
    cfnMaxOutputs: cloud === 'aws' ? Math.max(0, ...stacks.map((s) => s.outputs)) : undefined,
    cfnMaxParameters: cloud === 'aws' ? Math.max(0, ...stacks.map((s) => s.parameters)) : undefined,
    cfnBreaches: cloud === 'aws' || breaches.length ? breaches : undefined,
    serviceQuotaWarnings: quotaWarnings.length ? quotaWarnings : undefined,
    azureRoleAssignments: cloud === 'azure' ? roleAssignments : undefined,
    stackList: stacks.sort((a, b) => b.resources - a.resources || a.name.localeCompare(b.name)),
  };
  const text = JSON.stringify(result);
  writeFileSync(join(outdir, 'result.json'), JSON.stringify(result, null, 1));
  process.stdout.write(text + '\n');
})();

function round(x, d) {
  if (x === undefined || Number.isNaN(x)) return undefined;
  const f = 10 ** d;
  return Math.round(x * f) / f;
}
