import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join, relative } from 'path';
import { main } from '../../src/cli/main';

/**
 * `nhs-backbone diff` over real synth outputs of all three clouds: a spec of
 * two trusts (A), the same spec with a third trust (B), and copies of A's
 * output edited by hand to replace a store and open a rule to the internet.
 * One synth per spec, shared by every test (plus one repeat of A for
 * determinism).
 */

async function run(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const work = mkdtempSync(join(tmpdir(), 'nhs-backbone-diff-'));
const TRUSTS_A = `
  - { odsCode: REM, name: Liverpool University Hospitals, icb: QYG }
  - { odsCode: RBS, name: Alder Hey Children's, icb: QYG }`;
const spec = (trusts: string) => `name: diff-test
environment: test
odsCode: QYG
trusts:${trusts}
apps:
  - { name: ai-triage, trusts: ["*"], dicomweb: read }
network:
  hscn: { connection: vpn, peerAddresses: [203.0.113.50], peerAsn: 65050 }
identity:
  securityContact: security@example.nhs.uk
storage:
  stores:
    - { name: clinical-records, category: adult }
imaging:
  modalities:
    - { aeTitle: REM_CT1, host: 10.218.1.11, trust: REM }
`;
const SPEC_A = spec(TRUSTS_A);
const SPEC_B = spec(`${TRUSTS_A}
  - { odsCode: R0A, name: Manchester University, icb: QOP }`);

const out = (name: string) => join(work, name);

/** Every file under a folder, by relative path. */
function files(dir: string): Map<string, Buffer> {
  const found = new Map<string, Buffer>();
  const walk = (d: string) => {
    for (const e of readdirSync(d).sort()) {
      const p = join(d, e);
      if (statSync(p).isDirectory()) walk(p);
      else found.set(relative(dir, p), readFileSync(p));
    }
  };
  walk(dir);
  return found;
}

function editJson(file: string, edit: (json: any) => void): void {
  const json = JSON.parse(readFileSync(file, 'utf8'));
  edit(json);
  writeFileSync(file, JSON.stringify(json, null, 1));
}

/** The first resource of a type in a synth output, with the file it is in. */
function firstResource(dir: string, cloud: 'aws' | 'azure' | 'gcp', type: string, where: (r: any) => boolean = () => true) {
  for (const [rel] of files(join(dir, cloud))) {
    const file = join(dir, cloud, rel);
    if (cloud === 'aws' ? !rel.endsWith('.template.json') : !rel.endsWith('cdk.tf.json')) continue;
    const json = JSON.parse(readFileSync(file, 'utf8'));
    if (cloud === 'aws') {
      const id = Object.keys(json.Resources ?? {}).sort().find((k) => json.Resources[k].Type === type && where(json.Resources[k]));
      if (id) return { file, id };
    } else {
      const name = Object.keys(json.resource?.[type] ?? {}).sort().find((k) => where(json.resource[type][k]));
      if (name) return { file, id: `${type}.${name}`, name };
    }
  }
  throw new Error(`no ${type} in ${dir}/${cloud}`);
}

beforeAll(async () => {
  // A, then B next to A's address lock (the way a trust is added: the lock keeps
  // every existing slot), then A again into a second folder.
  const dirA = join(work, 'a');
  const dirB = join(work, 'b');
  mkdirSync(dirA);
  mkdirSync(dirB);
  writeFileSync(join(dirA, 'backbone.yaml'), SPEC_A);
  expect((await run('synth', join(dirA, 'backbone.yaml'), '--out', out('out-a'))).code).toBe(0);
  cpSync(join(dirA, 'backbone.lock.json'), join(dirB, 'backbone.lock.json'));
  writeFileSync(join(dirB, 'backbone.yaml'), SPEC_B);
  expect((await run('synth', join(dirB, 'backbone.yaml'), '--out', out('out-b'))).code).toBe(0);
  expect((await run('synth', join(dirA, 'backbone.yaml'), '--out', out('out-a2'))).code).toBe(0);
}, 600_000);

describe('deterministic synth', () => {
  test('two synths of one spec are byte-identical, on every cloud, and hold no path of this machine', () => {
    const first = files(out('out-a'));
    const second = files(out('out-a2'));
    expect([...second.keys()]).toEqual([...first.keys()]);
    for (const cloud of ['aws', 'azure', 'gcp']) expect([...first.keys()].some((f) => f.startsWith(`${cloud}/`))).toBe(true);
    const differing = [...first.keys()].filter((f) => !first.get(f)!.equals(second.get(f)!));
    expect(differing).toEqual([]);
    // Paths of this machine (the checkout, the temp folder) would make the output differ on another one.
    const local = [process.cwd(), work];
    const withPaths = [...first.entries()].filter(([, b]) => local.some((p) => b.includes(p))).map(([f]) => f);
    expect(withPaths).toEqual([]);
  });
});

describe('nhs-backbone diff', () => {
  test('no change: says so, exits 0, even with --fail-on-destroy', async () => {
    const r = await run('diff', out('out-a'), out('out-a2'), '--fail-on-destroy');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/no changes/);
  });

  test('adding a trust shows only additions: its stacks added, nothing removed, replaced or destroyed', async () => {
    const r = await run('diff', out('out-a'), out('out-b'), '--format', 'json', '--fail-on-destroy');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.out);
    const changes = report.stacks.flatMap((s: any) => s.changes);
    expect(changes.length).toBeGreaterThan(0);
    // The hub's rules that list the trusts (the app's firewall IP set, NCC's accepted
    // projects, the app subnets' allowed sources) gain the new trust's entries: updates that only add.
    expect(changes.filter((c: any) => c.action !== 'create' && !(c.action === 'update' && c.additive))).toEqual([]);
    expect(report.destructive).toEqual([]);
    expect(report.stacks.filter((s: any) => s.status === 'removed')).toEqual([]);
    // The new trust's stack on each cloud, named by its ODS code.
    for (const cloud of ['aws', 'azure', 'gcp']) {
      const added = report.stacks.filter((s: any) => s.cloud === cloud && s.status === 'added').map((s: any) => s.stack);
      expect(added.some((s: string) => /r0a/i.test(s))).toBe(true);
    }
    // Its stores are among the additions on every cloud.
    expect(changes.some((c: any) => c.cloud === 'aws' && c.type === 'AWS::S3::Bucket' && c.stateful)).toBe(true);
    expect(changes.some((c: any) => c.cloud === 'azure' && c.type === 'azurerm_storage_account')).toBe(true);
    expect(changes.some((c: any) => c.cloud === 'gcp' && c.type === 'google_storage_bucket')).toBe(true);
  });

  test('removing a trust is flagged as destroying its stores and keys, and --fail-on-destroy exits 1', async () => {
    const r = await run('diff', out('out-b'), out('out-a'), '--format', 'json');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.out);
    const destroyed = report.destructive;
    // AWS keeps retained resources in the account but stops managing them (orphan); Terraform destroys.
    expect(destroyed.some((c: any) => c.cloud === 'aws' && c.type === 'AWS::S3::Bucket' && c.action === 'orphan' && /R0A/i.test(c.stack))).toBe(true);
    expect(destroyed.some((c: any) => c.cloud === 'aws' && c.type === 'AWS::KMS::Key')).toBe(true);
    expect(destroyed.some((c: any) => c.cloud === 'azure' && c.type === 'azurerm_storage_account' && c.action === 'delete')).toBe(true);
    expect(destroyed.some((c: any) => c.cloud === 'azure' && c.type === 'azurerm_key_vault')).toBe(true);
    expect(destroyed.some((c: any) => c.cloud === 'gcp' && c.type === 'google_storage_bucket' && c.action === 'delete')).toBe(true);
    expect(destroyed.some((c: any) => c.cloud === 'gcp' && c.type === 'google_kms_crypto_key')).toBe(true);

    const failing = await run('diff', out('out-b'), out('out-a'), '--fail-on-destroy');
    expect(failing.code).toBe(1);
    expect(failing.out).toMatch(/STATEFUL RESOURCES DESTROYED OR REPLACED \(\d+\)/);
    expect(failing.err).toMatch(/^error: \d+ stateful resources would be destroyed or replaced .*--fail-on-destroy/);
  });

  describe('hand-edited outputs', () => {
    const edited = out('edited');
    let bucket: { file: string; id: string };
    let account: { file: string; id: string; name?: string };
    let gcsBucket: { file: string; id: string; name?: string };
    let report: any;
    let markdown: string;

    beforeAll(async () => {
      cpSync(out('out-a'), edited, { recursive: true });
      // A new name replaces a store on every cloud; a new location replaces a bucket.
      bucket = firstResource(edited, 'aws', 'AWS::S3::Bucket', (r) => typeof r.Properties?.BucketName === 'string');
      editJson(bucket.file, (t) => { t.Resources[bucket.id].Properties.BucketName += '-renamed'; });
      account = firstResource(edited, 'azure', 'azurerm_storage_account');
      editJson(account.file, (t) => { t.resource.azurerm_storage_account[account.name!].name += 'x'; });
      gcsBucket = firstResource(edited, 'gcp', 'google_storage_bucket');
      editJson(gcsBucket.file, (t) => { t.resource.google_storage_bucket[gcsBucket.name!].location = 'EUROPE-WEST1'; });
      // Open a rule to any address on every cloud.
      const sg = firstResource(edited, 'aws', 'AWS::EC2::SecurityGroup');
      editJson(sg.file, (t) => {
        const p = t.Resources[sg.id].Properties;
        p.SecurityGroupIngress = [...(p.SecurityGroupIngress ?? []), { CidrIp: '0.0.0.0/0', IpProtocol: 'tcp', FromPort: 22, ToPort: 22 }];
      });
      const nsg = firstResource(edited, 'azure', 'azurerm_network_security_group', (r) => Array.isArray(r.security_rule) && r.security_rule.length > 0);
      editJson(nsg.file, (t) => {
        const rule = t.resource.azurerm_network_security_group[nsg.id.split('.')[1]].security_rule[0];
        delete rule.source_address_prefixes;
        rule.source_address_prefix = '0.0.0.0/0';
      });
      const fw = firstResource(edited, 'gcp', 'google_compute_network_firewall_policy_rule', (r) => r.direction === 'INGRESS' && r.action === 'allow');
      editJson(fw.file, (t) => {
        const rule = t.resource.google_compute_network_firewall_policy_rule[fw.id.split('.')[1]];
        rule.match.src_ip_ranges = ['0.0.0.0/0'];
      });
      const r = await run('diff', out('out-a'), edited, '--format', 'json');
      expect(r.code).toBe(0);
      report = JSON.parse(r.out);
      markdown = (await run('diff', out('out-a'), edited, '--format', 'markdown')).out;
    });

    test('a change that replaces a store is flagged, with the property that forces it', () => {
      const replaced = report.destructive.map((c: any) => `${c.cloud} ${c.id} ${c.action} ${c.replacing.join(',')}`);
      expect(replaced).toContain(`aws ${bucket.id} replace BucketName`);
      expect(replaced).toContain(`azure ${account.id} replace name`);
      expect(replaced).toContain(`gcp ${gcsBucket.id} replace location`);
      expect(report.destructive).toHaveLength(3);
    });

    test('a security-group, NSG or firewall rule opened to 0.0.0.0/0 appears under security', () => {
      const opened = report.security.filter((c: any) => c.security.some((s: string) => /^opens to any address: .*0\.0\.0\.0\/0/.test(s)));
      expect(opened.map((c: any) => `${c.cloud} ${c.type}`).sort()).toEqual([
        'aws AWS::EC2::SecurityGroup',
        'azure azurerm_network_security_group',
        'gcp google_compute_network_firewall_policy_rule',
      ]);
      // Nothing else changed but the bucket policy, replaced with its renamed bucket.
      const changes = report.stacks.flatMap((s: any) => s.changes);
      expect(changes).toHaveLength(7);
      expect(changes.find((c: any) => c.type === 'AWS::S3::BucketPolicy')).toMatchObject({ action: 'replace', replacing: ['Bucket'] });
    });

    test('markdown: a summary table, then the destroyed stores and the security changes, detail folded', () => {
      expect(markdown).toMatch(/^## nhs-backbone diff\n\n\*\*3 stateful resources .* would be destroyed or replaced\.\*\*/);
      expect(markdown).toContain('| aws | 0 | 0 | 1 | 0 | 0 | 1 (1) | 2 | 2 |');
      const order = ['### Stateful resources destroyed or replaced (3)', '### Security-relevant changes', '<details>'].map((h) => markdown.indexOf(h));
      expect(order.every((i) => i > 0)).toBe(true);
      expect([...order].sort((x, y) => x - y)).toEqual(order);
      expect(markdown.split('\n').length).toBeLessThan(120);
    });
  });

  test('usage and input errors: exit 2 for wrong usage, 1 for a missing folder, one line each', async () => {
    expect((await run('diff', out('out-a'))).code).toBe(2);
    expect((await run('diff', out('out-a'), out('out-b'), '--format', 'yaml')).code).toBe(2);
    expect((await run('diff', out('out-a'), out('out-b'), '--fail-on-destroy=yes')).code).toBe(2);
    const missing = await run('diff', out('out-a'), out('nope'));
    expect(missing.code).toBe(1);
    expect(missing.err).toBe(`error: ${out('nope')}: no such folder (give two output folders of nhs-backbone synth)`);
    const empty = join(work, 'empty');
    mkdirSync(empty);
    const none = await run('diff', empty, empty);
    expect(none.code).toBe(1);
    expect(none.err.split('\n')).toHaveLength(1);
  });
});
