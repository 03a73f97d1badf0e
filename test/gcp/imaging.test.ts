import { GoogleProvider } from '@cdktf/provider-google/lib/provider';
import { TerraformStack, Testing } from 'cdktf';
import { BackboneSpec } from '../../src/core/backbone-spec';
import { BackboneError } from '../../src/core/errors';
import { Cloud } from '../../src/core/regions';
import { StatefulResources } from '../../src/core/stateful';
import { TrustKeyRing } from '../../src/gcp/identity/kms';
import { WorkloadIdentity } from '../../src/gcp/identity/workload-identity';
import { DicomStore } from '../../src/gcp/imaging/dicom-store';
import { DimseGateway } from '../../src/gcp/imaging/dimse-gateway';
import { TrustSpoke } from '../../src/gcp/network/trust-spoke';
import { OrthancGatewayConfig } from '../../src/imaging/orthanc-gateway';
import { scanGcpIam } from '../support/gcp-iam-scan';
import { SMALL } from '../support/specs';
import { TfJson } from '../support/terraform';

// One synthesis shared by every test: the QYG ICB's imaging stack (DICOM
// store), REM's trust stack (spoke, keys, app identities, DIMSE gateway) and
// RBS's trust stack (a gateway given only the store's URL, default names).
const spec = BackboneSpec.fromProps({
  ...SMALL,
  apps: [
    ...SMALL.apps!,
    { name: 'report-writer', trusts: ['REM'], dicomweb: 'read-write' as any },
    { name: 'scheduler', trusts: ['REM'], dicomweb: 'none' as any },
  ],
  imaging: {
    modalities: [
      { aeTitle: 'REM_CT1', host: '10.20.30.40', trust: 'REM' },
      { aeTitle: 'REM_PACS', host: '10.20.30.41', trust: 'REM', port: 11112 },
      { aeTitle: 'RBS_MR', host: '10.9.8.7', trust: 'RBS' },
    ],
  },
});
const METADATA_TOKEN_URL = 'http://metadata.google.internal/computeMetadata/v1/instance/service-accounts/default/token';
const HUB = 'test-backbone-hub-prod';
const REM = 'test-backbone-rem-prod';
const RBS = 'test-backbone-rbs-prod';
const qyg = spec.imagingNetworkOf('REM');
const app = Testing.app();
const stack = (name: string, project: string) => {
  const s = new TerraformStack(app, name);
  new GoogleProvider(s, 'google', { project, region: 'europe-west2' });
  return s;
};
const IMG = DicomStore.defaultProjectId(spec, qyg);
const imagingStack = stack('img-qyg', IMG);
const remStack = stack('rem', REM);
const rbsStack = stack('rbs', RBS);

const store = new DicomStore(imagingStack, 'dicom', { spec, network: qyg });
const spoke = new TrustSpoke(remStack, 'spoke', { spec, addressPlan: spec.addressPlan(), odsCode: 'REM', projectId: REM, hubProjectId: HUB });
const remKeys = new TrustKeyRing(remStack, 'keys', { spec, odsCode: 'REM', projectId: REM });
const identity = (appName: string, ods = 'REM', s = remStack) => new WorkloadIdentity(s, `identity-${appName}`, { spec, appName, projectId: REM, odsCode: ods });
const triage = identity('ai-triage');
const writer = identity('report-writer');
const scheduler = identity('scheduler');
store.grantDicomRead(triage);
store.grantDicomRead(triage); // twice: one member only
store.grantDicomWrite(writer);
const gateway = new DimseGateway(remStack, 'dimse', {
  spec,
  odsCode: 'REM',
  projectId: REM,
  key: remKeys.key(),
  dicomStore: store,
  network: spoke.network.id,
  subnetwork: spoke.imagingSubnet.id,
  firewallPolicyName: spoke.firewallPolicy.name,
});
const rbsKeys = new TrustKeyRing(rbsStack, 'keys', { spec, odsCode: 'RBS', projectId: RBS });
const rbsGateway = new DimseGateway(rbsStack, 'dimse', {
  spec, odsCode: 'RBS', projectId: RBS, key: rbsKeys.key(), dicomWebUrl: store.dicomWebUrl, projectNumber: '123456789012',
});

const img = TfJson.of(imagingStack);
const rem = TfJson.of(remStack);
const rbs = TfJson.of(rbsStack);

