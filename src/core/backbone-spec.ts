import { AddressLock, AddressPlan } from './address-plan';
import { BackboneError, SpecProblem } from './errors';
import { loadSpecFile, lockPathFor, readLock } from './load';
import { Naming } from './naming';
import { Cloud, Residency } from './regions';
import { AppSpec, BackboneSpecProps, CloudRegions, DataClassification, Environment, IdentitySpec, ImagingGrouping, ImagingSpec, ModalitySpec, NetworkSpec, StorageSpec, TrustSpec } from './spec';
import { NhsTagInput, NhsTags } from './tags';
import { NormalisedSpec, validateSpec } from './validate';
import { gatewayAeTitle } from './validate-imaging';

/**
 * A validated backbone spec with every default filled in: the one input every
 * block on every cloud takes.
 */
export class BackboneSpec {
  /**
   * Validates a spec written in code. Throws a BackboneError listing every
   * problem (with its path) when it is not valid.
   */
  public static fromProps(props: BackboneSpecProps): BackboneSpec {
    const result = validateSpec(props);
    if (!result.props) throw new BackboneError(result.problems);
    return new BackboneSpec(result.props, result.warnings);
  }

  /**
   * Loads and validates a YAML or JSON spec file. Throws a BackboneError
   * listing every problem when it cannot be read or is not valid.
   */
  public static fromFile(path: string): BackboneSpec {
    const result = loadSpecFile(path);
    if (!result.props) throw new BackboneError(result.problems);
    return new BackboneSpec(result.props, result.warnings);
  }

  /**
   * The address lock beside a spec file (`backbone.yaml` -> `backbone.lock.json`),
   * as `nhs-backbone synth` writes it; undefined when there is none yet. Pass
   * it to a Backbone as `addressLock` so code and CLI give the same addresses.
   */
  public static lockBeside(specPath: string): AddressLock | undefined {
    const { lock, problems } = readLock(lockPathFor(specPath));
    if (problems.length > 0) throw new BackboneError(problems);
    return lock;
  }

  public readonly name: string;
  public readonly environment: Environment;
  public readonly residency: Residency;
  public readonly addressPool: string;
  /** The region on each cloud (defaults filled in). */
  public readonly regions: CloudRegions;
  /** The trusts, in spec order, each with its name filled in. */
  public readonly trusts: TrustSpec[];
  /** The apps, in spec order, each with `trusts` resolved to ODS codes. */
  public readonly apps: AppSpec[];
  /**
   * ODS code that tags the shared (hub) resources: the spec's `odsCode`, else
   * the trusts' ICB when they all share one, else "shared".
   */
  public readonly odsCode: string;
  public readonly owner?: string;
  public readonly costCentre?: string;
  public readonly dataClassification: DataClassification;
  /**
   * Network settings, defaults filled in: `egressAllowList` is always set;
   * `hscn` (with connection, asn and sharedSecretName filled in) only when given.
   */
  public readonly network: NetworkSpec;
  /**
   * Identity settings, defaults filled in (CI issuer, CIS2 secret name and
   * assurance) where a section is given.
   */
  public readonly identity: IdentitySpec;
  /** Storage settings, every default filled in. */
  public readonly storage: StorageSpec;
  /** Imaging settings, every default filled in. */
  public readonly imaging: ImagingSpec;
  /** Warnings found while validating (unknown fields). */
  public readonly warnings: SpecProblem[];
  /** Names every resource from the backbone name and environment. */
  public readonly naming: Naming;

  private readonly imagingNetworkList: ImagingNetwork[];
  private source: NormalisedSpec;

