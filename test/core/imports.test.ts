/**
 * What every module of src/ may import, read from the sources: the rules
 * that keep loading cheap and the Terraform engine contained.
 * - Provider resources by deep path only: the roots of @cdktf/provider-azurerm
 *   and @cdktf/provider-google take over 2 s and 400 MB each to load.
 * - cdktf and the providers only in src/azure and src/gcp (cdktf is archived
 *   upstream; its fork has no Google provider: a later move must be a swap there).
 * - aws-cdk-lib only in src/aws; core, cli and imaging are cloud-neutral (the CLI
 *   loads each cloud's engine only when asked, by require).
 */
import { readdirSync, readFileSync, statSync } from 'fs';
import { join, relative } from 'path';

const SRC = join(__dirname, '..', '..', 'src');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((e) => {
    const p = join(dir, e);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** Every module specifier a file imports or requires statically: `from '...'` and `require('...')`. */
function specifiers(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/\bfrom\s+'([^']+)'|\brequire\('([^']+)'\)/g)].map((m) => m[1] ?? m[2]);
}

const files = sources(SRC).map((f) => ({ file: relative(SRC, f), imports: specifiers(f) }));

test('the sources are found', () => {
  expect(files.length).toBeGreaterThan(100);
  expect(files.some((f) => f.imports.some((i) => i.startsWith('@cdktf/provider-google/lib/')))).toBe(true);
});

test('provider packages are imported by deep path only', () => {
  const roots = files.flatMap((f) => f.imports.filter((i) => /^@cdktf\/provider-(azurerm|google)$/.test(i)).map((i) => `${f.file}: ${i}`));
  expect(roots).toEqual([]);
});

test('cdktf and the providers only in src/azure and src/gcp; aws-cdk-lib and cdk-nag only in src/aws', () => {
  const misplaced = files.flatMap((f) => f.imports.flatMap((i) => {
    const cloud = f.file.split('/')[0];
    if (/^(cdktf|@cdktf\/)/.test(i) && !['azure', 'gcp'].includes(cloud)) return [`${f.file}: ${i}`];
    if (/^(aws-cdk-lib|cdk-nag|@aws-cdk\/)/.test(i) && cloud !== 'aws') return [`${f.file}: ${i}`];
    return [];
  }));
  expect(misplaced).toEqual([]);
});
