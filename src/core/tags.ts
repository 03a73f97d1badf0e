import { DataClassification, Environment } from './spec';

/** The NHS tag keys, the same on every cloud. */
export enum NhsTagKey {
  ODS_CODE = 'ods-code',
  ICB = 'icb',
  ENVIRONMENT = 'environment',
  DATA_CLASSIFICATION = 'data-classification',
  BACKBONE = 'backbone',
  OWNER = 'owner',
  COST_CENTRE = 'cost-centre',
  MANAGED_BY = 'managed-by',
}

/** What the tags of one tenant (a trust, or the shared hub) are made from. */
export interface NhsTagInput {
  /** The backbone's name. */
  readonly backbone: string;
  /** The ODS code of the trust (or of the organisation running the hub). */
  readonly odsCode: string;
  /** The ODS code of the trust's ICB. @default - none */
  readonly icb?: string;
  readonly environment: Environment;
  readonly dataClassification: DataClassification;
  /** @default - none */
  readonly owner?: string;
  /** @default - none */
  readonly costCentre?: string;
}

/**
 * The NHS tag set, applied the same way on every cloud: AWS tags and Azure
 * tags as given, Google labels folded to Google's rules (lower case, at most
 * 63 characters of a-z, 0-9, '_' and '-').
 */
export class NhsTags {
  /** The tags, as key/value pairs (AWS tags, Azure tags). Absent values are left out. */
  public static tags(input: NhsTagInput): { [key: string]: string } {
    const t: { [key: string]: string } = {
      [NhsTagKey.ODS_CODE]: input.odsCode,
      [NhsTagKey.ENVIRONMENT]: input.environment,
      [NhsTagKey.DATA_CLASSIFICATION]: input.dataClassification,
      [NhsTagKey.BACKBONE]: input.backbone,
      [NhsTagKey.MANAGED_BY]: 'nhs-backbone',
    };
    if (input.icb) t[NhsTagKey.ICB] = input.icb;
    if (input.owner) t[NhsTagKey.OWNER] = input.owner;
    if (input.costCentre) t[NhsTagKey.COST_CENTRE] = input.costCentre;
    return sortKeys(t);
  }

  /** The same tags as Google Cloud labels. */
  public static labels(input: NhsTagInput): { [key: string]: string } {
    const out: { [key: string]: string } = {};
    for (const [k, v] of Object.entries(NhsTags.tags(input))) out[NhsTags.toLabel(k)] = NhsTags.toLabel(v);
    return out;
  }

  /** Folds a value to a Google label: lower case, a-z 0-9 '_' '-', at most 63 characters. */
  public static toLabel(value: string): string {
    return value.toLowerCase().replace(/[^a-z0-9_-]+/g, '_').slice(0, 63);
  }

  private constructor() {}
}

function sortKeys(o: { [key: string]: string }): { [key: string]: string } {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)));
}
