import { Stack, Tags, aws_s3 as s3 } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { findApp, requireServes } from './internal';
import { BackboneSpec } from '../../core/backbone-spec';
import { BackboneError } from '../../core/errors';
import { AppSpec } from '../../core/spec';
import { CustomerManagedKey } from '../identity/customer-managed-key';
import { requireWorkloadIdentity } from '../identity/internal';
import { IWorkloadIdentity } from '../identity/workload-identity';
import { ClinicalStore } from '../storage/clinical-store';

/** Props of an app's own store in one trust. */
export interface AppStoreProps {
  /** The validated backbone spec: the app's `store` gives category, years, lock mode, legal hold and cold tier. */
  readonly spec: BackboneSpec;
  /** The app, as in the spec's `apps`; it must have a `store`. */
  readonly appName: string;
  /** The trust whose copy of the app the store serves; the app must serve it. */
  readonly odsCode: string;
  /** The trust's customer-managed key (in the same stack). */
  readonly encryptionKey: CustomerManagedKey;
  /**
   * The app's workload identity in this trust (Backbone.identity(odsCode,
   * appName)): the only principal given read-write access.
   */
  readonly identity: IWorkloadIdentity;
  /**
   * The colder tier objects move to after the store's `coldAfterDays`.
   * @default s3.StorageClass.GLACIER_INSTANT_RETRIEVAL
   */
  readonly coldStorageClass?: s3.StorageClass;
}

/**
 * An app's own clinical store in one trust (spec `apps[].store`), in the
 * trust's stack: a ClinicalStore, so exactly the bucket settings of the
 * trust's other stores (SSE-KMS with the trust's key, versioning, S3 Object
 * Lock at the category's floor or the app's longer term, legal hold, no
 * public access, TLS only, cold tier, Retain), named after the app:
 * `<backbone>-<ods>-store-app-<app>-<env>`.
 *
 * Read-write access goes to the app's workload identity in this trust and to
 * no one else: another trust's copy of the app, or another app, gets nothing.
 * Pass `store` to the trust's TrustBackup with its other stores so that it
 * gets its immutable copy too.
 */
export class AppStore extends Construct {
  /** The store name an app's store has among the trust's stores (`app-<app>`). */
  public static storeNameFor(appName: string): string {
    return `app-${appName}`;
  }

  /** The clinical store. */
  public readonly store: ClinicalStore;
  /** The bucket. */
  public readonly bucket: s3.Bucket;
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
    const identity = requireWorkloadIdentity(props.identity, 'identity');
    const own = identity as { appName?: string; odsCode?: string };
    if (own.appName !== appName || own.odsCode !== odsCode) {
      throw BackboneError.of('identity', `is the identity of app ${own.appName}${own.odsCode ? ` in trust ${own.odsCode}` : ' (backbone-wide)'}: only app ${appName}'s identity in trust ${odsCode} may use its store there`);
    }
    if (Construct.isConstruct(identity) && Stack.of(identity) !== Stack.of(this)) {
      throw BackboneError.of('identity', `is in stack ${Stack.of(identity).stackName}, not the store's stack ${Stack.of(this).stackName}`);
    }
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
      encryptionKey: props.encryptionKey,
      coldStorageClass: props.coldStorageClass,
    });
    this.bucket = this.store.bucket;
    Tags.of(this.bucket).add('nhs-backbone:app', appName);
    this.store.grantReadWrite(identity);
  }
}

/**
 * The spec as ClinicalStore reads it, with the app's store as the one entry of
 * `storage.stores`: ClinicalStore takes its terms from the spec by store name,
 * and an app's store is not in `storage.stores`. A view (the spec is its
 * prototype), not a copy: everything else reads through to the spec.
 */
function withAppStore(spec: BackboneSpec, app: AppSpec, storeName: string): BackboneSpec {
  const view = Object.create(spec) as BackboneSpec;
  Object.defineProperty(view, 'storage', {
    value: { ...spec.storage, stores: [{ ...app.store!, name: storeName }] },
    enumerable: true,
  });
  return view;
}
