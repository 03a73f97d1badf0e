import { createHash } from 'crypto';
import { BackboneError } from './errors';

/**
 * Kinds of name with their own length and character rules.
 */
export enum NameKind {
  /** Generic resource name (AWS names, Azure resources, Terraform stacks): 1-63, a-z 0-9 '-'. */
  RESOURCE = 'resource',
  /** CloudFormation stack: 1-128, letters, digits, '-', starting with a letter. */
  STACK = 'stack',
  /** S3 bucket: 3-63, a-z 0-9 '-', globally unique. */
  S3_BUCKET = 's3-bucket',
  /** IAM role: 1-64, letters, digits and +=,.@_- . */
  IAM_ROLE = 'iam-role',
  /** Azure resource group: 1-90. */
  AZURE_RESOURCE_GROUP = 'azure-resource-group',
  /** Azure storage account: 3-24, a-z and 0-9 only, globally unique. */
  AZURE_STORAGE_ACCOUNT = 'azure-storage-account',
  /** Azure Key Vault: 3-24, letters, digits and '-', starting with a letter, globally unique. */
  AZURE_KEY_VAULT = 'azure-key-vault',
  /** Azure Health Data Services workspace: 3-24, a-z and 0-9 only. */
  AZURE_HEALTH_WORKSPACE = 'azure-health-workspace',
  /** Google Cloud resource (network, subnet, router...): RFC 1035, 1-63. */
  GCP_RESOURCE = 'gcp-resource',
  /** Google Cloud Storage bucket: 3-63, a-z 0-9 '-', no "goog", globally unique. */
  GCS_BUCKET = 'gcs-bucket',
  /** Google service account id: 6-30, a-z 0-9 '-', starting with a letter. */
  GCP_SERVICE_ACCOUNT = 'gcp-service-account',
  /** Google Cloud project id: 6-30, a-z 0-9 '-', starting with a letter. */
  GCP_PROJECT = 'gcp-project',
}

interface Rule {
  readonly max: number;
  readonly min: number;
  /** Separator between parts; '' where hyphens are not allowed. */
  readonly sep: string;
}

const RULES: Record<NameKind, Rule> = {
  [NameKind.RESOURCE]: { min: 1, max: 63, sep: '-' },
  [NameKind.STACK]: { min: 1, max: 128, sep: '-' },
  [NameKind.S3_BUCKET]: { min: 3, max: 63, sep: '-' },
  [NameKind.IAM_ROLE]: { min: 1, max: 64, sep: '-' },
  [NameKind.AZURE_RESOURCE_GROUP]: { min: 1, max: 90, sep: '-' },
  [NameKind.AZURE_STORAGE_ACCOUNT]: { min: 3, max: 24, sep: '' },
  [NameKind.AZURE_KEY_VAULT]: { min: 3, max: 24, sep: '-' },
  [NameKind.AZURE_HEALTH_WORKSPACE]: { min: 3, max: 24, sep: '' },
  [NameKind.GCP_RESOURCE]: { min: 1, max: 63, sep: '-' },
  [NameKind.GCS_BUCKET]: { min: 3, max: 63, sep: '-' },
  [NameKind.GCP_SERVICE_ACCOUNT]: { min: 6, max: 30, sep: '-' },
  [NameKind.GCP_PROJECT]: { min: 6, max: 30, sep: '-' },
};

/** Length of the hash that makes a shortened name unique. */
const HASH_LEN = 4;

/**
 * Names every resource from the backbone name, the environment and ODS codes,
 * within each cloud's length and character rules. Names are deterministic:
 * never random. A name that would be too long is shortened and given a short
 * hash of the full name so that two long names cannot collide.
 */
export class Naming {
  /**
   * @param prefix the backbone name (already validated)
   * @param environment dev, test or prod
   */
  constructor(public readonly prefix: string, public readonly environment: string) {}

  /**
   * A name of the given kind from parts (ODS codes, purposes). The prefix
   * comes first and the environment last: `cheshire-merseyside-rem-clinical-prod`.
   */
  public name(kind: NameKind, parts: string[]): string {
    const rule = RULES[kind];
    const words = [this.prefix, ...parts, this.environment]
      .map((p) => clean(p))
      .filter((p) => p.length > 0)
      .map((p) => (kind === NameKind.GCS_BUCKET ? p.replace(/goog(le)?/g, 'g00g') : p));
    const sep = rule.sep;
    let full = words.map((w) => (sep === '' ? w.replace(/-/g, '') : w)).join(sep);
    if (kind === NameKind.AZURE_KEY_VAULT || kind === NameKind.GCP_SERVICE_ACCOUNT || kind === NameKind.GCP_PROJECT) {
      full = full.replace(/-+/g, '-');
    }
    let out = full;
    if (out.length > rule.max) {
      const hash = createHash('sha256').update(full).digest('hex').slice(0, HASH_LEN);
      out = `${trimEnd(full.slice(0, rule.max - HASH_LEN - sep.length), sep)}${sep}${hash}`;
    }
    if (out.length < rule.min) {
      throw BackboneError.of('name', `"${out}" is too short for a ${kind} name (at least ${rule.min} characters)`);
    }
    return out;
  }

  /** The shared hub's resource name for a purpose, e.g. `nw-hub-vpc-prod`. */
  public hub(purpose: string, kind: NameKind = NameKind.RESOURCE): string {
    return this.name(kind, ['hub', purpose]);
  }

  /** A trust's resource name for a purpose, e.g. `nw-rem-spoke-prod`. */
  public trust(odsCode: string, purpose: string, kind: NameKind = NameKind.RESOURCE): string {
    return this.name(kind, [odsCode, purpose]);
  }
}

function clean(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/-+/g, '-').replace(/^-|-$/g, '');
}

function trimEnd(s: string, sep: string): string {
  return sep ? s.replace(/-+$/, '') : s;
}
