import { TerraformStack, Testing } from 'cdktf';
import { BackboneSpec } from '../../src/core/backbone-spec';
import { Cloud } from '../../src/core/regions';
import { StatefulResources } from '../../src/core/stateful';
import { Backbone } from '../../src/gcp/backbone';
import { withoutStackTraces } from '../support/quiet-traces';
import { nationalProps } from '../support/specs';
import { TfJson } from '../support/terraform';

/**
 * Every resource of a stateful type (StatefulResources.typesOf(Cloud.GCP))
 * must carry lifecycle.prevent_destroy = true. Returns the ones that do not,
 * as `<stack>: <type>.<name>`, and how many of each type were seen.
 */
function scan(stacks: Array<[string, any]>): { unprotected: string[]; seen: Map<string, number> } {
  const stateful = StatefulResources.typesOf(Cloud.GCP);
  const unprotected: string[] = [];
  const seen = new Map<string, number>();
  for (const [stack, json] of stacks) {
    for (const [type, byName] of Object.entries<any>(json.resource ?? {})) {
      if (!stateful.includes(type)) continue;
      for (const [name, cfg] of Object.entries<any>(byName)) {
        seen.set(type, (seen.get(type) ?? 0) + 1);
        if (cfg?.lifecycle?.prevent_destroy !== true) unprotected.push(`${stack}: ${type}.${name}`);
      }
    }
  }
  return { unprotected, seen };
}

// A 24-trust backbone in 6 ICBs with two stores per trust, built and synthesised once.
const spec = BackboneSpec.fromProps({
  ...nationalProps(24, 6),
  storage: { stores: [{ name: 'clinical-records', category: 'adult' }, { name: 'imaging', category: 'imaging', years: 30, legalHold: true }] },
  imaging: { modalities: [{ aeTitle: 'R00_CT1', host: '10.200.0.5', trust: 'R00' }] },
});
const synthesised = withoutStackTraces(() => {
  const backbone = new Backbone(Testing.app({ stackTraces: false }), 'national', { spec });
  const stacks = backbone.node.children.filter((c): c is TerraformStack => c instanceof TerraformStack);
  return stacks.map((st) => [st.node.id, TfJson.of(st).json] as [string, any]);
});

test('every stateful resource of every stack is protected by prevent_destroy', () => {
  const { unprotected } = scan(synthesised);
  expect(unprotected).toEqual([]);
});

test('the scan saw the buckets, key rings and keys it is meant to guard', () => {
  const { seen } = scan(synthesised);
  // Two stores and two backup copies per trust, plus the log archive.
  expect(seen.get('google_storage_bucket')).toBe(24 * 2 * 2 + 1);
  // One ring per trust, the hub's, the backup project's and one per imaging network (6 ICBs).
  expect(seen.get('google_kms_key_ring')).toBe(24 + 2 + 6);
  // A trust key and a backup key per trust, the hub's log key and a key per imaging network.
  expect(seen.get('google_kms_crypto_key')).toBe(24 * 2 + 1 + 6);
  // A dataset and DICOM store per imaging network; the one gateway's disk of waiting instances.
  expect(seen.get('google_healthcare_dataset')).toBe(6);
  expect(seen.get('google_healthcare_dicom_store')).toBe(6);
  expect(seen.get('google_compute_region_disk')).toBe(1);
});

test('no bucket can be emptied by Terraform on destroy', () => {
  for (const [, json] of synthesised) {
    for (const b of Object.values<any>(json.resource?.google_storage_bucket ?? {})) expect(b.force_destroy).toBe(false);
  }
});

test('the scan fails on an unprotected or half-protected stateful resource, and ignores stateless ones', () => {
  const fake: Array<[string, any]> = [['s', {
    resource: {
      google_storage_bucket: { open: { name: 'b' }, off: { name: 'c', lifecycle: { prevent_destroy: false } }, ok: { name: 'd', lifecycle: { prevent_destroy: true } } },
      google_kms_crypto_key: { k: { name: 'k', lifecycle: {} } },
      google_compute_network: { n: { name: 'n' } },
    },
  }]];
  expect(scan(fake).unprotected).toEqual(['s: google_storage_bucket.open', 's: google_storage_bucket.off', 's: google_kms_crypto_key.k']);
});
