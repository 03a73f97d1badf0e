import { BackboneSpec } from '../../src/core/backbone-spec';
import { BackboneSpecProps, TrustSpec } from '../../src/core/spec';

/** A small two-ICB backbone used across tests. */
export const SMALL: BackboneSpecProps = {
  name: 'test-backbone',
  environment: 'prod' as any,
  addressPool: '10.180.0.0/14',
  odsCode: 'QYG',
  owner: 'platform-team',
  costCentre: 'CC-42',
  trusts: [
    { odsCode: 'REM', name: 'Liverpool University Hospitals NHS Foundation Trust', icb: 'QYG' },
    { odsCode: 'RBS', name: "Alder Hey Children's NHS Foundation Trust", icb: 'QYG' },
    { odsCode: 'R0A', name: 'Manchester University NHS Foundation Trust', icb: 'QOP', costCentre: 'MFT-1' },
  ],
  apps: [
    { name: 'ai-triage', trusts: ['*'], dicomweb: 'read' as any, ingress: 'none' as any },
    { name: 'remote-reporting', trusts: ['REM'], dicomweb: 'read' as any, ingress: 'internet' as any },
  ],
  network: {
    hscn: { connection: 'vpn' as any, peerAddresses: ['203.0.113.10', '203.0.113.11'], peerAsn: 65010 },
    egressAllowList: ['*.nhs.uk', 'digital.nhs.uk'],
  },
  identity: {
    ci: { subject: 'repo:nhs-example/test-backbone:environment:prod' },
    cis2: { environment: 'integration', clientId: 'test-backbone-edge' },
    securityContact: 'security@test-backbone.nhs.uk',
  },
};

export function smallSpec(overrides: Partial<BackboneSpecProps> = {}): BackboneSpec {
  return BackboneSpec.fromProps({ ...SMALL, ...overrides });
}

/** Synthetic ODS code for the i-th trust: R + two base-36 digits (R00, R01, ... R5T). */
export function syntheticOds(i: number, prefix = 'R'): string {
  return `${prefix}${i.toString(36).toUpperCase().padStart(2, '0')}`;
}

/**
 * A national-scale spec: `trusts` trusts spread over `icbs` ICBs (209 in 42
 * is the NHS in England), with three national apps.
 */
export function nationalProps(trusts = 209, icbs = 42): BackboneSpecProps {
  const list: TrustSpec[] = Array.from({ length: trusts }, (_, i) => ({
    odsCode: syntheticOds(i),
    name: `Synthetic Trust ${i}`,
    icb: syntheticOds(i % icbs, 'Q'),
  }));
  return {
    name: 'nhs-england',
    addressPool: trusts > 248 ? '10.128.0.0/12' : '10.180.0.0/14',
    trusts: list,
    apps: [
      { name: 'ai-radiology-copilot', dicomweb: 'read' as any },
      { name: 'pacs-viewer', dicomweb: 'read' as any, ingress: 'hscn' as any },
      { name: 'remote-reporting', dicomweb: 'read' as any, ingress: 'internet' as any },
    ],
    network: {
      hscn: { peerAddresses: ['203.0.113.10'], peerAsn: 65010 },
      egressAllowList: ['*.nhs.uk'],
    },
    identity: {
      ci: { subject: 'repo:nhs-england/national-backbone:environment:prod' },
      cis2: { environment: 'live', clientId: 'national-backbone-edge' },
    },
  };
}

export function nationalSpec(trusts = 209, icbs = 42): BackboneSpec {
  return BackboneSpec.fromProps(nationalProps(trusts, icbs));
}
