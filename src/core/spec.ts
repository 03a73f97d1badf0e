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

/** How the backbone reaches the HSCN. */
export enum HscnConnectionType {
  /** Site-to-site IPsec VPN to the HSCN network provider (AWS VPN on the transit gateway, Azure VPN gateway, Google HA VPN). */
  VPN = 'vpn',
  /** A private circuit: AWS Direct Connect gateway, Azure ExpressRoute, Google Cloud Interconnect. */
  PRIVATE = 'private',
}

/** The backbone's connection to the HSCN network provider. */
export interface HscnSpec {
  /**
   * VPN or a private circuit.
   * @default HscnConnectionType.VPN
   */
  readonly connection?: HscnConnectionType;
  /**
   * The HSCN network provider's VPN endpoints (IPv4). Required for a VPN; one or two.
   * @default - none
   */
  readonly peerAddresses?: string[];
  /** The HSCN network provider's BGP ASN. */
  readonly peerAsn: number;
  /**
   * The backbone's own BGP ASN (a private ASN).
   * @default 64512
   */
  readonly asn?: number;
  /**
   * Name of the secret in the cloud's secret store that holds the VPN
   * pre-shared key; it is read at deploy time, never written into a template.
   * @default "hscn-vpn-psk"
   */
  readonly sharedSecretName?: string;
}

/** Network settings of the backbone. */
export interface NetworkSpec {
  /**
   * The connection to the HSCN.
   * @default - no HSCN connection (a warning says so)
   */
  readonly hscn?: HscnSpec;
  /**
   * Domains the hub's firewall lets workloads reach on the internet (TLS, by
   * server name); everything else is denied. `*.nhs.uk` allows subdomains.
   * @default - none: all internet egress is denied
   */
  readonly egressAllowList?: string[];
}

/** CI federation: a pipeline deploys with short-lived tokens, never long-lived keys. */
export interface CiFederationSpec {
  /**
   * The OIDC issuer of the CI system.
   * @default https://token.actions.githubusercontent.com (GitHub Actions)
   */
  readonly issuer?: string;
  /**
   * The subject the trust is pinned to, e.g. `repo:my-org/my-repo:environment:prod`.
   * A bare wildcard, or one before the repository is named, is refused.
   */
  readonly subject: string;
}

/** Staff sign-in with NHS CIS2 for apps whose ingress is the internet. */
export interface Cis2Spec {
  /** `live` or `integration`. */
  readonly environment: string;
  /** The client id CIS2 issued for the backbone's edge. */
  readonly clientId: string;
  /**
   * Name of the secret (in the cloud's secret store) holding the client secret;
   * read at deploy or run time, never written into a template.
   * @default "cis2-client-secret"
   */
  readonly clientSecretName?: string;
  /**
   * Authenticator assurance required (acr_values).
   * @default AAL2_OR_AAL3_ANY
   */
  readonly assurance?: string;
}

/** Identity settings of the backbone. */
export interface IdentitySpec {
  /** @default - no CI federation */
  readonly ci?: CiFederationSpec;
  /** @default - none: apps with internet ingress are refused */
  readonly cis2?: Cis2Spec;
  /**
   * E-mail address that security alerts (break-glass use) go to.
   * @default - none: alerts are raised in each cloud's console only (a warning says so)
   */
  readonly securityContact?: string;
}

/** A clinical record store each trust gets. */
export interface StoreSpec {
  /** The store's purpose, lower-kebab (e.g. `clinical-records`); names the bucket/account/container. */
  readonly name: string;
  /** Records category id (adult, child, maternity, mental-health, cancer, transplant, chronic, screening, imaging). */
  readonly category: string;
  /**
   * Lock in years; at least the category's legal minimum.
   * @default - the category's minimum
   */
  readonly years?: number;
  /**
   * compliance or governance. Clinical categories demand compliance.
   * @default compliance
   */
  readonly lockMode?: string;
  /**
   * Put a legal hold on the store (objects cannot be deleted while it is on).
   * @default false
   */
  readonly legalHold?: boolean;
  /**
   * Days after which objects move to a colder tier.
   * @default 90
   */
  readonly coldAfterDays?: number;
}

