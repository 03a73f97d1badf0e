/**
 * The DIMSE gateway, for real: Debian's Orthanc (with the DICOMweb plugin) and
 * dcmtk, installed by .ci/run. One Orthanc stands in for the cloud DICOM store,
 * behind a small HTTP stand-in for the workload identity's token endpoint that
 * also checks the bearer token on every DICOMweb call; another Orthanc runs
 * exactly the generated gateway configuration, with only its two ports moved
 * to free loopback ports. Studies are sent with storescu, over DICOM TLS and
 * (with TLS turned off in the spec) over plain TCP.
 */
import { ChildProcess, execFileSync, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { BackboneSpec } from '../../src/core/backbone-spec';
import { OrthancGatewayConfig } from '../../src/imaging/orthanc-gateway';
import { SMALL } from '../support/specs';

jest.setTimeout(120_000);

const TOOLS = ['Orthanc', 'storescu', 'dump2dcm', 'dcmdump', 'openssl'];
const DICOMWEB_PLUGIN = '/usr/share/orthanc/plugins/libOrthancDicomWeb.so';
const missing = TOOLS.filter((t) => spawnSync('sh', ['-c', `command -v ${t}`]).status !== 0);
if (!fs.existsSync(DICOMWEB_PLUGIN)) missing.push(DICOMWEB_PLUGIN);

const STUDY = '1.2.826.0.1.3680043.8.498.77.1';
const SERIES = `${STUDY}.1`;
const MODALITY = { aeTitle: 'REM_CT1', host: '127.0.0.1', trust: 'REM' };

let dir: string;
const procs: ChildProcess[] = [];

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

interface Reply { status: number; body: Buffer; headers: http.IncomingHttpHeaders }

function request(port: number, method: string, url: string, headers: Record<string, string> = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path: url, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks), headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function json(port: number, url: string, headers: Record<string, string> = {}): Promise<any> {
  const r = await request(port, 'GET', url, headers);
  if (r.status !== 200) throw new Error(`GET ${url}: HTTP ${r.status} ${r.body.toString()}`);
  return JSON.parse(r.body.toString() || 'null');
}

async function waitFor<T>(what: string, fn: () => Promise<T | undefined>, seconds = 30): Promise<T> {
  const until = Date.now() + seconds * 1000;
  let last: unknown;
  while (Date.now() < until) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${last}` : ''}`);
}

/** Starts Orthanc on a configuration file and waits until its REST API answers. */
async function startOrthanc(name: string, config: object, httpPort: number): Promise<ChildProcess> {
  const file = path.join(dir, `${name}.json`);
  fs.writeFileSync(file, JSON.stringify(config, undefined, 2));
  const log = fs.openSync(path.join(dir, `${name}.log`), 'a');
  const p = spawn('Orthanc', [file], { stdio: ['ignore', log, log], env: { ...process.env } });
  procs.push(p);
  await waitFor(`${name} to start (see ${dir}/${name}.log)`, async () => ((await request(httpPort, 'GET', '/system')).status === 200 ? true : undefined));
  return p;
}

function stop(p: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (p.exitCode !== null) return resolve();
    p.once('exit', () => resolve());
    p.kill('SIGTERM');
  });
}

/** Writes a small CT instance of the test study with dump2dcm. */
function instance(n: number): string {
  const dump = path.join(dir, `ct${n}.dump`);
  const file = path.join(dir, `ct${n}.dcm`);
  fs.writeFileSync(dump, [
    '(0008,0016) UI =CTImageStorage',
    `(0008,0018) UI [${SERIES}.${n}]`,
    '(0008,0060) CS [CT]',
    '(0010,0010) PN [TEST^GATEWAY]',
    '(0010,0020) LO [9990000042]',
    `(0020,000d) UI [${STUDY}]`,
    `(0020,000e) UI [${SERIES}]`,
    `(0020,0013) IS [${n}]`,
    '(0028,0002) US 1',
    '(0028,0004) CS [MONOCHROME2]',
    '(0028,0010) US 2',
    '(0028,0011) US 2',
    '(0028,0100) US 16',
    '(0028,0101) US 16',
    '(0028,0102) US 15',
    '(0028,0103) US 0',
    `(7fe0,0010) OW ${n.toString(16).padStart(4, '0')}\\0102\\0304\\0506`,
  ].join('\n'));
  execFileSync('dump2dcm', ['--write-xfer-little', dump, file]);
  return file;
}

