'use strict';
// Summarises a V8 .cpuprofile (from `node --cpu-prof`):
//   node bench/top.js <file.cpuprofile> [--top 25] [--ours] [--callees NAME] [--callers NAME] [--our-callers NAME]
// Prints self time by package, then the top functions by self time and by
// total time (inclusive, counted once per sample even when recursive),
// aggregated by function name and file:line. Frames in lib/ are also mapped
// to their src/*.ts line through lib's inline source maps. --ours adds the
// top of our own code (lib/) by total time. --callees/--callers NAME (a
// substring of "function file:line") split the time under / in a function by
// its direct callees / callers; --our-callers NAME by the nearest lib/ caller.
const { readFileSync, existsSync } = require('fs');
const { relative, resolve, dirname, join } = require('path');
const { SourceMap } = require('module');

const args = process.argv.slice(2);
const file = args.find((a, i) => !a.startsWith('--') && !/^\d+$/.test(a) && !['--top', '--callees', '--callers', '--our-callers'].includes(args[i - 1]));
const topIdx = args.indexOf('--top');
const TOP = topIdx >= 0 ? Number(args[topIdx + 1]) : 25;
const OURS = args.includes('--ours');
const optVal = (k) => { const i = args.indexOf(k); return i >= 0 ? args[i + 1] : undefined; };
const CALLEES = optVal('--callees'); // "name" or "name file" substring: time under it by direct callee
const CALLERS = optVal('--callers'); // time in it by direct caller
const OURCALLERS = optVal('--our-callers'); // time in it by the nearest caller in lib/
if (!file) {
  process.stderr.write('usage: node bench/top.js <file.cpuprofile> [--top 25] [--ours]\n');
  process.exit(2);
}
const root = resolve(__dirname, '..');
const prof = JSON.parse(readFileSync(file, 'utf8'));

const byId = new Map();
const parent = new Map();
for (const n of prof.nodes) {
  byId.set(n.id, n);
  for (const c of n.children || []) parent.set(c, n.id);
}

const maps = new Map();
function sourceMapOf(path) {
  if (maps.has(path)) return maps.get(path);
  let sm = null;
  try {
    const text = readFileSync(path, 'utf8');
    const m = /\/\/# sourceMappingURL=data:application\/json;(?:charset=[^;]+;)?base64,([A-Za-z0-9+/=]+)\s*$/.exec(text);
    if (m) sm = new SourceMap(JSON.parse(Buffer.from(m[1], 'base64').toString('utf8')));
  } catch { /* no map */ }
  maps.set(path, sm);
  return sm;
}

