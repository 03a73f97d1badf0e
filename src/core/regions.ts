/**
 * Which regions data may live in. NHS England's policy is UK-only by default;
 * national guidance allows the EEA (and adequate countries) with SIRO sign-off.
 * Source: digital.nhs.uk off-shoring guidance (2022); see NHS-FACTS.md.
 */
export enum Residency {
  /** UK regions only (the default). */
  UK = 'uk',
  /** UK and EEA regions: needs SIRO sign-off under the off-shoring guidance. */
  UK_EEA = 'uk-eea',
}

/** The three clouds the backbone stands up on. */
export enum Cloud {
  AWS = 'aws',
  AZURE = 'azure',
  GCP = 'gcp',
}

const UK_REGIONS: Record<Cloud, string[]> = {
  [Cloud.AWS]: ['eu-west-2'],
  [Cloud.AZURE]: ['uksouth', 'ukwest'],
  [Cloud.GCP]: ['europe-west2'],
};

// EEA member states' regions only (Switzerland is not in the EEA: no eu-central-2,
// switzerlandnorth or europe-west6).
const EEA_REGIONS: Record<Cloud, string[]> = {
  [Cloud.AWS]: ['eu-west-1', 'eu-west-3', 'eu-central-1', 'eu-north-1', 'eu-south-1', 'eu-south-2'],
  [Cloud.AZURE]: [
    'northeurope', 'westeurope', 'francecentral', 'francesouth', 'germanywestcentral', 'germanynorth',
    'norwayeast', 'norwaywest', 'swedencentral', 'polandcentral', 'italynorth', 'spaincentral',
  ],
  [Cloud.GCP]: [
    'europe-west1', 'europe-west3', 'europe-west4', 'europe-west8', 'europe-west9', 'europe-west10',
    'europe-west12', 'europe-north1', 'europe-north2', 'europe-central2', 'europe-southwest1',
  ],
};

const DEFAULT_REGION: Record<Cloud, string> = {
  [Cloud.AWS]: 'eu-west-2',
  [Cloud.AZURE]: 'uksouth',
  [Cloud.GCP]: 'europe-west2',
};

/**
 * UK regions per cloud and the residency rule.
 */
export class UkRegions {
  /** The default (UK) region of a cloud: eu-west-2, uksouth, europe-west2. */
  public static defaultRegion(cloud: Cloud): string {
    return DEFAULT_REGION[cloud];
  }

  /** The UK regions of a cloud. AWS and Google have one each; Azure has uksouth and ukwest. */
  public static inUk(cloud: Cloud): string[] {
    return [...UK_REGIONS[cloud]];
  }

  /** Every region a residency allows on a cloud, UK first. */
  public static allowedRegions(cloud: Cloud, residency: Residency): string[] {
    return residency === Residency.UK_EEA ? [...UK_REGIONS[cloud], ...EEA_REGIONS[cloud]] : [...UK_REGIONS[cloud]];
  }

  /** True when the region is allowed under the residency. */
  public static isAllowed(cloud: Cloud, region: string, residency: Residency): boolean {
    return UkRegions.allowedRegions(cloud, residency).includes(region);
  }

  /** True when the region is in the UK. */
  public static isUk(cloud: Cloud, region: string): boolean {
    return UK_REGIONS[cloud].includes(region);
  }

  /**
   * The region a second (backup) copy goes to under a residency: Azure's other UK
   * region; on AWS and Google, which have one UK region each, the same region
   * (separated by account or project instead).
   */
  public static pairedRegion(cloud: Cloud, region: string): string {
    if (cloud === Cloud.AZURE && region === 'uksouth') return 'ukwest';
    if (cloud === Cloud.AZURE && region === 'ukwest') return 'uksouth';
    return region;
  }

  private constructor() {}
}
