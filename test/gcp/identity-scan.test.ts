import { scanGcpIam } from '../support/gcp-iam-scan';

// The scan rule tested both ways on hand-written Terraform JSON.
const SA = 'serviceAccount:app@p.iam.gserviceaccount.com';
const json = (resource: any, data?: any) => ({ resource, ...(data ? { data } : {}) });

describe('scanGcpIam flags', () => {
  test.each(['roles/owner', 'roles/editor', 'roles/iam.securityAdmin'])('%s given to a service account (member, binding, policy)', (role) => {
    const found = scanGcpIam(json({
      google_project_iam_member: { a: { project: 'p', role, member: SA } },
      google_storage_bucket_iam_binding: { b: { bucket: 'x', role, members: ['user:a@b.c', '${google_service_account.app.member}'] } },
      google_project_iam_policy: { c: { project: 'p', policy_data: '${data.google_iam_policy.pol.policy_data}' } },
    }, { google_iam_policy: { pol: { binding: [{ role, members: [SA] }] } } }));
    expect(found.map((f) => [f.resource, f.rule])).toEqual([
      ['google_project_iam_member.a', 'privileged-role-to-service-account'],
      ['google_storage_bucket_iam_binding.b', 'privileged-role-to-service-account'],
      ['google_project_iam_policy.c', 'privileged-role-to-service-account'],
    ]);
  });

  test.each(['allUsers', 'allAuthenticatedUsers'])('%s as a member of any role', (member) => {
    const found = scanGcpIam([
      json({ google_storage_bucket_iam_member: { a: { bucket: 'x', role: 'roles/storage.objectViewer', member } } }),
      json({ google_cloud_run_service_iam_binding: { b: { service: 's', role: 'roles/run.invoker', members: [member] } } }),
      json({}, { google_iam_policy: { unused: { binding: [{ role: 'roles/viewer', members: [member] }] } } }),
    ]);
    expect(found.map((f) => [f.resource, f.rule, f.member])).toEqual([
      ['google_storage_bucket_iam_member.a', 'public-member', member],
      ['google_cloud_run_service_iam_binding.b', 'public-member', member],
      ['data.google_iam_policy.unused', 'public-member', member],
    ]);
  });

  test('an inline JSON policy', () => {
    const policy = JSON.stringify({ bindings: [{ role: 'roles/editor', members: [SA] }] });
    expect(scanGcpIam(json({ google_folder_iam_policy: { f: { folder: 'folders/1', policy_data: policy } } }))).toHaveLength(1);
  });
});

describe('scanGcpIam passes', () => {
  test('narrow roles to service accounts, owner to a human group, non-IAM resources', () => {
    expect(scanGcpIam(json({
      google_kms_crypto_key_iam_member: { a: { crypto_key_id: 'k', role: 'roles/cloudkms.cryptoKeyEncrypterDecrypter', member: SA } },
      google_project_iam_member: { b: { project: 'p', role: 'roles/owner', member: 'group:platform-admins@example.nhs.uk' } },
      google_service_account_iam_member: { c: { service_account_id: 's', role: 'roles/iam.workloadIdentityUser', member: 'principal://iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/p/subject/x' } },
      google_project_iam_audit_config: { d: { project: 'p', service: 'allServices' } },
      google_storage_bucket: { e: { name: 'allUsers' } },
    }))).toEqual([]);
  });
});