function where(cf) {
  let url = cf.url || '';
  if (url.startsWith('file://')) url = url.slice(7);
  if (!url) return { loc: '', pkg: cf.functionName.startsWith('(') ? cf.functionName : '(native)' };
  const line = cf.lineNumber + 1;
  const abs = url;
  let loc = url.startsWith('/') ? relative(root, url) : url;
  let pkg;
  const nm = loc.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = loc.slice(nm + 13).split('/');
    pkg = rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
    loc = loc.slice(nm + 13);
  } else if (loc.startsWith('lib/')) {
    pkg = `lib/${loc.split('/')[1]}`;
  } else if (loc.startsWith('node:')) {
    pkg = 'node:internal';
  } else {
    pkg = loc.split('/')[0];
  }
  let src = '';
  if (loc.startsWith('lib/') && abs.startsWith('/') && existsSync(abs)) {
    const sm = sourceMapOf(abs);
    if (sm) {
      const e = sm.findEntry(cf.lineNumber, cf.columnNumber);
      if (e && e.originalSource) {
        const orig = resolve(dirname(abs), e.originalSource.replace(/^file:\/\//, ''));
        src = `${relative(root, orig)}:${e.originalLine + 1}`;
      }
    }
  }
  return { loc: `${loc}:${line}`, pkg, src };
}

const info = new Map(); // node id -> { key, label, pkg, ours }
for (const n of prof.nodes) {
  const cf = n.callFrame;
  const w = where(cf);
  const name = cf.functionName || '(anonymous)';
  const key = `${name} ${w.loc}`;
  info.set(n.id, { key, name, loc: w.loc, src: w.src, pkg: w.pkg, ours: w.loc.startsWith('lib/') });
}

// Sample weights: timeDeltas[i] is the time before sample i; attribute each
// sample the delta that follows it (the time until the next sample).
const samples = prof.samples || [];
const deltas = prof.timeDeltas || [];
const weight = (i) => (i + 1 < deltas.length ? deltas[i + 1] : 0) / 1000; // ms

const self = new Map();
const total = new Map();
const pkgSelf = new Map();
const oursTotal = new Map();
const callees = new Map();
const callers = new Map();
const ourCallers = new Map();
const matches = (pat, key) => key.includes(pat);
let all = 0;
for (let i = 0; i < samples.length; i++) {
  const w = weight(i);
  all += w;
  const id = samples[i];
  const me = info.get(id);
  self.set(me.key, (self.get(me.key) || 0) + w);
  pkgSelf.set(me.pkg, (pkgSelf.get(me.pkg) || 0) + w);
  const seen = new Set();
  for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
    const f = info.get(cur);
    if (seen.has(f.key)) continue;
    seen.add(f.key);
    total.set(f.key, (total.get(f.key) || 0) + w);
    if (f.ours) oursTotal.set(f.key, (oursTotal.get(f.key) || 0) + w);
  }
  if (CALLEES || CALLERS || OURCALLERS) {
    const chain = [];
    for (let cur = id; cur !== undefined; cur = parent.get(cur)) chain.push(info.get(cur)); // innermost first
    if (CALLEES) {
      const outer = chain.map((f) => matches(CALLEES, f.key)).lastIndexOf(true);
      if (outer >= 0) { const k = outer === 0 ? '(self)' : chain[outer - 1].key; callees.set(k, (callees.get(k) || 0) + w); }
    }
    if (OURCALLERS) {
      const inner = chain.findIndex((f) => matches(OURCALLERS, f.key));
      const ours = inner >= 0 ? chain.slice(inner + 1).find((f) => f.ours) : undefined;
      if (inner >= 0) { const k = ours ? ours.key : '(no lib/ caller)'; ourCallers.set(k, (ourCallers.get(k) || 0) + w); }
    }
    if (CALLERS) {
      const inner = chain.findIndex((f) => matches(CALLERS, f.key));
      if (inner >= 0 && inner + 1 < chain.length) { const k = chain[inner + 1].key; callers.set(k, (callers.get(k) || 0) + w); }
    }
  }
}

const meta = new Map([['(self)', { name: '(self)', loc: '' }], ['(no lib/ caller)', { name: '(no lib/ caller)', loc: '' }]]);
for (const v of info.values()) if (!meta.has(v.key)) meta.set(v.key, v);

function print(title, m, n) {
  const rows = [...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, n);
  process.stdout.write(`\n${title}\n`);
  process.stdout.write(`${'ms'.padStart(9)} ${'%'.padStart(5)}  function  (file:line [-> src:line])\n`);
  for (const [k, ms] of rows) {
    const v = meta.get(k) || { name: k, loc: '' };
    process.stdout.write(`${ms.toFixed(0).padStart(9)} ${((ms / all) * 100).toFixed(1).padStart(5)}  ${v.name}  ${v.loc}${v.src ? ` -> ${v.src}` : ''}\n`);
  }
}

process.stdout.write(`${file}: ${(all / 1000).toFixed(2)} s sampled, ${samples.length} samples\n`);
process.stdout.write('\nself time by package\n');
for (const [p, ms] of [...pkgSelf.entries()].sort((a, b) => b[1] - a[1]).slice(0, 15)) {
  process.stdout.write(`${ms.toFixed(0).padStart(9)} ${((ms / all) * 100).toFixed(1).padStart(5)}  ${p}\n`);
}
print(`top ${TOP} by self time`, self, TOP);
print(`top ${TOP} by total time`, total, TOP);
if (CALLEES) print(`time under "${CALLEES}" (outermost match) by direct callee`, callees, TOP);
if (CALLERS) print(`time in "${CALLERS}" (innermost match) by direct caller`, callers, TOP);
if (OURCALLERS) print(`time in "${OURCALLERS}" by the nearest caller in lib/`, ourCallers, TOP);
if (OURS) print(`top ${TOP} of our code (lib/) by total time`, oursTotal, TOP);