  private constructor(n: NormalisedSpec, warnings: SpecProblem[]) {
    this.name = n.name;
    this.environment = n.environment;
    this.residency = n.residency;
    this.addressPool = n.addressPool;
    this.regions = { ...n.regions };
    this.trusts = n.trusts.map((t) => ({ ...t }));
    this.apps = n.apps.map((a) => ({ ...a, trusts: [...a.trusts] }));
    const icbs = [...new Set(n.trusts.map((t) => t.icb))];
    this.odsCode = n.odsCode ?? (icbs.length === 1 && icbs[0] ? icbs[0] : 'shared');
    this.owner = n.owner;
    this.costCentre = n.costCentre;
    this.dataClassification = n.dataClassification;
    this.network = {
      hscn: n.network.hscn ? { ...n.network.hscn, peerAddresses: [...n.network.hscn.peerAddresses] } : undefined,
      egressAllowList: [...n.network.egressAllowList],
    };
    this.identity = {
      ci: n.identity.ci ? { ...n.identity.ci } : undefined,
      cis2: n.identity.cis2 ? { ...n.identity.cis2 } : undefined,
      securityContact: n.identity.securityContact,
    };
    this.storage = {
      stores: n.storage.stores.map((x) => ({ ...x })),
      logRetentionDays: n.storage.logRetentionDays,
      backup: { ...n.storage.backup },
    };
    this.imaging = {
      grouping: n.imaging.grouping,
      gateway: { ...n.imaging.gateway },
      modalities: n.imaging.modalities.map((m) => ({ ...m })),
    };
    this.imagingNetworkList = imagingNetworks(n.imaging.grouping, n.trusts, this.odsCode);
    this.source = n;
    this.warnings = warnings;
    this.naming = new Naming(this.name, this.environment);
  }

  /** The region this backbone uses on a cloud. */
  public region(cloud: Cloud): string {
    const r = this.regions[cloud];
    if (!r) throw BackboneError.of(`regions.${cloud}`, 'is not set');
    return r;
  }

  /** The trust with this ODS code; throws when there is none. */
  public trust(odsCode: string): TrustSpec {
    const t = this.trusts.find((x) => x.odsCode === odsCode);
    if (!t) throw BackboneError.of('odsCode', `"${odsCode}" is not a trust of backbone ${this.name}`);
    return t;
  }

  /**
   * The imaging networks: groups of trusts sharing one managed DICOM store,
   * per trust, per ICB or national as `imaging.grouping` says. Under ICB
   * grouping a trust with no ICB is a network of its own.
   */
  public imagingNetworks(): ImagingNetwork[] {
    return this.imagingNetworkList.map((x) => ({ ...x, trusts: [...x.trusts] }));
  }

  /** The imaging network a trust belongs to. */
  public imagingNetworkOf(odsCode: string): ImagingNetwork {
    this.trust(odsCode);
    const net = this.imagingNetworkList.find((x) => x.trusts.includes(odsCode))!;
    return { ...net, trusts: [...net.trusts] };
  }

  /** The modalities that may store to a trust's gateway (none: the trust gets no gateway). */
  public modalitiesOf(odsCode: string): ModalitySpec[] {
    this.trust(odsCode);
    return (this.imaging.modalities ?? []).filter((m) => m.trust === odsCode).map((m) => ({ ...m }));
  }

  /** The AE title of a trust's DIMSE gateway, `<ODS>_GW`. */
  public gatewayAeTitle(odsCode: string): string {
    this.trust(odsCode);
    return gatewayAeTitle(odsCode);
  }

