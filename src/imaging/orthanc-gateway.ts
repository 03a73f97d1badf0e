import { BackboneSpec } from '../core/backbone-spec';
import { BackboneError } from '../core/errors';

/**
 * Where the gateway forwards: a cloud DICOM store's DICOMweb endpoint, and
 * how the gateway gets a bearer token for it at run time.
 */
export interface DicomWebTarget {
  /**
   * The DICOMweb base URL; STOW-RS posts to `<url>/studies`. On AWS this is
   * the SigV4-signing sidecar on loopback (HealthImaging signs requests with
   * the task role, no bearer token).
   */
  readonly url: string;
  /**
   * A URL that returns a JSON access token for the gateway's workload identity
   * (the cloud's metadata or managed-identity endpoint). `${NAME}` is replaced
   * at run time by the environment variable NAME.
   * @default - no token: the URL is reached without an Authorization header
   */
  readonly tokenUrl?: string;
  /**
   * Headers sent with the token request (`${NAME}` expanded as above), e.g.
   * `Metadata-Flavor: Google`.
   * @default - none
   */
  readonly tokenHeaders?: { [name: string]: string };
  /**
   * The JSON field holding the token.
   * @default "access_token"
   */
  readonly tokenField?: string;
}

/** Props of a trust's Orthanc gateway configuration. */
export interface OrthancGatewayProps {
  /** The validated backbone spec. */
  readonly spec: BackboneSpec;
  /** The trust whose modalities store to this gateway. */
  readonly odsCode: string;
  /** The cloud DICOM store the gateway forwards to. */
  readonly target: DicomWebTarget;
  /**
   * Folder in the container holding `gateway.crt`, `gateway.key` and
   * `modalities-ca.crt` for DICOM TLS.
   * @default "/etc/orthanc/tls"
   */
  readonly tlsDirectory?: string;
  /**
   * Folder in the container where instances wait until forwarded.
   * @default "/var/lib/orthanc/db"
   */
  readonly storageDirectory?: string;
  /**
   * Folder of Orthanc's SQLite index of the waiting instances. Keep it with
   * them (on the same durable volume) unless that volume is a network share
   * where SQLite locking is unreliable; an index lost on restart leaves the
   * files it listed unforwarded.
   * @default - the storageDirectory
   */
  readonly indexDirectory?: string;
  /**
   * Folder in the container holding the generated Lua script.
   * @default "/etc/orthanc"
   */
  readonly configDirectory?: string;
  /**
   * Seconds between retries of the instances still waiting.
   * @default 30
   */
  readonly retrySeconds?: number;
}

const RETRY_PATH = '/nhs-backbone/retry-forwarding';

/**
 * The configuration of a trust's DIMSE gateway, generated from the spec:
 * Orthanc's JSON configuration, the Lua script that forwards every stored
 * instance to the cloud DICOM store over DICOMweb (STOW-RS), and the
 * container's entrypoint.
 *
 * What it enforces:
 * - DICOM TLS on the DIMSE port (unless the spec turns it off), client
 *   certificates required, signed by the trust's modality CA;
 * - the called AE title must be the gateway's (`<ODS>_GW`);
 * - only the spec's modalities may store (and echo), each from its own IPv4
 *   address; no query, move or get from anyone;
 * - the REST API answers loopback only and cannot run Lua or write files;
 * - each stored instance is sent by STOW-RS with a bearer token fetched at run
 *   time from the workload identity's endpoint, and deleted locally only after
 *   the store accepted it. A failed forward is logged and the instance kept;
 *   the entrypoint asks the gateway to retry what is waiting every
 *   `retrySeconds`, oldest first, and every new instance's success retries the
 *   rest. Nothing is dropped: the gateway's local instance count is the
 *   backlog.
 */
export class OrthancGatewayConfig {
  /** The loopback REST path the entrypoint posts to, to retry waiting instances. */
  public static readonly RETRY_PATH = RETRY_PATH;

