'use strict';
// The benchmark's national spec, as plain data (what a user would write in
// backbone.yaml). Mirrors test/support/specs.ts nationalProps(trusts, icbs),
// plus imaging (one network per ICB, a DIMSE gateway per trust) and three
// national apps serving every trust. Not imported from test/ on purpose.

/** Synthetic ODS code for the i-th trust: prefix + two base-36 digits (R00, R01, ... R5T). */
function syntheticOds(i, prefix = 'R') {
  return `${prefix}${i.toString(36).toUpperCase().padStart(2, '0')}`;
}

/**
 * @param {number} trusts number of trusts (209 is the NHS in England)
 * @param {number} icbs number of ICBs (42 in England)
 * @param {{ modalities?: number }} [opts] modalities per trust (each trust with
 *   one gets a DIMSE gateway); default 1
 */
function nationalProps(trusts = 209, icbs = 42, opts = {}) {
  const perTrust = opts.modalities ?? 1;
  const list = Array.from({ length: trusts }, (_, i) => ({
    odsCode: syntheticOds(i),
    name: `Synthetic Trust ${i}`,
    icb: syntheticOds(i % icbs, 'Q'),
  }));
  const modalities = [];
  list.forEach((t, i) => {
    for (let m = 0; m < perTrust; m++) {
      // Illustrative HSCN addresses outside the backbone's pool (10.128/12 or 10.180/14).
      modalities.push({ aeTitle: `${t.odsCode}_MOD${m + 1}`, host: `10.213.${i % 256}.${20 + m}`, trust: t.odsCode });
    }
  });
  return {
    name: 'nhs-england',
    environment: 'prod',
    addressPool: trusts > 248 ? '10.128.0.0/12' : '10.180.0.0/14',
    owner: 'national-platform-team',
    costCentre: 'NATBB-001',
    trusts: list,
    apps: [
      // An AI triage: no ingress, reads the trusts' imaging over DICOMweb.
      { name: 'ai-radiology-copilot', trusts: ['*'], dicomweb: 'read', ingress: 'none' },
      // A viewer reached from the HSCN, with a store of its own in every trust.
      { name: 'pacs-viewer', trusts: ['*'], dicomweb: 'read', ingress: 'hscn', store: { category: 'imaging' } },
      // Remote reporting from the internet, behind the WAF and CIS2 sign-in.
      { name: 'remote-reporting', trusts: ['*'], dicomweb: 'read', ingress: 'internet' },
    ],
    network: {
      hscn: { connection: 'vpn', peerAddresses: ['203.0.113.10', '203.0.113.11'], peerAsn: 65010 },
      egressAllowList: ['*.nhs.uk'],
    },
    identity: {
      ci: { subject: 'repo:nhs-england/national-backbone:environment:prod' },
      cis2: { environment: 'live', clientId: 'national-backbone-edge' },
      securityContact: 'security@example.nhs.uk',
    },
    imaging: {
      grouping: 'icb',
      gateway: { port: 11112, tls: true },
      modalities,
    },
  };
}

module.exports = { nationalProps, syntheticOds };