/** The dataset (not the file meta group) as dcmdump prints it, every value in full. */
function dataset(file: string): string {
  return execFileSync('dcmdump', ['+L', '-q', file]).toString().split('\n')
    .filter((l) => /^\s*\(/.test(l) && !/^\s*\(0002,/.test(l)).join('\n');
}

/** Runs storescu; its exit code and output. */
function storescu(port: number, files: string[], opts: { aet?: string; aec?: string; tls?: boolean } = {}): { code: number; out: string } {
  const args = ['-aet', opts.aet ?? MODALITY.aeTitle, '-aec', opts.aec ?? 'REM_GW'];
  if (opts.tls) {
    args.push('+tls', path.join(dir, 'tls', 'modality.key'), path.join(dir, 'tls', 'modality.crt'), '+cf', path.join(dir, 'tls', 'ca.crt'));
  }
  const r = spawnSync('storescu', [...args, '127.0.0.1', String(port), ...files]);
  return { code: r.status ?? -1, out: `${r.stdout}${r.stderr}` };
}

function makeCertificates(): void {
  const tls = path.join(dir, 'tls');
  fs.mkdirSync(tls);
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: tls, stdio: 'pipe' });
  ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=Test Modality CA', '-keyout', 'ca.key', '-out', 'ca.crt');
  for (const who of ['gateway', 'modality']) {
    ssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=${who}`, '-keyout', `${who}.key`, '-out', `${who}.csr`);
    fs.writeFileSync(path.join(tls, `${who}.ext`), 'subjectAltName=IP:127.0.0.1\n');
    ssl('x509', '-req', '-in', `${who}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '2', '-extfile', `${who}.ext`, '-out', `${who}.crt`);
  }
  // The gateway trusts certificates signed by the trust's modality CA.
  fs.copyFileSync(path.join(tls, 'ca.crt'), path.join(tls, 'modalities-ca.crt'));
}

/**
 * The stand-in for the cloud: GET /token answers a fresh bearer token when
 * asked with the metadata header, as a metadata server does; every other
 * request must carry the latest token and is passed to the store Orthanc.
 */
class CloudStandIn {
  public tokens = 0;
  public tokenHeaders: string[] = [];
  public stows = 0;
  public refused = 0;
  private server?: http.Server;
  constructor(private readonly port: number, private readonly storePort: number) {}