  /** The gateway's AE title, `<ODS>_GW`. */
  public readonly aeTitle: string;
  /** The DIMSE port. */
  public readonly port: number;
  /** Whether DICOM TLS is on. */
  public readonly tls: boolean;
  /** The HTTP port of the loopback-only REST API. */
  public readonly httpPort: number = 8042;
  /** Seconds between retries. */
  public readonly retrySeconds: number;
  private readonly props: OrthancGatewayProps;

  constructor(props: OrthancGatewayProps) {
    const { spec, odsCode, target } = props;
    this.aeTitle = spec.gatewayAeTitle(odsCode);
    if (spec.modalitiesOf(odsCode).length === 0) {
      throw BackboneError.of('odsCode', `trust ${odsCode} has no modalities in imaging.modalities, so it has no DIMSE gateway`);
    }
    if (typeof target?.url !== 'string' || !/^https?:\/\/[^\s'"\\]+$/.test(target.url)) {
      throw BackboneError.of('target.url', `${JSON.stringify(target?.url)} is not a DICOMweb base URL (http:// or https://, no spaces or quotes)`);
    }
    if (target.url.startsWith('http://') && !/^http:\/\/(127\.0\.0\.1|localhost)[:/]/.test(target.url)) {
      throw BackboneError.of('target.url', `${target.url} is plain HTTP to another host; patient data leaves the gateway over HTTPS only (plain HTTP is allowed to a loopback sidecar)`);
    }
    if (target.tokenUrl !== undefined && (typeof target.tokenUrl !== 'string' || !/^https?:\/\/[^\s'"\\]+$/.test(target.tokenUrl) && !/^\$\{[A-Z_]+\}[^\s'"\\]*$/.test(target.tokenUrl))) {
      throw BackboneError.of('target.tokenUrl', `${JSON.stringify(target.tokenUrl)} is not a token URL (http(s)://..., or \${ENV_VAR}... for an endpoint given at run time)`);
    }
    const retry = props.retrySeconds ?? 30;
    if (!Number.isInteger(retry) || retry < 1 || retry > 3600) {
      throw BackboneError.of('retrySeconds', `${JSON.stringify(retry)} is not allowed (whole seconds from 1 to 3600)`);
    }
    this.retrySeconds = retry;
    this.port = spec.imaging.gateway?.port ?? 11112;
    this.tls = spec.imaging.gateway?.tls ?? true;
    this.props = props;
  }

  /** Orthanc's configuration (`orthanc.json`), as indented JSON. */
  public toJson(): string {
    return JSON.stringify(this.configuration(), undefined, 2) + '\n';
  }

  /** The forwarding script (`forward.lua`). */
  public toLua(): string {
    const t = this.props.target;
    const headers = Object.entries(t.tokenHeaders ?? {}).sort(([a], [b]) => a.localeCompare(b))
      .map(([k, v]) => `[${luaString(k)}] = ${luaString(v)}`).join(', ');
    return `-- Generated by nhs-backbone for the DIMSE gateway ${this.aeTitle} (trust ${this.props.odsCode}). Do not edit:
-- change the backbone spec and synthesise again.
--
-- Every instance a modality stores is sent to the cloud DICOM store by STOW-RS
-- and deleted here only once the store has accepted it. A failed send is
-- logged and the instance kept; RetryWaiting() sends what is waiting, oldest
-- first (the entrypoint calls it every ${this.retrySeconds} s through ${RETRY_PATH},
-- and each successful send calls it too).

local TOKEN_URL = ${t.tokenUrl ? luaString(t.tokenUrl) : 'nil'}
local TOKEN_HEADERS = { ${headers} }
local TOKEN_FIELD = ${luaString(t.tokenField ?? 'access_token')}
local BATCH = 100

local token = nil
local tokenExpiry = 0

local function expand(s)
  return (string.gsub(s, '%\${([%w_]+)}', function(name) return os.getenv(name) or '' end))
end

-- The bearer token of the gateway's workload identity, fetched at run time
-- and cached until a minute before it expires. Never stored on disk.
local function authorization()
  if TOKEN_URL == nil then
    return {}
  end
  if token == nil or os.time() >= tokenExpiry then
    local headers = {}
    for k, v in pairs(TOKEN_HEADERS) do headers[k] = expand(v) end
    local body = HttpGet(expand(TOKEN_URL), headers)
    if body == nil or body == '' then
      error('no answer from the token endpoint')
    end
    local answer = ParseJson(body)
    if answer == nil or answer[TOKEN_FIELD] == nil then
      error('the token endpoint gave no ' .. TOKEN_FIELD)
    end
    token = answer[TOKEN_FIELD]
    tokenExpiry = os.time() + math.max(60, (tonumber(answer['expires_in']) or 300) - 60)
  end
  return { ['Authorization'] = 'Bearer ' .. token }
end

local function waiting()
  local list = ParseJson(RestApiGet('/instances?since=0&limit=' .. BATCH)) or {}
  return #list
end

-- True when the store already holds the instance (a modality sent it again, or
-- an earlier send succeeded but the local delete did not): QIDO-RS by its UIDs.
local function alreadyStored(instanceId)
  local tags = ParseJson(RestApiGet('/instances/' .. instanceId .. '/simplified-tags'))
  local uri = '/studies/' .. tags['StudyInstanceUID'] .. '/series/' .. tags['SeriesInstanceUID'] .. '/instances'
  local answer = RestApiPost('/dicom-web/servers/cloud/qido',
    DumpJson({ Uri = uri, Arguments = { SOPInstanceUID = tags['SOPInstanceUID'] }, HttpHeaders = authorization() }, true))
  local found = answer and ParseJson(answer)
  return found ~= nil and #found > 0
end

-- Sends one instance; true once the store holds it and the local copy is gone.
local function forward(instanceId)
  local ok, result = pcall(function()
    return RestApiPost('/dicom-web/servers/cloud/stow',
      DumpJson({ Resources = { instanceId }, Synchronous = true, HttpHeaders = authorization() }, true))
  end)
  if ok and result ~= nil then
    RestApiDelete('/instances/' .. instanceId)
    return true
  end
  -- Fetch a fresh token next time, in case this one was revoked or expired early.
  token = nil
  local known, stored = pcall(alreadyStored, instanceId)
  if known and stored then
    print('nhs-backbone: ' .. instanceId .. ' is already in the store; local copy deleted')
    RestApiDelete('/instances/' .. instanceId)
    return true
  end
  print('nhs-backbone: forwarding ' .. instanceId .. ' failed (' .. tostring(ok and 'the store refused it' or result) ..
    '); kept for retry, ' .. waiting() .. ' instance(s) waiting')
  return false
end

-- Sends what is waiting, oldest first; stops after three failures in a row
-- (the store is down), so one instance the store refuses cannot hold up the rest.
function RetryWaiting()
  local list = ParseJson(RestApiGet('/instances?since=0&limit=' .. BATCH)) or {}
  local failures = 0
  for _, instanceId in ipairs(list) do
    if forward(instanceId) then
      failures = 0
    else
      failures = failures + 1
      if failures >= 3 then
        return false
      end
    end
  end
  return true
end

function OnStoredInstance(instanceId, tags, metadata, origin)
  if forward(instanceId) then
    RetryWaiting()
  end
end

-- Only the entrypoint's retry call is handled here; every other request goes on
-- to Orthanc (which answers loopback only).
function IncomingHttpRequestFilter(method, uri, ip, username, headers)
  if method == 'POST' and uri == ${luaString(RETRY_PATH)} then
    if ip == '127.0.0.1' then
      RetryWaiting()
    end
    return false
  end
  return true
end
`;
  }

  /**
   * The container's entrypoint (`entrypoint.sh`): starts Orthanc and asks it
   * to retry waiting instances every `retrySeconds`.
   */
  public toEntrypoint(): string {
    const dir = this.props.configDirectory ?? '/etc/orthanc';
    return `#!/bin/sh
# Generated by nhs-backbone for the DIMSE gateway ${this.aeTitle}. Do not edit.
set -eu
Orthanc ${dir}/orthanc.json &
orthanc=$!
trap 'kill $orthanc' TERM INT
( while sleep ${this.retrySeconds}; do
    curl -s -o /dev/null -X POST http://127.0.0.1:${this.httpPort}${RETRY_PATH} || true
  done ) &
wait $orthanc
`;
  }

  /** Every file of the gateway's configuration, by file name. */
  public files(): { [fileName: string]: string } {
    return { 'orthanc.json': this.toJson(), 'forward.lua': this.toLua(), 'entrypoint.sh': this.toEntrypoint() };
  }

  private configuration(): { [key: string]: unknown } {
    const { spec, odsCode, target } = this.props;
    const tlsDir = this.props.tlsDirectory ?? '/etc/orthanc/tls';
    const storage = this.props.storageDirectory ?? '/var/lib/orthanc/db';
    const configDir = this.props.configDirectory ?? '/etc/orthanc';
    const modalities: { [name: string]: unknown } = {};
    for (const m of spec.modalitiesOf(odsCode)) {
      modalities[m.aeTitle] = {
        AET: m.aeTitle,
        Host: m.host,
        Port: m.port ?? 104,
        AllowEcho: true,
        AllowStore: true,
        AllowFind: false,
        AllowFindWorklist: false,
        AllowGet: false,
        AllowMove: false,
        AllowStorageCommitment: false,
        AllowTranscoding: false,
        UseDicomTls: this.tls,
      };
    }
    return {
      Name: `nhs-backbone ${spec.name} ${this.aeTitle}`,
      StorageDirectory: storage,
      IndexDirectory: this.props.indexDirectory ?? storage,
      StorageCompression: false,
      // Uncompressed instances are stored (and forwarded) as Explicit VR Little Endian, which every
      // cloud store accepts; compressed ones are kept exactly as sent.
      IngestTranscoding: '1.2.840.10008.1.2.1',
      IngestTranscodingOfUncompressed: true,
      IngestTranscodingOfCompressed: false,
      MaximumStorageSize: 0,
      MaximumPatientCount: 0,
      LuaScripts: [`${configDir}/forward.lua`],
      Plugins: ['/usr/share/orthanc/plugins/libOrthancDicomWeb.so'],
      ConcurrentJobs: 2,
      // REST API: loopback only (the entrypoint's retry call and operators on the host).
      HttpServerEnabled: true,
      HttpPort: this.httpPort,
      HttpDescribeErrors: false,
      RemoteAccessAllowed: false,
      AuthenticationEnabled: false,
      ExecuteLuaEnabled: false,
      RestApiWriteToFileSystemEnabled: false,
      WebDavEnabled: false,
      HttpsVerifyPeers: true,
      HttpsCACertificates: '/etc/ssl/certs/ca-certificates.crt',
      HttpTimeout: 60,
      // DIMSE: the gateway's AE title is checked; only the listed modalities, from their own addresses.
      DicomServerEnabled: true,
      DicomAet: this.aeTitle,
      DicomPort: this.port,
      DicomCheckCalledAet: true,
      DicomCheckModalityHost: true,
      DicomAlwaysAllowEcho: false,
      DicomAlwaysAllowStore: false,
      DicomAlwaysAllowFind: false,
      DicomAlwaysAllowFindWorklist: false,
      DicomAlwaysAllowGet: false,
      DicomAlwaysAllowMove: false,
      DicomModalitiesInDatabase: false,
      DicomModalities: modalities,
      UnknownSopClassAccepted: false,
      DicomTlsEnabled: this.tls,
      ...(this.tls ? {
        DicomTlsCertificate: `${tlsDir}/gateway.crt`,
        DicomTlsPrivateKey: `${tlsDir}/gateway.key`,
        DicomTlsTrustedCertificates: `${tlsDir}/modalities-ca.crt`,
        DicomTlsRemoteCertificateRequired: true,
      } : {}),
      OrthancPeersInDatabase: false,
      OrthancPeers: {},
      SaveJobs: false,
      OverwriteInstances: true,
      StableAge: 60,
      DicomWeb: {
        Enable: true,
        Root: '/dicom-web/',
        EnableWado: false,
        ServersInDatabase: false,
        Servers: { cloud: { Url: target.url.endsWith('/') ? target.url : `${target.url}/`, ChunkedTransfers: false, HasDelete: false } },
      },
    };
  }
}

function luaString(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n')}'`;
}