const ref = (tf: TfJson, type: string, match: (c: any) => boolean, attr = 'id') => {
  const r = tf.resources(type).filter(([, c]) => match(c));
  if (r.length !== 1) throw new Error(`expected one ${type}, found ${r.length}`);
  return `\${${type}.${r[0][0]}.${attr}}`;
};
const decode = (userData: string) => {
  expect(userData.startsWith('#cloud-config\n')).toBe(true);
  const doc = JSON.parse(userData.slice('#cloud-config\n'.length));
  const files: { [path: string]: string } = {};
  for (const f of doc.write_files) {
    expect(f.encoding).toBe('b64');
    files[f.path] = Buffer.from(f.content, 'base64').toString('utf8');
  }
  return { doc, files };
};

describe('DicomStore: one per imaging network', () => {
  test('the network\'s project is named from the backbone, "img" and the network\'s ODS code, within 30 characters', () => {
    expect(IMG).toBe('test-backbone-img-qyg-prod');
    expect(store.projectId).toBe(IMG);
    const long = BackboneSpec.fromProps({ ...SMALL, name: 'cheshire-merseyside1' });
    const id = DicomStore.defaultProjectId(long, long.imagingNetworkOf('REM'));
    expect(id.length).toBeLessThanOrEqual(30);
    expect(id).toMatch(/^cheshire-merseyside1-img-[a-z0-9]*-?[0-9a-f]{4}$/);
  });

  test('dataset in europe-west2, encrypted with the network\'s HSM key (CMEK set at creation), never destroyed', () => {
    const dataset = img.only('google_healthcare_dataset');
    expect(dataset.location).toBe('europe-west2');
    expect(dataset.project).toBe(IMG);
    expect(dataset.encryption_spec).toEqual({ kms_key_name: ref(img, 'google_kms_crypto_key', () => true) });
    expect(dataset.lifecycle).toEqual({ prevent_destroy: true });
    // The Healthcare agent may use the key before the dataset is made.
    expect(dataset.depends_on).toEqual([`google_kms_crypto_key_iam_member.${img.resources('google_kms_crypto_key_iam_member').find(([, c]) => c.member.includes('gcp-sa-healthcare'))![0]}`]);
    const key = img.only('google_kms_crypto_key');
    expect(key.version_template).toEqual({ algorithm: 'GOOGLE_SYMMETRIC_ENCRYPTION', protection_level: 'HSM' });
    expect(key.rotation_period).toBe('7776000s');
    expect(key.lifecycle).toEqual({ prevent_destroy: true });
    const ring = img.only('google_kms_key_ring');
    expect(ring).toMatchObject({ location: 'europe-west2', project: IMG, lifecycle: { prevent_destroy: true } });
  });

  test('the Cloud Healthcare and Pub/Sub service agents (named from the project number) may use the key', () => {
    const [[projectData]] = img.dataSources('google_project');
    const number = `\${data.google_project.${projectData}.number}`;
    const members = img.resources('google_kms_crypto_key_iam_member').map(([, c]) => c);
    expect(members.map((m) => m.member).sort()).toEqual([
      `serviceAccount:service-${number}@gcp-sa-healthcare.iam.gserviceaccount.com`,
      `serviceAccount:service-${number}@gcp-sa-pubsub.iam.gserviceaccount.com`,
    ]);
    for (const m of members) {
      expect(m.role).toBe('roles/cloudkms.cryptoKeyEncrypterDecrypter');
      expect(m.crypto_key_id).toBe(ref(img, 'google_kms_crypto_key', () => true));
    }
  });

  test('DICOM store: prevent_destroy, NHS labels of the network, notifies a CMEK topic kept in the UK that the Healthcare agent may publish to', () => {
    const dicom = img.only('google_healthcare_dicom_store');
    expect(dicom.lifecycle).toEqual({ prevent_destroy: true });
    expect(dicom.dataset).toBe(ref(img, 'google_healthcare_dataset', () => true));
    expect(dicom.notification_config).toEqual({ pubsub_topic: ref(img, 'google_pubsub_topic', () => true), send_for_bulk_import: true });
    expect(dicom.labels).toMatchObject({ 'ods-code': 'qyg', 'icb': 'qyg', 'imaging-network': 'icb-qyg', 'backbone': 'test-backbone', 'managed-by': 'nhs-backbone' });
    const topic = img.only('google_pubsub_topic');
    expect(topic.kms_key_name).toBe(ref(img, 'google_kms_crypto_key', () => true));
    expect(topic.message_retention_duration).toBe('604800s');
    expect(topic.message_storage_policy).toEqual({ allowed_persistence_regions: ['europe-west2'], enforce_in_transit: true });
    const publish = img.only('google_pubsub_topic_iam_member');
    expect(publish.role).toBe('roles/pubsub.publisher');
    expect(publish.member).toMatch(/^serviceAccount:service-\$\{data\.google_project\.[^}]+\.number\}@gcp-sa-healthcare\.iam\.gserviceaccount\.com$/);
  });

  test('Data Access audit logs for healthcare.googleapis.com in the network\'s project: ADMIN_READ, DATA_READ, DATA_WRITE', () => {
    const audit = img.only('google_project_iam_audit_config');
    expect(audit.project).toBe(IMG);
    expect(audit.service).toBe('healthcare.googleapis.com');
    expect(audit.audit_log_config.map((c: any) => c.log_type).sort()).toEqual(['ADMIN_READ', 'DATA_READ', 'DATA_WRITE']);
  });

  test('dicomWebUrl is the Cloud Healthcare DICOMweb base of this store', () => {
    const dataset = img.only('google_healthcare_dataset').name;
    const dicom = img.only('google_healthcare_dicom_store').name;
    expect(store.dicomWebUrl).toBe(`https://healthcare.googleapis.com/v1/projects/${IMG}/locations/europe-west2/datasets/${dataset}/dicomStores/${dicom}/dicomWeb`);
    expect(store.topicId).toBe(`projects/${IMG}/topics/${img.only('google_pubsub_topic').name}`);
  });
});

