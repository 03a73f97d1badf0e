/**
 * The pull-request workflow blueprint (examples/pull-request-workflow): its
 * shape (pinned actions, least privilege), and its steps run here in order
 * the way the runner would, on a pull request whose head removes a trust:
 * the base and head synthesise, the markdown comment is written (and updated,
 * not duplicated, on the next push), and the destroy check fails the job.
 *
 * `npx nhs-backbone` runs this checkout's compiled CLI (bin/, lib/: the
 * build compiles before it tests); `npm ci` is a no-op.
 */
import { spawnSync } from 'child_process';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join, resolve } from 'path';
import { parse } from 'yaml';

const ROOT = resolve(__dirname, '..', '..');
const workflow = parse(readFileSync(join(ROOT, 'examples/pull-request-workflow/nhs-backbone-diff.yml'), 'utf8'));
const steps: any[] = workflow.jobs.diff.steps;

describe('the workflow file', () => {
  test('runs on pull_request (never pull_request_target), with read-only contents and only the right to comment', () => {
    expect(Object.keys(workflow.on)).toEqual(['pull_request']);
    expect(workflow.permissions).toEqual({ 'contents': 'read', 'pull-requests': 'write' });
  });

  test('every action is pinned to a commit, and checkouts keep no credentials', () => {
    const uses = steps.filter((s) => s.uses).map((s) => s.uses as string);
    expect(uses.length).toBeGreaterThanOrEqual(4);
    for (const u of uses) expect(u).toMatch(/^[\w-]+\/[\w-]+@[0-9a-f]{40}$/);
    for (const s of steps.filter((x) => String(x.uses).startsWith('actions/checkout@'))) expect(s.with['persist-credentials']).toBe(false);
  });
});

describe('the workflow run on a pull request that removes a trust', () => {
  const work = mkdtempSync(join(tmpdir(), 'nhs-backbone-workflow-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));
  const temp = join(work, 'runner-temp');
  const summary = join(work, 'summary.md');
  const bin = join(work, 'bin');
  const results: Array<{ name: string; code: number; stderr: string }> = [];
  const comments: Array<{ id: number; body: string; user: { type: string } }> = [];

  const TRUSTS = `
  - { odsCode: REM, name: Liverpool University Hospitals, icb: QYG }
  - { odsCode: RBS, name: Alder Hey Children's, icb: QYG }`;
  const spec = (trusts: string) => `name: workflow-test
environment: test
trusts:${trusts}
identity:
  securityContact: security@example.nhs.uk
storage:
  stores:
    - { name: clinical-records, category: adult }
`;

  function git(cwd: string, ...args: string[]): void {
    const r = spawnSync('git', ['-c', 'user.name=test', '-c', 'user.email=test@example.nhs.uk', ...args], { cwd, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
  }

  /** The github-script step's script, run against a stand-in of the GitHub API. */
  async function postComment(script: string): Promise<void> {
    const github = {
      paginate: async () => comments.map((c) => ({ ...c })),
      rest: {
        issues: {
          listComments: () => undefined,
          createComment: async (a: any) => { comments.push({ id: comments.length + 1, body: a.body, user: { type: 'Bot' } }); },
          updateComment: async (a: any) => { comments.find((c) => c.id === a.comment_id)!.body = a.body; },
        },
      },
    };
    const context = { repo: { owner: 'nhs', repo: 'backbone' }, payload: { pull_request: { number: 7 } } };
    const AsyncFunction = Object.getPrototypeOf(async () => undefined).constructor;
    const prior = process.env.RUNNER_TEMP;
    process.env.RUNNER_TEMP = temp;
    try {
      await new AsyncFunction('require', 'github', 'context', script)(require, github, context);
    } finally {
      process.env.RUNNER_TEMP = prior;
    }
  }

  /** Runs the steps in order, as the runner does: stop at the first failure. */
  async function runJob(): Promise<void> {
    results.length = 0;
    for (const step of steps) {
      if (step.uses?.startsWith('actions/github-script@')) {
        await postComment(step.with.script);
        results.push({ name: step.name, code: 0, stderr: '' });
        continue;
      }
      if (!step.run) continue;
      const r = spawnSync('bash', ['-e', '-c', step.run], {
        cwd: join(work, step['working-directory'] ?? '.'),
        encoding: 'utf8',
        env: { ...process.env, ...workflow.env, RUNNER_TEMP: temp, GITHUB_STEP_SUMMARY: summary, PATH: `${bin}:${process.env.PATH}` },
      });
      results.push({ name: step.name, code: r.status ?? -1, stderr: r.stderr });
      if (r.status !== 0) return;
    }
  }

  beforeAll(async () => {
    mkdirSync(temp);
    mkdirSync(bin);
    writeFileSync(join(bin, 'npx'), `#!/bin/sh\n[ "$1" = nhs-backbone ] || { echo "unexpected npx $1" >&2; exit 9; }\nshift\nexec node ${JSON.stringify(join(ROOT, 'bin', 'nhs-backbone'))} "$@"\n`);
    writeFileSync(join(bin, 'npm'), '#!/bin/sh\n[ "$1" = ci ] || { echo "unexpected npm $1" >&2; exit 9; }\n');
    chmodSync(join(bin, 'npx'), 0o755);
    chmodSync(join(bin, 'npm'), 0o755);
    // The base has three trusts and its lock; the head removes one (its slot stays in the lock).
    const base = join(work, 'base');
    mkdirSync(base);
    writeFileSync(join(base, 'backbone.yaml'), spec(`${TRUSTS}\n  - { odsCode: R0A, name: Manchester University, icb: QOP }`));
    const lock = spawnSync('node', [join(ROOT, 'bin', 'nhs-backbone'), 'synth', 'backbone.yaml', '--cloud', 'aws', '--out', join(work, 'scratch')], { cwd: base, encoding: 'utf8' });
    expect(lock.status).toBe(0);
    const head = join(work, 'head');
    mkdirSync(head);
    cpSync(join(base, 'backbone.lock.json'), join(head, 'backbone.lock.json'));
    writeFileSync(join(head, 'backbone.yaml'), spec(TRUSTS));
    git(head, 'init', '-q');
    git(head, 'add', '.');
    git(head, 'commit', '-qm', 'remove R0A');
    await runJob();
    // A second push: the comment step again updates the one comment, it does not post another.
    await postComment(steps.find((x) => x.uses?.startsWith('actions/github-script@')).with.script);
  }, 600_000);

  test('base and head synthesise, the lock check passes, the diff is written; the destroy check fails the job', () => {
    expect(results.map((r) => `${r.name}: ${r.code}`)).toEqual([
      'Synthesise the base: 0',
      'Synthesise the head: 0',
      'The address lock is committed: 0',
      'Diff (markdown for the comment): 0',
      'Post or update the comment: 0',
      'Fail on destroy: 1',
    ]);
    expect(results[5].stderr).toMatch(/stateful resources would be destroyed or replaced .*--fail-on-destroy/);
  });

  test('one comment, with the marker, naming the removed trust\'s stores first', () => {
    expect(comments).toHaveLength(1);
    const body = comments[0].body;
    expect(body.startsWith('<!-- nhs-backbone-diff -->\n## nhs-backbone diff')).toBe(true);
    expect(body).toMatch(/\*\*\d+ stateful resources .* would be destroyed or replaced\.\*\*/);
    expect(body).toMatch(/### Stateful resources destroyed or replaced \(\d+\)[\s\S]*r0a[\s\S]*### Security-relevant changes/i);
    expect(readFileSync(summary, 'utf8')).toContain('## nhs-backbone diff');
  });
});
