import { BackboneSpec } from '../../src/core/backbone-spec';
import { BackboneError } from '../../src/core/errors';
import { OrthancGatewayConfig } from '../../src/imaging/orthanc-gateway';
import { SMALL } from '../support/specs';

const spec = BackboneSpec.fromProps({
  ...SMALL,
  imaging: {
    modalities: [
      { aeTitle: 'REM_CT1', host: '10.20.30.40', trust: 'REM' },
      { aeTitle: 'REM_PACS', host: '10.20.30.41', trust: 'REM', port: 11112 },
      { aeTitle: 'RBS_MR', host: '10.9.8.7', trust: 'RBS' },
    ],
  },
});
const target = {
  url: 'https://healthcare.googleapis.com/v1/projects/p/locations/europe-west2/datasets/d/dicomStores/s/dicomWeb',
  tokenUrl: 'http://metadata.google.internal/computeMetadata/v1/instance/service-accounts/default/token',
  tokenHeaders: { 'Metadata-Flavor': 'Google' },
};
const gen = new OrthancGatewayConfig({ spec, odsCode: 'REM', target });
const config = JSON.parse(gen.toJson());

describe('the generated Orthanc gateway configuration', () => {
  test('DIMSE: TLS with client certificates, the called AE title checked, only the trust\'s modalities may store or echo, from their own hosts', () => {
    expect(config).toMatchObject({
      DicomAet: 'REM_GW',
      DicomPort: 11112,
      DicomCheckCalledAet: true,
      DicomCheckModalityHost: true,
      DicomAlwaysAllowEcho: false,
      DicomAlwaysAllowStore: false,
      DicomAlwaysAllowFind: false,
      DicomAlwaysAllowGet: false,
      DicomAlwaysAllowMove: false,
      DicomTlsEnabled: true,
      DicomTlsRemoteCertificateRequired: true,
      DicomTlsCertificate: '/etc/orthanc/tls/gateway.crt',
      DicomTlsPrivateKey: '/etc/orthanc/tls/gateway.key',
      DicomTlsTrustedCertificates: '/etc/orthanc/tls/modalities-ca.crt',
      UnknownSopClassAccepted: false,
    });
    expect(Object.keys(config.DicomModalities)).toEqual(['REM_CT1', 'REM_PACS']);
    expect(config.DicomModalities.REM_PACS).toEqual({
      AET: 'REM_PACS',
      Host: '10.20.30.41',
      Port: 11112,
      AllowEcho: true,
      AllowStore: true,
      AllowFind: false,
      AllowFindWorklist: false,
      AllowGet: false,
      AllowMove: false,
      AllowStorageCommitment: false,
      AllowTranscoding: false,
      UseDicomTls: true,
    });
  });

  test('REST: loopback only, no remote Lua, no file-system writes; HTTPS peers verified; the cloud store is the one DICOMweb server', () => {
    expect(config).toMatchObject({
      RemoteAccessAllowed: false,
      ExecuteLuaEnabled: false,
      RestApiWriteToFileSystemEnabled: false,
      HttpsVerifyPeers: true,
      LuaScripts: ['/etc/orthanc/forward.lua'],
      OrthancPeers: {},
      DicomWeb: { Servers: { cloud: { Url: `${target.url}/` } }, ServersInDatabase: false },
    });
  });

  test('the Lua script fetches a token at run time, sends by STOW-RS, deletes only after success and keeps what failed', () => {
    const lua = gen.toLua();
    expect(lua).toContain(`local TOKEN_URL = '${target.tokenUrl}'`);
    expect(lua).toContain("local TOKEN_HEADERS = { ['Metadata-Flavor'] = 'Google' }");
    expect(lua).toMatch(/RestApiPost\('\/dicom-web\/servers\/cloud\/stow'[\s\S]*if ok and result ~= nil then\s+RestApiDelete\('\/instances\/' \.\. instanceId\)/);
    expect(lua).toContain('kept for retry');
    expect(lua).not.toMatch(/Bearer [A-Za-z0-9]/); // no static token
    expect(gen.toEntrypoint()).toContain(`curl -s -o /dev/null -X POST http://127.0.0.1:8042${OrthancGatewayConfig.RETRY_PATH}`);
    expect(Object.keys(gen.files()).sort()).toEqual(['entrypoint.sh', 'forward.lua', 'orthanc.json']);
  });

  test('TLS off in the spec turns DICOM TLS off on the port and towards the modalities', () => {
    const plain = JSON.parse(new OrthancGatewayConfig({ spec: BackboneSpec.fromProps({ ...SMALL, imaging: { gateway: { tls: false, port: 104 }, modalities: [{ aeTitle: 'REM_CT1', host: '10.1.1.1', trust: 'REM' }] } }), odsCode: 'REM', target }).toJson());
    expect(plain.DicomTlsEnabled).toBe(false);
    expect(plain.DicomTlsCertificate).toBeUndefined();
    expect(plain.DicomPort).toBe(104);
    expect(plain.DicomModalities.REM_CT1.UseDicomTls).toBe(false);
  });

  test('bad props name the prop', () => {
    const err = (fn: () => unknown) => {
      try {
        fn();
      } catch (e) {
        expect(BackboneError.isBackboneError(e)).toBe(true);
        return (e as Error).message;
      }
      throw new Error('no error');
    };
    expect(err(() => new OrthancGatewayConfig({ spec, odsCode: 'R0A', target }))).toBe('odsCode: trust R0A has no modalities in imaging.modalities, so it has no DIMSE gateway');
    expect(err(() => new OrthancGatewayConfig({ spec, odsCode: 'REM', target: { url: 'http://store.example.org/dicomWeb' } }))).toMatch(/^target\.url: http:\/\/store\.example\.org\/dicomWeb is plain HTTP to another host/);
    expect(err(() => new OrthancGatewayConfig({ spec, odsCode: 'REM', target: { url: "https://x/'); os.exit()" } }))).toMatch(/^target\.url: .* is not a DICOMweb base URL/);
    expect(err(() => new OrthancGatewayConfig({ spec, odsCode: 'REM', target, retrySeconds: 0 }))).toBe('retrySeconds: 0 is not allowed (whole seconds from 1 to 3600)');
    expect(err(() => new OrthancGatewayConfig({ spec, odsCode: 'XXX', target }))).toMatch(/^odsCode: "XXX" is not a trust/);
  });
});