describe('DICOMweb grants', () => {
  const grantsTo = (member: string) => img.resources('google_healthcare_dicom_store_iam_member').map(([, c]) => c).filter((c) => c.member === member);

  test('an app granted read gets roles/healthcare.dicomViewer on this store only (once), never dicomEditor or dicomAdmin', () => {
    const grants = grantsTo(triage.member);
    expect(grants).toHaveLength(1);
    expect(grants[0].role).toBe('roles/healthcare.dicomViewer');
    expect(grants[0].dicom_store_id).toBe(ref(img, 'google_healthcare_dicom_store', () => true));
    expect(img.all().some(([, , c]) => c.member === triage.member && /dicomEditor|dicomAdmin|dicomStoreAdmin|healthcare\.admin/.test(c.role))).toBe(false);
  });

  test('an app with dicomweb read-write granted write gets roles/healthcare.dicomEditor on this store', () => {
    const grants = grantsTo(writer.member);
    expect(grants.map((g) => g.role)).toEqual(['roles/healthcare.dicomEditor']);
    expect(grants[0].dicom_store_id).toBe(ref(img, 'google_healthcare_dicom_store', () => true));
  });

  test('the gateway\'s identity gets roles/healthcare.dicomEditor on its network\'s store', () => {
    expect(grantsTo(gateway.identity.member).map((g) => g.role)).toEqual(['roles/healthcare.dicomEditor']);
  });

  test('no IAM member in the imaging or gateway stacks gives allUsers, owner, editor or securityAdmin', () => {
    expect(scanGcpIam([img.json, rem.json, rbs.json])).toEqual([]);
  });

  test('grants beyond the spec are refused, naming identity', () => {
    const errorOf = (f: () => void) => {
      try {
        f();
      } catch (e) {
        expect(BackboneError.isBackboneError(e)).toBe(true);
        return (e as BackboneError).problems[0];
      }
      throw new Error('no error');
    };
    expect(errorOf(() => store.grantDicomRead(scheduler))).toMatchObject({ path: 'identity', message: expect.stringContaining('dicomweb "none"') });
    expect(errorOf(() => store.grantDicomWrite(triage))).toMatchObject({ path: 'identity', message: expect.stringContaining('"read-write"') });
    const r0a = identity('ai-triage', 'R0A', stack('r0a', 'test-backbone-r0a-prod'));
    expect(errorOf(() => store.grantDicomRead(r0a))).toMatchObject({ path: 'identity', message: expect.stringContaining('icb-qyg') });
    expect(errorOf(() => store.grantDicomRead({ member: 'allUsers', email: 'x', projectId: 'p' } as any)).path).toBe('identity');
  });
});

