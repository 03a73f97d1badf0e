import { Residency } from './regions';

/** The environment a backbone serves. */
export enum Environment {
  DEV = 'dev',
  TEST = 'test',
  PROD = 'prod',
}

/** DICOMweb access an app is given to the imaging stores of the trusts it serves. */
export enum DicomWebAccess {
  NONE = 'none',
  READ = 'read',
  READ_WRITE = 'read-write',
}

/** How an app is reached. */
export enum AppIngress {
  /** Not reachable from outside the backbone. */
  NONE = 'none',
  /** From the HSCN only, on private addresses. */
  HSCN = 'hscn',
  /** From the internet, behind a WAF and NHS CIS2 sign-in at the edge. */
  INTERNET = 'internet',
}

/**
 * UK Government Security Classification of the data a backbone holds.
 * Patient data is OFFICIAL, usually with the SENSITIVE handling caveat.
 */
export enum DataClassification {
  OFFICIAL = 'official',
  OFFICIAL_SENSITIVE = 'official-sensitive',
}

/** Region per cloud. */
export interface CloudRegions {
  /** @default eu-west-2 */
  readonly aws?: string;
  /** @default uksouth */
  readonly azure?: string;
  /** @default europe-west2 */
  readonly gcp?: string;
}

/** A trust in the backbone. */
export interface TrustSpec {
  /** The trust's NHS ODS code: 3 to 5 upper-case letters or digits, unique in the backbone. */
  readonly odsCode: string;
  /**
   * The trust's name.
   * @default - the ODS code
   */
  readonly name?: string;
  /**
   * ODS code of the trust's ICB; imaging networks group by it.
   * @default - none
   */
  readonly icb?: string;
  /**
   * Owner tag for the trust's resources.
   * @default - the backbone's owner, if any
   */
  readonly owner?: string;
  /**
   * Cost-centre tag for the trust's resources.
   * @default - the backbone's cost centre, if any
   */
  readonly costCentre?: string;
}

/** A specialist app plugged into the backbone. */
export interface AppSpec {
  /** The app's name: lower-kebab, unique in the backbone. */
  readonly name: string;
  /**
   * ODS codes of the trusts it serves; `*` means all.
   * @default ["*"]
   */
  readonly trusts?: string[];
  /**
   * DICOMweb access to the imaging stores of the trusts it serves.
   * @default DicomWebAccess.NONE
   */
  readonly dicomweb?: DicomWebAccess;
  /**
   * How the app is reached.
   * @default AppIngress.NONE
   */
  readonly ingress?: AppIngress;
}

/**
 * A backbone as written in code or in a YAML/JSON file (the stable spec
 * contract of DESIGN.md). Validate it with `BackboneSpec.fromObject`.
 */
export interface BackboneSpecProps {
  /** Naming prefix: 3-20 characters, a-z 0-9 and '-', starting with a letter. */
  readonly name: string;
  /** @default Environment.PROD */
  readonly environment?: Environment;
  /** @default Residency.UK */
  readonly residency?: Residency;
  /**
   * RFC 1918 pool the address plan allocates from.
   * @default 172.16.0.0/12
   */
  readonly addressPool?: string;
  /** @default - the UK region of each cloud */
  readonly regions?: CloudRegions;
  /** The trusts, at least one. */
  readonly trusts: TrustSpec[];
  /** @default - no apps */
  readonly apps?: AppSpec[];
  /**
   * ODS code of the organisation that runs the backbone (an ICB, a region or
   * NHS England); it tags the shared (hub) resources.
   * @default - the trusts' ICB when they share one, else "shared"
   */
  readonly odsCode?: string;
  /** @default - none */
  readonly owner?: string;
  /** @default - none */
  readonly costCentre?: string;
  /** @default DataClassification.OFFICIAL_SENSITIVE */
  readonly dataClassification?: DataClassification;
}
