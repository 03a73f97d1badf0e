// Not re-exported from index.ts: not part of the jsii API.

/** The tag every backbone role carries, saying what kind of role it is (the IAM scan in test/support reads it). */
export const ROLE_KIND_TAG = 'nhs-backbone:role';

/** Values of ROLE_KIND_TAG. */
export const RoleKind = {
  WORKLOAD: 'workload',
  CI_DEPLOY: 'ci-deploy',
  BREAK_GLASS: 'break-glass',
} as const;