describe('DimseGateway (REM): private, stateful, only the modalities', () => {
  const template = () => rem.only('google_compute_region_instance_template');

  test('the VM has no external address, is Shielded, runs Container-Optimized OS as the gateway identity, boot disk with the trust key', () => {
    const t = template();
    expect(t.network_interface).toHaveLength(1);
    expect(t.network_interface[0].access_config).toBeUndefined();
    expect(t.network_interface[0].subnetwork).toBe(ref(rem, 'google_compute_subnetwork', (c) => c.name === spec.naming.trust('REM', 'imaging')));
    expect(t.shielded_instance_config).toEqual({ enable_secure_boot: true, enable_vtpm: true, enable_integrity_monitoring: true });
    expect(t.service_account.email).toBe(gateway.identity.email);
    expect(t.disk[0]).toMatchObject({ boot: true, source_image: 'projects/cos-cloud/global/images/family/cos-stable', disk_encryption_key: { kms_key_self_link: remKeys.key().keyId } });
    expect(t.metadata).toMatchObject({ 'google-logging-enabled': 'true', 'enable-oslogin': 'TRUE', 'block-project-ssh-keys': 'TRUE', 'serial-port-enable': 'FALSE' });
  });

  test('the forwarding rule is an INTERNAL passthrough TCP rule on the gateway port, in the trust\'s imaging subnet', () => {
    const fr = rem.only('google_compute_forwarding_rule');
    const imagingSubnet = ref(rem, 'google_compute_subnetwork', (c) => c.name === spec.naming.trust('REM', 'imaging'));
    expect(fr).toMatchObject({ load_balancing_scheme: 'INTERNAL', ip_protocol: 'TCP', ports: ['11112'], subnetwork: imagingSubnet, allow_global_access: false });
    expect(fr.backend_service).toBe(ref(rem, 'google_compute_region_backend_service', () => true));
    expect(fr.ip_address).toBe(ref(rem, 'google_compute_address', () => true, 'address'));
    expect(rem.only('google_compute_address')).toMatchObject({ address_type: 'INTERNAL', subnetwork: imagingSubnet });
    expect(rem.only('google_compute_region_backend_service')).toMatchObject({ load_balancing_scheme: 'INTERNAL', protocol: 'TCP', log_config: { enable: true, sample_rate: 1 } });
  });

  test('firewall: the gateway port is open only to the spec\'s modality hosts (/32) and Google\'s health checks, in the trust\'s policy', () => {
    const rules = rem.resources('google_compute_network_firewall_policy_rule').map(([, c]) => c).filter((c) => c.target_service_accounts?.includes(gateway.identity.email));
    const byName = Object.fromEntries(rules.map((r) => [r.rule_name, r]));
    expect(Object.keys(byName).sort()).toEqual(['allow-dimse-health-checks', 'allow-dimse-modalities']);
    expect(byName['allow-dimse-modalities'].match.src_ip_ranges).toEqual(['10.20.30.40/32', '10.20.30.41/32']);
    expect(byName['allow-dimse-health-checks'].match.src_ip_ranges).toEqual(['35.191.0.0/16', '130.211.0.0/22']);
    for (const r of rules) {
      expect(r).toMatchObject({ direction: 'INGRESS', action: 'allow', enable_logging: true, firewall_policy: ref(rem, 'google_compute_network_firewall_policy', () => true, 'name') });
      expect(r.match.layer4_configs).toEqual([{ ip_protocol: 'tcp', ports: ['11112'] }]);
    }
  });

  test('cloud-init carries exactly the files OrthancGatewayConfig generates, forwarding to the store with a metadata-server token', () => {
    const { doc, files } = decode(template().metadata['user-data']);
    const expected = new OrthancGatewayConfig({
      spec, odsCode: 'REM', target: { url: store.dicomWebUrl, tokenUrl: METADATA_TOKEN_URL, tokenHeaders: { 'Metadata-Flavor': 'Google' } },
    });
    expect(files['/etc/nhs-backbone/orthanc/orthanc.json']).toBe(expected.toJson());
    expect(files['/etc/nhs-backbone/orthanc/forward.lua']).toBe(expected.toLua());
    expect(files['/etc/nhs-backbone/orthanc/entrypoint.sh']).toBe(expected.toEntrypoint());
    expect(Object.keys(files).filter((p) => p.startsWith('/etc/nhs-backbone/orthanc/')).sort())
      .toEqual(['/etc/nhs-backbone/orthanc/entrypoint.sh', '/etc/nhs-backbone/orthanc/forward.lua', '/etc/nhs-backbone/orthanc/orthanc.json']);
    expect(JSON.parse(files['/etc/nhs-backbone/orthanc/orthanc.json']).DicomWeb.Servers.cloud.Url).toBe(`${store.dicomWebUrl}/`);
    expect(files['/etc/nhs-backbone/orthanc/forward.lua']).toContain(`local TOKEN_URL = '${METADATA_TOKEN_URL}'`);
    expect(files['/etc/nhs-backbone/orthanc/forward.lua']).toContain("['Metadata-Flavor'] = 'Google'");
    expect(doc.runcmd).toEqual(['systemctl daemon-reload', 'systemctl start orthanc-gateway.service']);
    // The container gets the files read-only, the TLS folder from tmpfs and the data disk for the waiting instances.
    const unit = files['/etc/systemd/system/orthanc-gateway.service'];
    expect(unit).toContain('-v /etc/nhs-backbone/orthanc/orthanc.json:/etc/orthanc/orthanc.json:ro');
    expect(unit).toContain('-v /run/orthanc-tls:/etc/orthanc/tls:ro');
    expect(unit).toContain('-v /mnt/disks/orthanc-data/db:/var/lib/orthanc/db');
    expect(unit).toContain('--network host --read-only --tmpfs /tmp --cap-drop ALL --security-opt no-new-privileges');
    expect(unit).toContain(gateway.image);
  });

  test('no secret in metadata: TLS material is read from Secret Manager at boot (UK-only, trust key), by the gateway identity only', () => {
    const { files } = decode(template().metadata['user-data']);
    const prepare = files['/etc/nhs-backbone/prepare-gateway.sh'];
    for (const id of ['dimse-gateway-crt', 'dimse-gateway-key', 'dimse-modalities-ca']) expect(prepare).toContain(`fetch '${id}'`);
    expect(prepare).toContain(`https://secretmanager.googleapis.com/v1/projects/${REM}/secrets/$1/versions/latest:access`);
    expect(prepare).toContain('mount -t tmpfs');
    expect(template().metadata['user-data']).not.toMatch(/BEGIN|PRIVATE KEY/);
    expect(rem.resources('google_secret_manager_secret_version')).toHaveLength(0);
    const secrets = rem.resources('google_secret_manager_secret').map(([, c]) => c);
    expect(secrets.map((s) => s.secret_id).sort()).toEqual(['dimse-gateway-crt', 'dimse-gateway-key', 'dimse-modalities-ca']);
    for (const s of secrets) {
      expect(s.replication).toEqual({ user_managed: { replicas: [{ location: 'europe-west2', customer_managed_encryption: { kms_key_name: remKeys.key().keyId } }] } });
    }
    const access = rem.resources('google_secret_manager_secret_iam_member').map(([, c]) => c);
    expect(access).toHaveLength(3);
    for (const a of access) expect(a).toMatchObject({ role: 'roles/secretmanager.secretAccessor', member: gateway.identity.member });
  });

  test('the waiting-instances disk: regional, CMEK with the trust key, prevent_destroy, kept across VM recreation', () => {
    const disk = rem.only('google_compute_region_disk');
    expect(disk.disk_encryption_key).toEqual({ kms_key_name: remKeys.key().keyId });
    expect(disk.lifecycle).toEqual({ prevent_destroy: true });
    expect(disk.replica_zones).toEqual(['europe-west2-a', 'europe-west2-b']);
    const pic = rem.only('google_compute_region_per_instance_config');
    expect(pic.preserved_state.disk).toEqual([{ device_name: 'orthanc-data', source: ref(rem, 'google_compute_region_disk', () => true), mode: 'READ_WRITE', delete_rule: 'NEVER' }]);
    const mig = rem.only('google_compute_region_instance_group_manager');
    expect(mig.distribution_policy_zones).toEqual(disk.replica_zones);
    expect(mig.auto_healing_policies.health_check).toBe(ref(rem, 'google_compute_region_health_check', () => true));
    expect(mig.update_policy).toMatchObject({ instance_redistribution_type: 'NONE', replacement_method: 'RECREATE', max_surge_fixed: 0 });
    // The Compute Engine service agent may use the trust key for the disks.
    expect(rem.resources('google_kms_crypto_key_iam_member').map(([, c]) => c.member)).toContainEqual(expect.stringMatching(/@compute-system\.iam\.gserviceaccount\.com$/));
  });

  test('the trust and imaging stacks refer to each other by names only (no cross-stack reference)', () => {
    for (const tf of [img, rem, rbs]) {
      expect(tf.json.data?.terraform_remote_state).toBeUndefined();
      expect(tf.json.output).toBeUndefined();
    }
  });

  test('every stateful resource in every stack is prevent_destroy', () => {
    const stateful = [...StatefulResources.typesOf(Cloud.GCP), 'google_compute_region_disk'];
    for (const tf of [img, rem, rbs]) {
      for (const [type, , cfg] of tf.all()) {
        if (stateful.includes(type)) expect(`${type} ${JSON.stringify(cfg.lifecycle)}`).toBe(`${type} ${JSON.stringify({ prevent_destroy: true })}`);
      }
    }
  });
});

