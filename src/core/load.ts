import { existsSync, readFileSync, statSync } from 'fs';
import { basename, dirname, extname, join } from 'path';
import { parseDocument } from 'yaml';
import { AddressLock } from './address-plan';
import { ProblemCollector, SpecProblem } from './errors';
import { ValidationResult, validateSpec } from './validate';

/**
 * Reading specs and lock files.
 * @internal
 */

/** Reads a YAML or JSON file; problems name the file. */
function readStructured(path: string, what: string): { value?: unknown; problems: SpecProblem[] } {
  const c = new ProblemCollector();
  if (!existsSync(path)) {
    c.error(path, `no such file (expected a ${what} in YAML or JSON)`);
    return { problems: c.problems };
  }
  if (!statSync(path).isFile()) {
    c.error(path, `is a directory, not a ${what} file (YAML or JSON)`);
    return { problems: c.problems };
  }
  const text = readFileSync(path, 'utf8');
  if (text.includes('\u0000')) {
    c.error(path, `is not YAML or JSON (it is a binary file); expected a ${what}`);
    return { problems: c.problems };
  }
  const ext = extname(path).toLowerCase();
  if (ext === '.json') {
    try {
      return { value: JSON.parse(text), problems: [] };
    } catch (e) {
      c.error(path, `is not valid JSON: ${(e as Error).message.split('\n')[0]}`);
      return { problems: c.problems };
    }
  }
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const err = doc.errors[0];
    const line = err.linePos?.[0]?.line;
    c.error(path, `is not valid YAML or JSON${line ? ` (line ${line})` : ''}: ${err.message.split('\n')[0]}`);
    return { problems: c.problems };
  }
  return { value: doc.toJS(), problems: [] };
}

/** Loads and validates a spec file. Never throws for a user mistake. */
export function loadSpecFile(path: string): ValidationResult {
  const { value, problems } = readStructured(path, 'backbone spec');
  if (problems.length > 0) return { problems, warnings: [] };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return {
      problems: [{ path, message: `is not a backbone spec: expected a YAML or JSON mapping with "name" and "trusts", found ${value === null || value === undefined ? 'nothing' : Array.isArray(value) ? 'a list' : `a ${typeof value}`}` }],
      warnings: [],
    };
  }
  return validateSpec(value);
}

/** The lock file beside a spec: `backbone.yaml` -> `backbone.lock.json`. */
export function lockPathFor(specPath: string): string {
  const base = basename(specPath, extname(specPath));
  return join(dirname(specPath), `${base}.lock.json`);
}

/** Reads a lock file if there is one. */
export function readLock(path: string): { lock?: AddressLock; problems: SpecProblem[] } {
  if (!existsSync(path)) return { problems: [] };
  const { value, problems } = readStructured(path, 'address lock');
  if (problems.length > 0) return { problems };
  const c = new ProblemCollector();
  const v = value as any;
  if (typeof v !== 'object' || v === null || v.version !== 1 || typeof v.pool !== 'string'
    || typeof v.trusts !== 'object' || v.trusts === null || typeof v.apps !== 'object' || v.apps === null) {
    c.error(path, 'is not an address lock (expected {"version": 1, "pool": "...", "trusts": {...}, "apps": {...}})');
    return { problems: c.problems };
  }
  for (const section of ['trusts', 'apps'] as const) {
    const seen = new Map<number, string>();
    for (const [k, slot] of Object.entries(v[section] as Record<string, unknown>)) {
      if (typeof slot !== 'number' || !Number.isInteger(slot) || slot < 0) {
        c.error(`${path}: ${section}.${k}`, `${JSON.stringify(slot)} is not a slot (a whole number from 0)`);
      } else if (seen.has(slot)) {
        c.error(`${path}: ${section}.${k}`, `slot ${slot} is also given to ${seen.get(slot)} (each slot once)`);
      } else {
        seen.set(slot, k);
      }
    }
  }
  if (!c.ok) return { problems: c.problems };
  return { lock: v as AddressLock, problems: [] };
}

/** The lock as written to disk: keys sorted by slot, stable bytes. */
export function serialiseLock(lock: AddressLock): string {
  const bySlot = (o: { [k: string]: number }) => Object.fromEntries(Object.entries(o).sort((a, b) => a[1] - b[1] || a[0].localeCompare(b[0])));
  return JSON.stringify({ version: lock.version, pool: lock.pool, trusts: bySlot(lock.trusts), apps: bySlot(lock.apps) }, null, 2) + '\n';
}
