import { TerraformStack, Testing } from 'cdktf';
import { NameKind } from '../../src/core/naming';
import { Backbone } from '../../src/gcp/backbone';
import { scanGcpIam } from '../support/gcp-iam-scan';
import { smallSpec } from '../support/specs';
import { TfJson } from '../support/terraform';

// The whole small backbone on Google Cloud, built once: identity and keys wired in.
const spec = smallSpec();
const backbone = new Backbone(Testing.app({ stackTraces: false }), 'backbone', { spec });
const stacks = backbone.node.children.filter((c): c is TerraformStack => c instanceof TerraformStack);
const tf = new Map(stacks.map((s) => [s.node.id, TfJson.of(s)]));
const trustTf = (ods: string) => tf.get(spec.naming.name(NameKind.STACK, [ods]))!;

test('no IAM grant over the whole backbone gives owner/editor to an app identity, or anything to allUsers', () => {
  expect(scanGcpIam([...tf.values()].map((t) => t.json))).toEqual([]);
});

test.each(['REM', 'RBS', 'R0A'])('trust %s: an HSM key ring and key with rotation, never destroyed by an update', (ods) => {
  const t = trustTf(ods);
  const ring = t.only('google_kms_key_ring');
  expect(ring).toMatchObject({ location: 'europe-west2', lifecycle: { prevent_destroy: true } });
  const keys = t.resources('google_kms_crypto_key').map(([, k]) => k);
  expect(keys.length).toBeGreaterThan(0);
  for (const k of keys) {
    expect(k).toMatchObject({ rotation_period: '7776000s', lifecycle: { prevent_destroy: true } });
  }
});

test('one service account per app per trust it serves, and no service account key anywhere', () => {
  expect(trustTf('REM').resources('google_service_account').map(([, a]) => a.account_id).sort()).toHaveLength(2);
  expect(trustTf('RBS').resources('google_service_account')).toHaveLength(1);
  for (const t of tf.values()) expect(t.resources('google_service_account_key')).toEqual([]);
});

test('CI federation is pinned to the subject; break-glass alerts e-mail the security contact', () => {
  const hub = TfJson.of(backbone.hubStack);
  expect(hub.only('google_iam_workload_identity_pool_provider').attribute_condition)
    .toBe("assertion.sub == 'repo:nhs-example/test-backbone:environment:prod'");
  expect(hub.only('google_monitoring_notification_channel')).toMatchObject({ type: 'email', labels: { email_address: 'security@test-backbone.nhs.uk' } });
  const alert = hub.only('google_monitoring_alert_policy');
  expect(alert.notification_channels).toEqual(['${google_monitoring_notification_channel.security-contact.id}']);
});