describe('DimseGateway (RBS): given only the store\'s URL, default names', () => {
  test('the imaging subnet, VPC and firewall policy default to the spoke\'s names; the grant is left to the caller', () => {
    const fr = rbs.only('google_compute_forwarding_rule');
    expect(fr.subnetwork).toBe(`projects/${RBS}/regions/europe-west2/subnetworks/${spec.naming.trust('RBS', 'imaging')}`);
    expect(fr.network).toBe(`projects/${RBS}/global/networks/${spec.naming.trust('RBS', 'vpc')}`);
    const rules = rbs.resources('google_compute_network_firewall_policy_rule').map(([, c]) => c);
    expect(rules.find((r) => r.rule_name === 'allow-dimse-modalities').match.src_ip_ranges).toEqual(['10.9.8.7/32']);
    for (const r of rules) expect(r.firewall_policy).toBe(spec.naming.trust('RBS', 'fw'));
    expect(rbs.dataSources('google_project')).toHaveLength(0);
    expect(img.resources('google_healthcare_dicom_store_iam_member').some(([, c]) => c.member === rbsGateway.identity.member)).toBe(false);
    expect(JSON.parse(decode(rbs.only('google_compute_region_instance_template').metadata['user-data']).files['/etc/nhs-backbone/orthanc/orthanc.json']).DicomAet).toBe('RBS_GW');
  });
});

