import { Construct } from 'constructs';
import { findApp, requireServes } from './internal';
import { BackboneSpec } from '../../core/backbone-spec';
import { BackboneError } from '../../core/errors';
import { VaultKey } from '../identity/trust-key-vault';
import { IWorkloadIdentity } from '../identity/workload-identity';
import { ClinicalStore, ClinicalStoreBackupOptions } from '../storage/clinical-store';

/** Props of an app's own store in one trust. */
export interface AppStoreProps {
  /** The validated backbone spec: the app's `store` gives its terms. */
  readonly spec: BackboneSpec;
  /** The app; it must have a `store`. */
  readonly appName: string;
  /** The trust; the app must serve it. */
  readonly odsCode: string;
  /** The app's workload identity in this trust: the only principal given read-write. */
  readonly identity: IWorkloadIdentity;
  /** The trust's resource group, as a plain name. */
  readonly resourceGroupName: string;
  /** The trust's DATA subnet (the store's private endpoint). */
  readonly privateEndpointSubnetId: string;
  /** ID of the hub's `privatelink.blob.core.windows.net` zone. */
  readonly privateDnsZoneId: string;
  /** The trust's storage key. */
  readonly encryptionKey: VaultKey;
  /** The hub's Log Analytics workspace. */
  readonly logAnalyticsWorkspaceId: string;
  /**
   * The hub's immutable log archive account.
   * @default - the workspace only
   */
  readonly logStorageAccountId?: string;
  /** The store's immutable second copy. */
  readonly backup: ClinicalStoreBackupOptions;
}

/**
 * An app's own clinical store in one trust (spec `apps[].store`): a
 * ClinicalStore named `app-<app>` with the app's terms (category floor or
 * longer, compliance lock, legal hold, cold tier, backup copy), read-write
 * (Storage Blob Data Contributor on its records container) for the app's
 * identity in this trust and no one else.
 */
export class AppStore extends Construct {
  /** The store name of an app's store (`app-<app>`). */
  public static storeNameFor(appName: string): string {
    return `app-${appName}`;
  }

  /** The clinical store. */
  public readonly store: ClinicalStore;
  /** The app. */
  public readonly appName: string;
  /** The trust. */
  public readonly odsCode: string;

  constructor(scope: Construct, id: string, props: AppStoreProps) {
    super(scope, id);
    const { spec, appName, odsCode } = props;
    const app = findApp(spec, appName);
    requireServes(spec, app, odsCode);
    if (!app.store) throw BackboneError.of('appName', `app "${appName}" has no store: give apps[].store (category and, optionally, years, lockMode, legalHold, coldAfterDays)`);
    const identity = props.identity;
    if (!identity || identity.appName !== appName || identity.odsCode !== odsCode) {
      throw BackboneError.of('identity', `is the identity of app ${identity?.appName} in trust ${identity?.odsCode}: only app ${appName}'s identity in trust ${odsCode} may use its store there`);
    }
    const storeName = AppStore.storeNameFor(appName);
    if ((spec.storage.stores ?? []).some((s) => s.name === storeName)) {
      throw BackboneError.of('appName', `the spec's storage.stores already has a store named "${storeName}", the name of app ${appName}'s own store: rename that store`);
    }
    this.appName = appName;
    this.odsCode = odsCode;
    this.store = new ClinicalStore(this, 'Store', {
      spec,
      odsCode,
      store: { ...app.store, name: storeName },
      resourceGroupName: props.resourceGroupName,
      privateEndpointSubnetId: props.privateEndpointSubnetId,
      privateDnsZoneId: props.privateDnsZoneId,
      encryptionKey: props.encryptionKey,
      logAnalyticsWorkspaceId: props.logAnalyticsWorkspaceId,
      logStorageAccountId: props.logStorageAccountId,
      backup: props.backup,
    });
    this.store.storageAccount.tags = { ...this.store.storageAccount.tagsInput, app: appName };
    this.store.grantReadWrite(identity);
  }
}