  /**
   * Adds a specialist app in code, as if it were listed under `apps:` in the
   * spec: validated against this spec (name, trusts, DICOMweb access, ingress,
   * its own store; internet ingress needs `identity.cis2`), then part of
   * `apps` for every backbone built from this spec afterwards. Adding the same
   * app again returns it; a different app of the same name is refused.
   * Throws a BackboneError naming `app.<field>` for each problem.
   */
  public addApp(app: AppSpec): AppSpec {
    const existing = this.apps.find((a) => a.name === app?.name);
    const index = this.source.apps.length;
    const result = validateSpec({ ...this.source, apps: [...this.source.apps, app] });
    const mine = (path: string) => path === 'apps' || path.startsWith(`apps[${index}]`);
    const problems = result.problems.filter((p) => mine(p.path))
      .map((p) => ({ path: p.path.replace(`apps[${index}]`, 'app'), message: p.message }));
    if (existing) {
      const again = validateSpec({ ...this.source, apps: this.source.apps.map((a) => (a.name === app.name ? app : a)) });
      const normal = again.props?.apps.find((a) => a.name === app.name);
      if (normal && JSON.stringify(normal) === JSON.stringify(existing)) return { ...existing, trusts: [...(existing.trusts ?? [])] };
      throw BackboneError.of('app.name', `"${app.name}" is already an app of backbone ${this.name}, with other settings (app names must be unique)`);
    }
    if (problems.length > 0 || !result.props) throw new BackboneError(problems.length > 0 ? problems : result.problems);
    const added = result.props.apps[index];
    this.source = { ...this.source, apps: [...this.source.apps, added] };
    (this.apps as AppSpec[]).push({ ...added, trusts: [...added.trusts] });
    return { ...added, trusts: [...added.trusts] };
  }

  /** The apps that serve a trust. */
  public appsServing(odsCode: string): AppSpec[] {
    return this.apps.filter((a) => (a.trusts ?? []).includes(odsCode));
  }

  /** The NHS tags of a trust's resources, or of the hub's when no ODS code is given. */
  public tagsFor(odsCode?: string): { [key: string]: string } {
    return NhsTags.tags(this.tagInput(odsCode));
  }

  /** The NHS tags as Google labels. */
  public labelsFor(odsCode?: string): { [key: string]: string } {
    return NhsTags.labels(this.tagInput(odsCode));
  }

  /**
   * The address plan: slots recorded in the lock are kept; new trusts and apps
   * get the lowest free slot.
   */
  public addressPlan(lock?: AddressLock): AddressPlan {
    return AddressPlan.allocate({
      addressPool: this.addressPool,
      trusts: this.trusts.map((t) => t.odsCode),
      apps: this.apps.map((a) => a.name),
      lock,
    });
  }

  private tagInput(odsCode?: string): NhsTagInput {
    const base = {
      backbone: this.name,
      environment: this.environment,
      dataClassification: this.dataClassification,
    };
    if (odsCode === undefined) {
      return { ...base, odsCode: this.odsCode, owner: this.owner, costCentre: this.costCentre };
    }
    const t = this.trust(odsCode);
    return {
      ...base,
      odsCode: t.odsCode,
      icb: t.icb,
      owner: t.owner ?? this.owner,
      costCentre: t.costCentre ?? this.costCentre,
    };
  }
}

/** A group of trusts sharing one managed DICOM store. */
export interface ImagingNetwork {
  /** Stable id: `national`, `icb-<icb>` or `trust-<ods>` (lower-case). */
  readonly id: string;
  /** The trusts in it, in spec order. */
  readonly trusts: string[];
  /**
   * The ODS code that tags the network's own resources (its stack, DICOM
   * store and key): the ICB's, the trust's, or the backbone's for `national`.
   */
  readonly odsCode: string;
}

function imagingNetworks(grouping: ImagingGrouping, trusts: Array<{ odsCode: string; icb?: string }>, backboneOds: string): ImagingNetwork[] {
  const byId = new Map<string, { ods: string; trusts: string[] }>();
  for (const t of trusts) {
    const [id, ods] = grouping === ImagingGrouping.NATIONAL ? ['national', backboneOds]
      : grouping === ImagingGrouping.ICB && t.icb ? [`icb-${t.icb.toLowerCase()}`, t.icb]
        : [`trust-${t.odsCode.toLowerCase()}`, t.odsCode];
    const entry = byId.get(id) ?? { ods, trusts: [] };
    entry.trusts.push(t.odsCode);
    byId.set(id, entry);
  }
  return [...byId.entries()].map(([id, e]) => ({ id, trusts: e.trusts, odsCode: e.ods }));
}