describe('bad props are refused with the prop named', () => {
  const s = new TerraformStack(Testing.app(), 'errors');
  let n = 0;
  const pathOf = (f: () => void): string => {
    try {
      f();
    } catch (e) {
      if (!BackboneError.isBackboneError(e)) throw e;
      return e.problems[0].path;
    }
    throw new Error('no error');
  };
  const gw = (over: any) => () => new DimseGateway(s, `gw${n++}`, {
    spec, odsCode: 'REM', projectId: REM, key: remKeys.key(), dicomWebUrl: store.dicomWebUrl, projectNumber: '123456789012', ...over,
  });

  test.each([
    ['network', { network: { id: 'icb-nope', trusts: ['REM'], odsCode: 'QYG' } }],
    ['projectId', { projectId: 'Bad_Project' }],
    ['projectNumber', { projectNumber: 'abc' }],
    ['notificationRetentionDays', { notificationRetentionDays: 32 }],
    ['keyRotationDays', { keyRotationDays: 0 }],
  ])('DicomStore %s', (path, over) => {
    expect(pathOf(() => new DicomStore(s, `store${n++}`, { spec, network: qyg, ...over } as any))).toBe(path);
  });

  test.each([
    ['odsCode', { odsCode: 'R0A' }],
    ['dicomStore', { dicomStore: store }],
    ['dicomWebUrl', { dicomWebUrl: 'https://example.org/dicomWeb' }],
    ['image', { image: 'docker.io/library/orthanc:latest' }],
    ['image', { image: "europe-west2-docker.pkg.dev/test-backbone-rem-prod/nhs/orthanc:1;'rm" }],
    ['zones', { zones: ['europe-west2-a', 'europe-west1-b'] }],
    ['subnetwork', { subnetwork: `projects/${REM}/regions/europe-west1/subnetworks/imaging` }],
    ['ipAddress', { ipAddress: '10.0.0.256' }],
    ['machineType', { machineType: 'E2 small' }],
    ['dataDiskSizeGb', { dataDiskSizeGb: 5 }],
    ['tlsPrivateKeySecret', { tlsPrivateKeySecret: 'a/b' }],
    ['key', { key: { keyId: 'x' } }],
  ])('DimseGateway %s', (path, over) => {
    expect(pathOf(gw(over))).toBe(path);
  });

  test('a gateway for a trust outside the store\'s network is refused', () => {
    const qop = new DicomStore(s, 'qop', { spec, network: spec.imagingNetworkOf('R0A'), projectNumber: '123456789012' });
    expect(pathOf(gw({ dicomWebUrl: undefined, dicomStore: qop }))).toBe('dicomStore');
  });
});