/** Where the immutable backup copy lives, per cloud. */
export interface BackupTargets {
  /**
   * AWS account id of the backup vault (a separate account is the 3-2-1 ideal).
   * @default - the same account, in its own vault with vault lock
   */
  readonly awsAccount?: string;
  /**
   * Azure region of the second storage account.
   * @default - the paired UK region (ukwest for uksouth)
   */
  readonly azureRegion?: string;
  /**
   * Google project of the backup bucket.
   * @default - a backup project named from the backbone
   */
  readonly gcpProject?: string;
}

/** Storage settings of the backbone. */
export interface StorageSpec {
  /**
   * The clinical stores every trust gets.
   * @default - one `clinical-records` store, category adult
   */
  readonly stores?: StoreSpec[];
  /**
   * Days the central log archive keeps logs (at least 365).
   * @default 365
   */
  readonly logRetentionDays?: number;
  /** @default - see BackupTargets */
  readonly backup?: BackupTargets;
}

/** How trusts share managed DICOM stores (imaging networks). */
export enum ImagingGrouping {
  /** One imaging network (and DICOM store) per trust. */
  TRUST = 'trust',
  /** One imaging network per ICB: the trusts of an ICB share one PACS store (the default). */
  ICB = 'icb',
  /** One national imaging network. */
  NATIONAL = 'national',
}

/** A DICOM sender (modality or legacy PACS) on the HSCN allowed to store to a trust's gateway. */
export interface ModalitySpec {
  /** Its AE title: 1-16 characters, A-Z a-z 0-9 '_' '-', unique in the backbone. */
  readonly aeTitle: string;
  /** Its IPv4 address as the gateway sees it (the gateway checks it). */
  readonly host: string;
  /** ODS code of the trust it belongs to; it stores to that trust's gateway. */
  readonly trust: string;
  /**
   * Its DIMSE port (for echo from the gateway).
   * @default 104
   */
  readonly port?: number;
}

/** The DIMSE gateway each trust with modalities gets. */
export interface DimseGatewaySpec {
  /**
   * The DICOM port the gateway listens on (104, or 1024-65535).
   * @default 11112
   */
  readonly port?: number;
  /**
   * DICOM TLS (PS3.15 BCP 195) on the DIMSE port. Turning it off needs a
   * reason: a modality that cannot do TLS.
   * @default true
   */
  readonly tls?: boolean;
}

/** Imaging (PACS hosting) settings. */
export interface ImagingSpec {
  /**
   * trust, icb or national: how trusts share DICOM stores.
   * @default ImagingGrouping.ICB
   */
  readonly grouping?: ImagingGrouping;
  /** @default - port 11112, TLS on */
  readonly gateway?: DimseGatewaySpec;
  /**
   * The modalities (and legacy PACS) that may store; only these may.
   * @default - none: no trust gets a DIMSE gateway
   */
  readonly modalities?: ModalitySpec[];
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
  /**
   * A store of the app's own in each trust it serves, named after the app,
   * with the retention of its records category (like `storage.stores`).
   * @default - none
   */
  readonly store?: AppStoreSpec;
}

/** The retention terms of an app's own store. */
export interface AppStoreSpec {
  /** Records category id (adult, child, maternity, mental-health, cancer, transplant, chronic, screening, imaging). */
  readonly category: string;
  /**
   * Lock in years; at least the category's legal minimum.
   * @default - the category's minimum
   */
  readonly years?: number;
  /**
   * compliance or governance. Clinical categories demand compliance.
   * @default compliance
   */
  readonly lockMode?: string;
  /**
   * Put a legal hold on the store.
   * @default false
   */
  readonly legalHold?: boolean;
  /**
   * Days after which objects move to a colder tier.
   * @default 90
   */
  readonly coldAfterDays?: number;
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
  /** @default - no HSCN connection, no internet egress */
  readonly network?: NetworkSpec;
  /** @default - no CI federation, no CIS2 sign-in */
  readonly identity?: IdentitySpec;
  /** @default - one adult clinical-records store per trust, logs kept 365 days */
  readonly storage?: StorageSpec;
  /** @default - one DICOM store per ICB, no modalities (so no gateways) */
  readonly imaging?: ImagingSpec;
}