  public start(): Promise<void> {
    this.server = http.createServer((req, res) => {
      if (req.url === '/token') {
        this.tokenHeaders.push(String(req.headers['metadata-flavor']));
        if (req.headers['metadata-flavor'] !== 'Google') {
          res.writeHead(403).end();
          return;
        }
        this.tokens += 1;
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ access_token: `token-${this.tokens}`, expires_in: 3600, token_type: 'Bearer' }));
        return;
      }
      const m = /^Bearer token-(\d+)$/.exec(String(req.headers.authorization));
      if (!m || Number(m[1]) < 1 || Number(m[1]) > this.tokens) {
        this.refused += 1;
        res.writeHead(401).end();
        return;
      }
      if (req.method === 'POST') this.stows += 1;
      const up = http.request({ host: '127.0.0.1', port: this.storePort, method: req.method, path: req.url, headers: req.headers }, (u) => {
        res.writeHead(u.statusCode ?? 502, u.headers);
        u.pipe(res);
      });
      up.on('error', () => res.writeHead(503).end());
      req.pipe(up);
    });
    return new Promise((resolve) => this.server!.listen(this.port, '127.0.0.1', () => resolve()));
  }

  public close(): Promise<void> {
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

describe('the generated Orthanc gateway, run for real', () => {
  let store: { http: number; dicom: number; config: object; proc?: ChildProcess };
  let cloud: CloudStandIn;
  let gw: { http: number; dicom: number };
  let plainGw: { http: number; dicom: number };
  const tickers: NodeJS.Timeout[] = [];

  const storeInstances = async () => json(store.http, '/instances') as Promise<string[]>;

  beforeAll(async () => {
    if (missing.length) {
      throw new Error(`these tests need Debian's orthanc, orthanc-dicomweb and dcmtk (and openssl); missing: ${missing.join(', ')}. .ci/run installs them: apt-get install orthanc orthanc-dicomweb dcmtk`);
    }
    // The token URL names an environment variable, expanded by the gateway at run time (as IDENTITY_ENDPOINT is on Azure).
    process.env.NHSBB_TEST_TOKEN_PATH = '/token';
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nhs-backbone-gateway-'));
    makeCertificates();

    store = { http: await freePort(), dicom: await freePort(), config: {} };
    store.config = {
      Name: 'cloud-store-stand-in',
      StorageDirectory: path.join(dir, 'store-db'),
      IndexDirectory: path.join(dir, 'store-db'),
      HttpPort: store.http,
      DicomPort: store.dicom,
      RemoteAccessAllowed: false,
      AuthenticationEnabled: false,
      Plugins: [DICOMWEB_PLUGIN],
      DicomWeb: { Enable: true, Root: '/dicom-web/' },
    };
    store.proc = await startOrthanc('store', store.config, store.http);
    cloud = new CloudStandIn(await freePort(), store.http);
    await cloud.start();

    // Start a gateway from exactly the generated files, moving only its two ports.
    const startGateway = async (name: string, tls: boolean) => {
      const spec = BackboneSpec.fromProps({ ...SMALL, imaging: { gateway: { tls }, modalities: [MODALITY] } });
      const cfgDir = path.join(dir, name);
      fs.mkdirSync(cfgDir);
      const gen = new OrthancGatewayConfig({
        spec,
        odsCode: 'REM',
        target: { url: `http://127.0.0.1:${(cloud as any).port}/dicom-web`, tokenUrl: `http://127.0.0.1:${(cloud as any).port}\${NHSBB_TEST_TOKEN_PATH}`, tokenHeaders: { 'Metadata-Flavor': 'Google' } },
        tlsDirectory: path.join(dir, 'tls'),
        storageDirectory: path.join(dir, `${name}-db`),
        configDirectory: cfgDir,
        retrySeconds: 1,
      });
      for (const [f, text] of Object.entries(gen.files())) fs.writeFileSync(path.join(cfgDir, f), text);
      const ports = { http: await freePort(), dicom: await freePort() };
      const config = { ...JSON.parse(gen.toJson()), HttpPort: ports.http, DicomPort: ports.dicom };
      await startOrthanc(name, config, ports.http);
      // What the generated entrypoint does: ask for a retry every retrySeconds.
      tickers.push(setInterval(() => {
        request(ports.http, 'POST', OrthancGatewayConfig.RETRY_PATH).catch(() => undefined);
      }, gen.retrySeconds * 1000));
      return ports;
    };
    gw = await startGateway('gateway', true);
    plainGw = await startGateway('gateway-plain', false);
  });

  afterAll(async () => {
    tickers.forEach(clearInterval);
    await Promise.all(procs.map(stop));
    await cloud?.close();
  });

  test('a study sent over DICOM TLS arrives intact in the store (QIDO-RS, WADO-RS) and the gateway keeps no copy', async () => {
    const files = [instance(1), instance(2), instance(3)];
    const sent = storescu(gw.dicom, files, { tls: true });
    expect(sent).toEqual({ code: 0, out: expect.any(String) });

    const studies = await waitFor('the study in the store', async () => {
      const r = await json(store.http, `/dicom-web/studies?StudyInstanceUID=${STUDY}&includefield=00201208`);
      return r.length === 1 && r[0]['00201208']?.Value?.[0] === 3 ? r : undefined;
    });
    expect(studies[0]['0020000D'].Value).toEqual([STUDY]);

    // WADO-RS: each instance's dataset is byte-for-byte what the modality sent.
    for (const [i, file] of files.entries()) {
      const r = await request(store.http, 'GET', `/dicom-web/studies/${STUDY}/series/${SERIES}/instances/${SERIES}.${i + 1}`, { Accept: 'multipart/related; type="application/dicom"' });
      expect(r.status).toBe(200);
      const boundary = /boundary="?([^";]+)"?/.exec(String(r.headers['content-type']))![1];
      const part = r.body.subarray(r.body.indexOf('\r\n\r\n') + 4, r.body.lastIndexOf(`\r\n--${boundary}`));
      const got = path.join(dir, `wado-${i + 1}.dcm`);
      fs.writeFileSync(got, part);
      expect(dataset(file)).toMatch(/\(7fe0,0010\) OW/);
      expect(dataset(got)).toBe(dataset(file));
    }

    await waitFor('the gateway to delete its copies', async () => ((await json(gw.http, '/instances')).length === 0 ? true : undefined));
    // The gateway used bearer tokens from the token endpoint, asked with the metadata header.
    expect(cloud.tokens).toBeGreaterThanOrEqual(1);
    expect(new Set(cloud.tokenHeaders)).toEqual(new Set(['Google']));
    expect(cloud.stows).toBeGreaterThanOrEqual(3);
  });

  test('the same over plain TCP when the spec turns DICOM TLS off; plain TCP is refused when TLS is on', async () => {
    const file = instance(4);
    expect(storescu(gw.dicom, [file]).code).not.toBe(0);
    expect(storescu(plainGw.dicom, [file]).code).toBe(0);
    await waitFor('the plain-TCP instance in the store', async () => ((await storeInstances()).length === 4 ? true : undefined));
    expect((await json(store.http, `/dicom-web/studies/${STUDY}/series/${SERIES}/instances?SOPInstanceUID=${SERIES}.4`)).length).toBe(1);
    await waitFor('the plain gateway to delete its copy', async () => ((await json(plainGw.http, '/instances')).length === 0 ? true : undefined));
  });

  test('an unknown AE title, or the wrong called AE title, is refused and nothing is stored', async () => {
    const file = instance(5);
    const before = (await storeInstances()).length;
    const unknown = storescu(gw.dicom, [file], { tls: true, aet: 'INTRUDER' });
    expect(unknown.code).not.toBe(0);
    expect(unknown.out).toMatch(/Association Rejected|rejected/i);
    const wrongCalled = storescu(gw.dicom, [file], { tls: true, aec: 'SOME_PACS' });
    expect(wrongCalled.code).not.toBe(0);
    await new Promise((r) => setTimeout(r, 1500));
    expect(await json(gw.http, '/instances')).toEqual([]);
    expect((await storeInstances()).length).toBe(before);
  });

  test('when the store is down the instance is kept and visible, and forwarded once the store is back', async () => {
    await stop(store.proc!);
    const file = instance(6);
    expect(storescu(gw.dicom, [file], { tls: true }).code).toBe(0);
    // Kept while the store is down, through several retries.
    await new Promise((r) => setTimeout(r, 3500));
    const waiting = await json(gw.http, '/instances');
    expect(waiting.length).toBe(1);
    expect((await json(gw.http, `/instances/${waiting[0]}/simplified-tags`)).SOPInstanceUID).toBe(`${SERIES}.6`);
    expect(fs.readFileSync(path.join(dir, 'gateway.log'), 'utf8')).toMatch(/nhs-backbone: forwarding .* failed .*kept for retry, 1 instance\(s\) waiting/);

    store.proc = await startOrthanc('store', store.config, store.http);
    await waitFor('the kept instance in the store', async () => ((await json(store.http, `/dicom-web/studies/${STUDY}/series/${SERIES}/instances?SOPInstanceUID=${SERIES}.6`)).length === 1 ? true : undefined));
    await waitFor('the gateway to delete it', async () => ((await json(gw.http, '/instances')).length === 0 ? true : undefined));
  });
});
