import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { ACKNOWLEDGEMENTS_KEY, ComplianceFinding, NhsComplianceProfile } from '../../src/core/compliance';
import { BackboneError } from '../../src/core/errors';
import { checkSynthOutput } from '../../src/gcp/compliance/check-output';
import { DEFAULT_LABELLED_TYPES } from '../../src/gcp/compliance/labelled-types';

/**
 * Each rule of the NHS compliance profile over hand-written Terraform JSON
 * (the cdktf.out layout, written to a temporary folder): a compliant baseline
 * passes every rule, and each deliberately bad resource fails its rule.
 */

const root = mkdtempSync(join(tmpdir(), 'gcp-compliance-rules-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;

type Stacks = { [stack: string]: any };

/** Writes stacks in the cdktf.out layout (no manifest: the checker lists stacks/). */
function write(stacks: Stacks): string {
  const dir = join(root, `out-${n++}`);
  for (const [name, json] of Object.entries(stacks)) {
    mkdirSync(join(dir, 'stacks', name), { recursive: true });
    writeFileSync(join(dir, 'stacks', name, 'cdk.tf.json'), typeof json === 'string' ? json : JSON.stringify(json));
  }
  return dir;
}

function check(stacks: Stacks): ComplianceFinding[] {
  return checkSynthOutput(write(stacks)).findings;
}

/** The unacknowledged errors of one rule, as `stack/address`. */
function failing(stacks: Stacks, ruleId: string): string[] {
  return check(stacks).filter((f) => f.ruleId === ruleId && f.acknowledgedReason === undefined).map((f) => `${f.stack}/${f.resource}`).sort();
}

const KEY = 'projects/nb-rem-prod/locations/europe-west2/keyRings/nb-rem-keys-prod/cryptoKeys/data';
const YEAR = 365 * 86400;
const audit = (project: string, service = 'storage.googleapis.com') => ({
  project, service, audit_log_config: [{ log_type: 'ADMIN_READ' }, { log_type: 'DATA_READ' }, { log_type: 'DATA_WRITE' }],
});
const provider = (project: string, ods: string) => ({ google: [{ project, region: 'europe-west2', default_labels: { 'ods-code': ods, 'environment': 'prod' } }] });
const sink = (project: string) => ({
  project,
  name: 'nb-log-archive-prod',
  destination: 'storage.googleapis.com/nb-hub-logs-prod',
  filter: 'log_id("cloudaudit.googleapis.com/activity") OR log_id("cloudaudit.googleapis.com/data_access")',
  unique_writer_identity: true,
});

/**
 * A compliant output: a hub with the log archive, a trust with a store,
 * subnet and firewall policy, and a backup project with the store's copy.
 */
function base(): Stacks {
  return {
    'nb-hub-prod': {
      '//': { 'nhs-backbone': { residency: 'uk', backbone: 'nb', internetIngressApps: ['portal'] } },
      'provider': provider('nb-hub-prod', 'qyg'),
      'resource': {
        google_storage_bucket: {
          archive: {
            name: 'nb-hub-logs-prod',
            location: 'europe-west2',
            encryption: { default_kms_key_name: '${google_kms_crypto_key.logs.id}' },
            retention_policy: { retention_period: 365 * 86400, is_locked: true },
            labels: { 'purpose': 'log-archive', 'records-category': 'audit-log' },
          },
        },
        google_kms_key_ring: { ring: { name: 'nb-hub-keys-prod', location: 'europe-west2' } },
        google_kms_crypto_key: { logs: { name: 'logs', key_ring: '${google_kms_key_ring.ring.id}', labels: { purpose: 'logs' } } },
        google_project_iam_audit_config: { storage: audit('nb-hub-prod') },
        google_logging_project_sink: { hub: { ...sink('nb-hub-prod'), destination: 'storage.googleapis.com/${google_storage_bucket.archive.name}' } },
        google_compute_ha_vpn_gateway: { hscn: { name: 'nb-hscn-vpn', region: 'europe-west2', network: 'hub' } },
        google_compute_global_forwarding_rule: { psc: { name: 'nbpscprod', target: 'all-apis', network: 'hub', ip_address: '10.0.0.2', load_balancing_scheme: '' } },
        google_project_iam_member: { logs: { project: 'nb-hub-prod', role: 'roles/logging.logWriter', member: 'serviceAccount:gw@nb-hub-prod.iam.gserviceaccount.com' } },
      },
    },
    'nb-rem-prod': {
      provider: provider('nb-rem-prod', 'rem'),
      resource: {
        google_storage_bucket: {
          store: {
            name: 'nb-rem-records-prod',
            location: 'europe-west2',
            encryption: { default_kms_key_name: KEY },
            retention_policy: { retention_period: 8 * YEAR, is_locked: true },
            labels: { 'records-category': 'adult' },
          },
        },
        google_project_iam_audit_config: { storage: audit('nb-rem-prod') },
        google_logging_project_sink: { trust: sink('nb-rem-prod') },
        google_compute_subnetwork: {
          workload: { name: 'w', network: 'n', region: 'europe-west2', ip_cidr_range: '10.1.0.0/24', log_config: { flow_sampling: 1 } },
          proxy: { name: 'p', network: 'n', region: 'europe-west2', ip_cidr_range: '10.1.1.0/24', purpose: 'REGIONAL_MANAGED_PROXY' },
        },
        google_compute_network_firewall_policy_rule: {
          deny: { firewall_policy: 'fw', priority: 65000, direction: 'INGRESS', action: 'deny', enable_logging: true, match: { src_ip_ranges: ['0.0.0.0/0'], layer4_configs: [{ ip_protocol: 'all' }] } },
          iap: { firewall_policy: 'fw', priority: 1200, direction: 'INGRESS', action: 'allow', enable_logging: true, match: { src_ip_ranges: ['35.235.240.0/20'], layer4_configs: [{ ip_protocol: 'tcp', ports: ['22'] }] } },
          egress: { firewall_policy: 'fw', priority: 1000, direction: 'EGRESS', action: 'allow', enable_logging: true, match: { dest_ip_ranges: ['0.0.0.0/0'], layer4_configs: [{ ip_protocol: 'tcp', ports: ['443'] }] } },
        },
        google_compute_forwarding_rule: { dimse: { name: 'gw', region: 'europe-west2', load_balancing_scheme: 'INTERNAL', backend_service: 'b', labels: {} } },
        google_compute_address: { dimse: { name: 'gw', region: 'europe-west2', address_type: 'INTERNAL', subnetwork: 's' } },
        google_compute_network: { vpc: { name: 'nb-rem-vpc', auto_create_subnetworks: false } },
        google_pubsub_topic: { events: { name: 't', kms_key_name: KEY, message_storage_policy: { allowed_persistence_regions: ['europe-west2'] } } },
        google_storage_bucket_iam_member: { reader: { bucket: 'nb-rem-records-prod', role: 'roles/storage.objectViewer', member: 'serviceAccount:app@nb-rem-prod.iam.gserviceaccount.com' } },
      },
    },
    'nb-backup-prod': {
      provider: provider('nb-backup-prod', 'rem'),
      resource: {
        google_storage_bucket: {
          copy: {
            name: 'nb-backup-rem-records-prod',
            location: 'europe-west2',
            encryption: { default_kms_key_name: '${google_kms_crypto_key.backup.id}' },
            retention_policy: { retention_period: 8 * YEAR, is_locked: true },
            labels: { 'purpose': 'backup', 'records-category': 'adult' },
          },
        },
        google_kms_crypto_key: { backup: { name: 'trust-rem', key_ring: 'projects/nb-backup-prod/locations/europe-west2/keyRings/nb-backup-keys-prod' } },
        google_storage_transfer_job: {
          copy: {
            description: 'daily',
            status: 'ENABLED',
            schedule: { schedule_start_date: { year: 2025, month: 1, day: 1 }, repeat_interval: '86400s' },
            transfer_spec: {
              gcs_data_source: { bucket_name: 'nb-rem-records-prod' },
              gcs_data_sink: { bucket_name: '${google_storage_bucket.copy.name}' },
              transfer_options: { overwrite_when: 'NEVER', delete_objects_unique_in_sink: false },
            },
          },
        },
        google_project_iam_audit_config: { storage: audit('nb-backup-prod') },
        google_logging_project_sink: { backup: sink('nb-backup-prod') },
      },
    },
  };
}

/** Applies a change to a fresh baseline. */
function changed(edit: (s: Stacks) => void): Stacks {
  const s = base();
  edit(s);
  return s;
}
const hub = (s: Stacks) => s['nb-hub-prod'].resource;
const trust = (s: Stacks) => s['nb-rem-prod'].resource;
const backup = (s: Stacks) => s['nb-backup-prod'].resource;

test('the compliant baseline passes every rule, and every resource is counted', () => {
  const r = checkSynthOutput(write(base()));
  expect(r.findings).toEqual([]);
  expect(r.checkedResources).toBe(26);
});

describe('NHS-ENC-1: customer-managed keys', () => {
  test.each<[string, (s: Stacks) => void, string[]]>([
    ['a bucket with Google-managed encryption', (s) => { delete trust(s).google_storage_bucket.store.encryption; }, ['nb-rem-prod/google_storage_bucket.store']],
    ['a topic without kms_key_name', (s) => { delete trust(s).google_pubsub_topic.events.kms_key_name; }, ['nb-rem-prod/google_pubsub_topic.events']],
    ['a disk with a customer-supplied raw key', (s) => { trust(s).google_compute_disk = { d: { name: 'd', zone: 'europe-west2-a', disk_encryption_key: { raw_key: 'c2VjcmV0' } } }; }, ['nb-rem-prod/google_compute_disk.d']],
    ['a secret replica without CMEK', (s) => {
      trust(s).google_secret_manager_secret = { tls: { secret_id: 'tls', replication: { user_managed: { replicas: [{ location: 'europe-west2' }] } } } };
      trust(s).google_project_iam_audit_config.sm = audit('nb-rem-prod', 'secretmanager.googleapis.com');
    }, ['nb-rem-prod/google_secret_manager_secret.tls']],
    ['a DICOM store whose dataset has no CMEK', (s) => {
      trust(s).google_healthcare_dataset = { ds: { name: 'ds', location: 'europe-west2' } };
      trust(s).google_healthcare_dicom_store = { dicom: { name: 'd', dataset: '${google_healthcare_dataset.ds.id}' } };
    }, ['nb-rem-prod/google_healthcare_dataset.ds', 'nb-rem-prod/google_healthcare_dicom_store.dicom']],
    ['an instance template disk without CMEK', (s) => {
      trust(s).google_compute_region_instance_template = { t: { region: 'europe-west2', machine_type: 'e2-small', disk: [{ boot: true, source_image: 'cos' }], network_interface: [{ subnetwork: 's' }] } };
    }, ['nb-rem-prod/google_compute_region_instance_template.t']],
  ])('%s fails', (_, edit, expected) => {
    expect(failing(changed(edit), 'NHS-ENC-1')).toEqual(expected);
  });

  test('a disk, secret and dataset with Cloud KMS keys pass', () => {
    expect(failing(changed((s) => {
      trust(s).google_compute_region_disk = { d: { name: 'd', region: 'europe-west2', replica_zones: ['europe-west2-a', 'europe-west2-b'], disk_encryption_key: { kms_key_name: KEY } } };
      trust(s).google_secret_manager_secret = { tls: { secret_id: 'tls', replication: { user_managed: { replicas: [{ location: 'europe-west2', customer_managed_encryption: { kms_key_name: KEY } }] } } } };
      trust(s).google_healthcare_dataset = { ds: { name: 'ds', location: 'europe-west2', encryption_spec: { kms_key_name: KEY } } };
    }), 'NHS-ENC-1')).toEqual([]);
  });
});

describe('NHS-RES-1: UK residency', () => {
  test.each<[string, (s: Stacks) => void, string[]]>([
    ['a bucket in the EU multi-region', (s) => { trust(s).google_storage_bucket.store.location = 'EU'; }, ['nb-rem-prod/google_storage_bucket.store']],
    ['a bucket in an EEA region under UK residency', (s) => { trust(s).google_storage_bucket.store.location = 'EUROPE-WEST1'; }, ['nb-rem-prod/google_storage_bucket.store']],
    ['a global key ring', (s) => { hub(s).google_kms_key_ring.ring.location = 'global'; }, ['nb-hub-prod/google_kms_key_ring.ring']],
    ['a disk replicated to a US zone', (s) => { trust(s).google_compute_region_disk = { d: { region: 'europe-west2', replica_zones: ['europe-west2-a', 'us-central1-b'], disk_encryption_key: { kms_key_name: KEY } } }; }, ['nb-rem-prod/google_compute_region_disk.d']],
    ['a topic that may store messages anywhere', (s) => { delete trust(s).google_pubsub_topic.events.message_storage_policy; }, ['nb-rem-prod/google_pubsub_topic.events']],
    ['a provider in us-central1', (s) => { s['nb-rem-prod'].provider.google[0].region = 'us-central1'; }, ['nb-rem-prod/provider.google']],
  ])('%s fails', (_, edit, expected) => {
    expect(failing(changed(edit), 'NHS-RES-1')).toEqual(expected);
  });

  test('a stack recorded as uk-eea may use an EEA region; a global NCC spoke is not data', () => {
    expect(failing(changed((s) => {
      s['nb-rem-prod']['//'] = { 'nhs-backbone': { residency: 'uk-eea' } };
      trust(s).google_storage_bucket.store.location = 'europe-west1';
      trust(s).google_network_connectivity_spoke = { spoke: { name: 's', location: 'global', hub: 'h', linked_vpc_network: { uri: 'u' } } };
    }), 'NHS-RES-1')).toEqual([]);
  });
});

describe('NHS-NET-1: no inbound from the internet except declared app ingress', () => {
  const rule = (over: any) => ({ firewall_policy: 'fw', priority: 1300, direction: 'INGRESS', action: 'allow', enable_logging: true, ...over });
  test.each<[string, (s: Stacks) => void, string[]]>([
    ['a policy rule allowing 0.0.0.0/0 in', (s) => { trust(s).google_compute_network_firewall_policy_rule.open = rule({ match: { src_ip_ranges: ['0.0.0.0/0'], layer4_configs: [{ ip_protocol: 'tcp', ports: ['443'] }] } }); }, ['nb-rem-prod/google_compute_network_firewall_policy_rule.open']],
    ['a policy rule allowing any source (no source at all)', (s) => { trust(s).google_compute_network_firewall_policy_rule.any = rule({ match: { layer4_configs: [{ ip_protocol: 'all' }] } }); }, ['nb-rem-prod/google_compute_network_firewall_policy_rule.any']],
    ['a policy rule allowing a whole country in', (s) => { trust(s).google_compute_network_firewall_policy_rule.gb = rule({ match: { src_region_codes: ['GB'], layer4_configs: [{ ip_protocol: 'all' }] } }); }, ['nb-rem-prod/google_compute_network_firewall_policy_rule.gb']],
    ['a classic VPC firewall rule with no source (0.0.0.0/0 by default)', (s) => { trust(s).google_compute_firewall = { ssh: { name: 'ssh', network: 'n', allow: [{ protocol: 'tcp', ports: ['22'] }], log_config: { metadata: 'INCLUDE_ALL_METADATA' } } }; }, ['nb-rem-prod/google_compute_firewall.ssh']],
    ['an external forwarding rule', (s) => { trust(s).google_compute_forwarding_rule.web = { name: 'web', region: 'europe-west2', target: 't', port_range: '443' }; }, ['nb-rem-prod/google_compute_forwarding_rule.web']],
    ['an external forwarding rule naming an app the stack does not declare', (s) => { hub(s).google_compute_global_forwarding_rule.web = { name: 'web', target: 't', load_balancing_scheme: 'EXTERNAL_MANAGED', labels: { 'app-ingress': 'admin' } }; }, ['nb-hub-prod/google_compute_global_forwarding_rule.web']],
    ['an external IP address', (s) => { trust(s).google_compute_address.ip = { name: 'ip', region: 'europe-west2' }; }, ['nb-rem-prod/google_compute_address.ip']],
    ['a VM with an access config', (s) => { trust(s).google_compute_instance = { vm: { name: 'vm', zone: 'europe-west2-a', machine_type: 'e2-small', boot_disk: { kms_key_self_link: KEY }, network_interface: [{ subnetwork: 's', access_config: [{}] }] } }; }, ['nb-rem-prod/google_compute_instance.vm']],
  ])('%s fails', (_, edit, expected) => {
    expect(failing(changed(edit), 'NHS-NET-1')).toEqual(expected);
  });

  test('the edge of an app declared with internet ingress, NAT addresses and a policy rule from private ranges pass', () => {
    expect(failing(changed((s) => {
      hub(s).google_compute_global_forwarding_rule.web = { name: 'web', target: 't', load_balancing_scheme: 'EXTERNAL_MANAGED', labels: { 'app-ingress': 'portal' } };
      hub(s).google_compute_address = { nat: { name: 'nat', region: 'europe-west2' } };
      hub(s).google_compute_router_nat = { nat: { name: 'nat', router: 'r', region: 'europe-west2', nat_ips: ['${google_compute_address.nat.self_link}'], log_config: { enable: true, filter: 'ALL' } } };
      trust(s).google_compute_network_firewall_policy_rule.modalities = rule({ match: { src_ip_ranges: ['10.200.0.5/32'], layer4_configs: [{ ip_protocol: 'tcp', ports: ['11112'] }] } });
    }), 'NHS-NET-1')).toEqual([]);
  });
});

describe('NHS-TAG-1: the ods-code label', () => {
  test.each<[string, (s: Stacks) => void, string[]]>([
    ['a labelled resource with no ods-code anywhere', (s) => { delete s['nb-rem-prod'].provider.google[0].default_labels; }, ['nb-rem-prod/google_compute_address.dimse', 'nb-rem-prod/google_compute_forwarding_rule.dimse', 'nb-rem-prod/google_pubsub_topic.events', 'nb-rem-prod/google_storage_bucket.store']],
    ['provider default labels snake-cased to ods_code', (s) => { s['nb-backup-prod'].provider.google[0].default_labels = { ods_code: 'rem' }; }, ['nb-backup-prod/google_kms_crypto_key.backup', 'nb-backup-prod/google_storage_bucket.copy']],
    ['an alert policy whose user_labels lack it (default labels do not reach them)', (s) => { trust(s).google_monitoring_alert_policy = { a: { display_name: 'a', combiner: 'OR', conditions: [], user_labels: { environment: 'prod' } } }; }, ['nb-rem-prod/google_monitoring_alert_policy.a']],
  ])('%s fails', (_, edit, expected) => {
    expect(failing(changed(edit), 'NHS-TAG-1')).toEqual(expected);
  });

  test('the message names the look-alike key', () => {
    const f = check(changed((s) => { s['nb-backup-prod'].provider.google[0].default_labels = { ods_code: 'rem' }; })).find((x) => x.ruleId === 'NHS-TAG-1')!;
    expect(f.message).toMatch(/carries "ods_code", not the NHS label "ods-code"/);
  });

  test('the generated list of labelled types matches the installed provider bindings', () => {
    const lib = join(require.resolve('@cdktf/provider-google/package.json'), '..', 'lib');
    const bindings = (type: string) => readFileSync(join(lib, type.replace(/^google_/, '').replace(/_/g, '-'), 'index.d.ts'), 'utf8');
    for (const type of DEFAULT_LABELLED_TYPES) {
      expect(existsSync(join(lib, type.replace(/^google_/, '').replace(/_/g, '-'), 'index.d.ts'))).toBe(true);
    }
    for (const type of ['google_storage_bucket', 'google_healthcare_dicom_store', 'google_compute_address', 'google_kms_crypto_key']) {
      expect(DEFAULT_LABELLED_TYPES.has(type)).toBe(true);
      expect(bindings(type)).toMatch(/get effectiveLabels\(\)/);
    }
    for (const type of ['google_compute_network', 'google_kms_key_ring', 'google_project_iam_member', 'google_monitoring_alert_policy']) {
      expect(DEFAULT_LABELLED_TYPES.has(type)).toBe(false);
      expect(bindings(type)).not.toMatch(/get effectiveLabels\(\)/);
    }
  });

  test('the resource\'s own label counts; types that take no labels are not checked', () => {
    expect(failing(changed((s) => {
      delete s['nb-rem-prod'].provider.google[0].default_labels;
      trust(s).google_storage_bucket.store.labels['ods-code'] = 'rem';
      trust(s).google_compute_forwarding_rule.dimse.labels['ods-code'] = 'rem';
      trust(s).google_pubsub_topic.events.labels = { 'ods-code': 'rem' };
      trust(s).google_compute_address.dimse.labels = { 'ods-code': 'rem' };
    }), 'NHS-TAG-1')).toEqual([]);
  });
});

describe('NHS-LOG-1: audit and flow logs', () => {
  test.each<[string, (s: Stacks) => void, string[]]>([
    ['a subnet without flow logs', (s) => { delete trust(s).google_compute_subnetwork.workload.log_config; }, ['nb-rem-prod/google_compute_subnetwork.workload']],
    ['a firewall policy rule that does not log', (s) => { trust(s).google_compute_network_firewall_policy_rule.iap.enable_logging = false; }, ['nb-rem-prod/google_compute_network_firewall_policy_rule.iap']],
    ['a bucket in a project without Data Access audit logs for Cloud Storage', (s) => { delete trust(s).google_project_iam_audit_config; }, ['nb-rem-prod/google_storage_bucket.store']],
    ['audit logs with DATA_READ only', (s) => { trust(s).google_project_iam_audit_config.storage.audit_log_config = [{ log_type: 'DATA_READ' }]; }, ['nb-rem-prod/google_storage_bucket.store']],
    ['a project that sends its logs to no archive', (s) => { delete trust(s).google_logging_project_sink; }, ['nb-rem-prod/provider.google']],
    ['a sink to a bucket that is not the log archive', (s) => { trust(s).google_logging_project_sink.trust.destination = 'storage.googleapis.com/nb-rem-records-prod'; }, ['nb-rem-prod/provider.google']],
    ['a sink that leaves out the audit logs', (s) => { trust(s).google_logging_project_sink.trust.filter = 'log_id("compute.googleapis.com/vpc_flows")'; }, ['nb-rem-prod/provider.google']],
  ])('%s fails', (_, edit, expected) => {
    expect(failing(changed(edit), 'NHS-LOG-1')).toEqual(expected);
  });

  test('a project\'s audit config in another stack of the same project counts', () => {
    expect(failing(changed((s) => {
      s['nb-rem-backup-prod'] = { provider: provider('nb-backup-prod', 'rem'), resource: { google_storage_bucket: { second: { ...backup(s).google_storage_bucket.copy, name: 'nb-backup-rem-images-prod' } } } };
    }), 'NHS-LOG-1')).toEqual([]);
  });
});

describe('NHS-RET-1: retention at least the category\'s floor', () => {
  test.each<[string, (s: Stacks) => void, string[]]>([
    ['an adult store locked for 7 years', (s) => { trust(s).google_storage_bucket.store.retention_policy.retention_period = 7 * YEAR; }, ['nb-rem-prod/google_storage_bucket.store']],
    ['a clinical store whose retention policy is not locked', (s) => { trust(s).google_storage_bucket.store.retention_policy.is_locked = false; }, ['nb-rem-prod/google_storage_bucket.store']],
    ['a store with no retention policy', (s) => { delete trust(s).google_storage_bucket.store.retention_policy; }, ['nb-rem-prod/google_storage_bucket.store']],
    ['an unknown records category', (s) => { trust(s).google_storage_bucket.store.labels['records-category'] = 'forever'; }, ['nb-rem-prod/google_storage_bucket.store']],
    ['a DICOM store (Cloud Healthcare has no retention lock)', (s) => {
      trust(s).google_healthcare_dataset = { ds: { name: 'ds', location: 'europe-west2', encryption_spec: { kms_key_name: KEY } } };
      trust(s).google_healthcare_dicom_store = { dicom: { name: 'd', dataset: '${google_healthcare_dataset.ds.id}', labels: { 'records-category': 'imaging' } } };
      trust(s).google_project_iam_audit_config.hc = audit('nb-rem-prod', 'healthcare.googleapis.com');
    }, ['nb-rem-prod/google_healthcare_dicom_store.dicom']],
  ])('%s fails', (_, edit, expected) => {
    expect(failing(changed(edit), 'NHS-RET-1')).toEqual(expected);
  });

  test('a store locked longer than the floor passes; the floor is the category\'s minimumLockDays', () => {
    expect(failing(changed((s) => {
      trust(s).google_storage_bucket.store.labels['records-category'] = 'maternity';
      trust(s).google_storage_bucket.store.retention_policy.retention_period = 25 * YEAR;
      backup(s).google_storage_bucket.copy.retention_policy.retention_period = 25 * YEAR;
    }), 'NHS-RET-1')).toEqual([]);
    const short = check(changed((s) => { trust(s).google_storage_bucket.store.labels['records-category'] = 'maternity'; }));
    expect(short.find((f) => f.ruleId === 'NHS-RET-1')!.message).toMatch(/2920 days is below the maternity floor of 9125 days/);
  });
});

describe('NHS-BAK-1: an immutable backup copy per clinical store', () => {
  test.each<[string, (s: Stacks) => void]>([
    ['no transfer job', (s) => { delete backup(s).google_storage_transfer_job; }],
    ['a copy that is not locked', (s) => { backup(s).google_storage_bucket.copy.retention_policy.is_locked = false; }],
    ['a copy in the store\'s own project', (s) => { backup(s).google_storage_bucket.copy.project = 'nb-rem-prod'; }],
    ['a disabled job', (s) => { backup(s).google_storage_transfer_job.copy.status = 'DISABLED'; }],
    ['a job that mirrors deletions', (s) => { backup(s).google_storage_transfer_job.copy.transfer_spec.transfer_options.delete_objects_unique_in_sink = true; }],
    ['a copy to a bucket not in the output', (s) => { backup(s).google_storage_transfer_job.copy.transfer_spec.gcs_data_sink.bucket_name = 'somewhere-else'; }],
  ])('%s fails', (_, edit) => {
    expect(failing(changed(edit), 'NHS-BAK-1')).toEqual(['nb-rem-prod/google_storage_bucket.store']);
  });

  test('the log archive and the copies themselves need no copy; a DICOM store does', () => {
    expect(failing(base(), 'NHS-BAK-1')).toEqual([]);
    expect(failing(changed((s) => {
      trust(s).google_healthcare_dataset = { ds: { name: 'ds', location: 'europe-west2', encryption_spec: { kms_key_name: KEY } } };
      trust(s).google_healthcare_dicom_store = { dicom: { name: 'd', dataset: '${google_healthcare_dataset.ds.id}', labels: { 'records-category': 'imaging' } } };
    }), 'NHS-BAK-1')).toEqual(['nb-rem-prod/google_healthcare_dicom_store.dicom']);
  });
});

describe('NHS-IAM-1: no wildcard administrative grants', () => {
  const member = (over: any) => ({ project: 'nb-rem-prod', ...over });
  test.each<[string, (s: Stacks) => void, string[]]>([
    ['roles/owner on the project', (s) => { trust(s).google_project_iam_member = { o: member({ role: 'roles/owner', member: 'user:someone@nhs.net' }) }; }, ['nb-rem-prod/google_project_iam_member.o']],
    ['roles/editor to a service account', (s) => { trust(s).google_project_iam_member = { e: member({ role: 'roles/editor', member: 'serviceAccount:app@nb-rem-prod.iam.gserviceaccount.com' }) }; }, ['nb-rem-prod/google_project_iam_member.e']],
    ['an admin role on the project to a group', (s) => { trust(s).google_project_iam_binding = { a: member({ role: 'roles/storage.admin', members: ['group:estates@nhs.net'] }) }; }, ['nb-rem-prod/google_project_iam_binding.a']],
    ['IAM control on the project to a service account', (s) => { trust(s).google_project_iam_member = { i: member({ role: 'roles/resourcemanager.projectIamAdmin', member: 'serviceAccount:ci@nb-hub-prod.iam.gserviceaccount.com' }) }; }, ['nb-rem-prod/google_project_iam_member.i']],
    ['a bucket readable by allUsers', (s) => { trust(s).google_storage_bucket_iam_member.reader.member = 'allUsers'; }, ['nb-rem-prod/google_storage_bucket_iam_member.reader']],
    ['every identity of a workload identity pool', (s) => { trust(s).google_service_account_iam_member = { wi: { service_account_id: 'sa', role: 'roles/iam.workloadIdentityUser', member: 'principalSet://iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/ci/*' } }; }, ['nb-rem-prod/google_service_account_iam_member.wi']],
    ['a policy document granting allAuthenticatedUsers', (s) => {
      s['nb-rem-prod'].data = { google_iam_policy: { p: { binding: [{ role: 'roles/storage.objectViewer', members: ['allAuthenticatedUsers'] }] } } };
      trust(s).google_storage_bucket_iam_policy = { p: { bucket: 'nb-rem-records-prod', policy_data: '${data.google_iam_policy.p.policy_data}' } };
    }, ['nb-rem-prod/google_storage_bucket_iam_policy.p']],
  ])('%s fails', (_, edit, expected) => {
    expect(failing(changed(edit), 'NHS-IAM-1')).toEqual(expected);
  });

  test('narrow roles, and admin roles on one resource or to one service account, pass', () => {
    expect(failing(changed((s) => {
      trust(s).google_project_iam_member = { w: member({ role: 'roles/logging.logWriter', member: 'group:ops@nhs.net' }), s: member({ role: 'roles/storage.admin', member: 'serviceAccount:app@nb-rem-prod.iam.gserviceaccount.com' }) };
      trust(s).google_storage_bucket_iam_member.admin = { bucket: 'nb-rem-records-prod', role: 'roles/storage.admin', member: 'group:records@nhs.net' };
    }), 'NHS-IAM-1')).toEqual([]);
  });
});

describe('acknowledgements in the output', () => {
  const owner = (ack: unknown) => changed((s) => {
    trust(s).google_project_iam_member = { o: { 'project': 'nb-rem-prod', 'role': 'roles/owner', 'member': 'user:a@nhs.net', '//': { [ACKNOWLEDGEMENTS_KEY]: ack } } };
  });

  test('an acknowledgement with a reason turns the error into an acknowledged finding', () => {
    const reason = 'Owner for the migration window agreed by the SIRO (change CHG-1234)';
    const f = check(owner([{ ruleId: 'NHS-IAM-1', reason }])).filter((x) => x.ruleId === 'NHS-IAM-1');
    expect(f).toEqual([expect.objectContaining({ resource: 'google_project_iam_member.o', acknowledgedReason: reason, severity: 'error' })]);
  });

  test('an acknowledgement of another rule, or without a real reason, acknowledges nothing', () => {
    expect(failing(owner([{ ruleId: 'NHS-TAG-1', reason: 'Owner for the migration window agreed by the SIRO' }]), 'NHS-IAM-1')).toEqual(['nb-rem-prod/google_project_iam_member.o']);
    expect(failing(owner([{ ruleId: 'NHS-IAM-1', reason: 'ok' }]), 'NHS-IAM-1')).toEqual(['nb-rem-prod/google_project_iam_member.o']);
  });

  test('writing an acknowledgement without a reason or with an unknown rule id is refused, naming the field', () => {
    expect(() => NhsComplianceProfile.checkAcknowledgement({ ruleId: 'NHS-IAM-1', reason: '' })).toThrow(/^reason: /);
    expect(() => NhsComplianceProfile.checkAcknowledgement({ ruleId: 'NHS-XYZ-9', reason: 'a reason long enough to be read' })).toThrow(/^ruleId: /);
  });
});

describe('malformed input', () => {
  test('a stack that is not JSON is refused, naming the file', () => {
    expect(() => checkSynthOutput(write({ broken: '{"resource": ' }))).toThrow(/stacks\/broken\/cdk\.tf\.json: is not valid JSON/);
    try {
      checkSynthOutput(write({ broken: '[]' }));
      throw new Error('not refused');
    } catch (e) {
      expect(BackboneError.isBackboneError(e)).toBe(true);
      expect((e as Error).message).toMatch(/cdk\.tf\.json: is not a Terraform JSON configuration/);
    }
  });

  test('an unknown residency, a folder with no stacks, and a manifest pointing at a missing file are refused', () => {
    expect(() => checkSynthOutput(write({ s: { '//': { 'nhs-backbone': { residency: 'eu' } }, 'resource': {} } }))).toThrow(/residency "eu" is not a residency/);
    const empty = join(root, 'empty');
    mkdirSync(empty, { recursive: true });
    expect(() => checkSynthOutput(empty)).toThrow(/holds no Terraform stacks/);
    const dir = write({ s: { resource: {} } });
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ stacks: { gone: { synthesizedStackPath: 'stacks/gone/cdk.tf.json' } } }));
    expect(() => checkSynthOutput(dir)).toThrow(/stacks\/gone\/cdk\.tf\.json: cannot be read/);
  });
});
