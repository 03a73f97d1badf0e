import { Construct } from 'constructs';
import { findApp, requireOwnIdentity, requireServes } from './internal';
import { BackboneSpec } from '../../core/backbone-spec';
import { BackboneError } from '../../core/errors';
import { AppSpec } from '../../core/spec';
import { TrustKeyRing } from '../identity/kms';
import { WorkloadIdentity } from '../identity/workload-identity';
import { ClinicalStore } from '../storage/clinical-store';

/** Props of an app's own store in one trust. */
export interface AppStoreProps {
  /** The validated backbone spec: the app's `store` gives category, years, lock mode, legal hold and cold tier. */
  readonly spec: BackboneSpec;
  /** The app, as in the spec's `apps`; it must have a `store`. */
  readonly appName: string;
  /** The trust whose copy of the app the store serves; the app must serve it. */
  readonly odsCode: string;
  /** The trust's project. */
  readonly projectId: string;
  /** The trust's key ring (its `data` key encrypts the store). */
  readonly keyRing: TrustKeyRing;
  /** The app's workload identity in this trust: the only principal given read-write access. */
  readonly identity: WorkloadIdentity;
  /**
   * The backup project whose Storage Transfer Service agent copies the store.
   * @default - no backup reader
   */
  readonly backupProjectId?: string;
}

/**
 * An app's own clinical store in one trust (spec `apps[].store`), in the
 * trust's project: a ClinicalStore, so exactly the bucket of the trust's other
 * stores (CMEK with the trust's HSM key, locked retention at the category's
 * floor or the app's longer term, legal hold, public access prevention,
 * cold tiers, Data Access audit logs, prevent_destroy), named
 * `<prefix>-<ods>-app-<app>-<env>` and labelled `app=<app>`. Read and write
 * (object viewer and creator) go to the app's workload identity in this trust
 * and to no one else.
 */
export class AppStore extends Construct {
  /** The store name an app's store has among the trust's stores (`app-<app>`). */
  public static storeNameFor(appName: string): string {
    return `app-${appName}`;
  }

  /** The clinical store. */
  public readonly store: ClinicalStore;
  /** The app's name. */
  public readonly appName: string;
  /** The trust's ODS code. */
  public readonly odsCode: string;

  constructor(scope: Construct, id: string, props: AppStoreProps) {
    super(scope, id);
    const { spec, appName, odsCode } = props;
    const app = findApp(spec, appName);
    requireServes(spec, app, odsCode);
    if (!app.store) {
      throw BackboneError.of('appName', `app "${appName}" has no store: give apps[].store (category and, optionally, years, lockMode, legalHold, coldAfterDays)`);
    }
    const identity = requireOwnIdentity(props.identity, appName, odsCode);
    const storeName = AppStore.storeNameFor(appName);
    if ((spec.storage.stores ?? []).some((s) => s.name === storeName)) {
      throw BackboneError.of('appName', `the spec's storage.stores already has a store named "${storeName}", the name of app ${appName}'s own store: rename that store`);
    }
    this.appName = appName;
    this.odsCode = odsCode;
    this.store = new ClinicalStore(this, 'Store', {
      spec: withAppStore(spec, app, storeName),
      odsCode,
      storeName,
      projectId: props.projectId,
      keyRing: props.keyRing,
      backupProjectId: props.backupProjectId,
    });
    this.store.bucket.addOverride('labels.app', appName);
    this.store.grantReadWrite(identity);
  }
}

/**
 * The spec as ClinicalStore reads it, with the app's store as the one entry of
 * `storage.stores` (ClinicalStore takes its terms from the spec by store
 * name). A view with the spec as prototype, not a copy.
 */
function withAppStore(spec: BackboneSpec, app: AppSpec, storeName: string): BackboneSpec {
  const view = Object.create(spec) as BackboneSpec;
  Object.defineProperty(view, 'storage', {
    value: { ...spec.storage, stores: [{ ...app.store!, name: storeName }] },
    enumerable: true,
  });
  return view;
}
