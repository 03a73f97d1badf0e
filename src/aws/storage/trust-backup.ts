import { Aws, Duration, RemovalPolicy, Stack, Tags, Token, aws_backup as backup, aws_events as events, aws_iam as iam } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { ClinicalStore } from './clinical-store';
import { fitName } from './internal';
import { BackboneSpec } from '../../core/backbone-spec';
import { RECORDS_CATEGORY_TAG } from '../../core/compliance';
import { BackboneError, entryOf } from '../../core/errors';
import { NameKind } from '../../core/naming';
import { Cloud } from '../../core/regions';
import { GRANT_POLICY_REASON, acknowledgeNag } from '../compliance/internal';
import { CustomerManagedKey } from '../identity/customer-managed-key';
import { BackbonePermissionsBoundary } from '../identity/permissions-boundary';
import { ROLE_KIND_TAG } from '../identity/role-kind';

/** AWS Backup names (vaults, plans, rules, selections): at most 50 characters. */
const BACKUP_NAME_MAX = 50;
/** The shortest grace time AWS Backup allows before a vault lock becomes immutable. */
const MIN_LOCK_GRACE_DAYS = 3;
/** The AWS managed policies the backup role needs to back up and restore S3 buckets. */
const BACKUP_MANAGED_POLICIES = [
  'service-role/AWSBackupServiceRolePolicyForBackup',
  'service-role/AWSBackupServiceRolePolicyForRestores',
  'AWSBackupServiceRolePolicyForS3Backup',
  'AWSBackupServiceRolePolicyForS3Restore',
];

/** Props of a trust's backup. */
export interface TrustBackupProps {
  /** The validated backbone spec: `storage.backup.awsAccount` gives the account of the off-account copy. */
  readonly spec: BackboneSpec;
  /** The trust whose stores are backed up. */
  readonly odsCode: string;
  /** The trust's clinical stores (all in this stack). */
  readonly stores: ClinicalStore[];
  /**
   * The key that encrypts the vaults.
   * @default - a key of its own for the trust's backups (data class `backup`), so that a grant on the stores' key never opens the backups
   */
  readonly encryptionKey?: CustomerManagedKey;
  /**
   * Grace time after the first deployment during which the vault locks can
   * still be removed; after it they are in compliance mode and nobody,
   * AWS included, can delete a recovery point before its retention ends nor
   * remove the lock. AWS allows 3 days at least.
   * @default Duration.days(3)
   */
  readonly lockGracePeriod?: Duration;
  /**
   * The permissions boundary the backup role is created under.
   * @default - the backbone's boundary, by its deterministic name
   */
  readonly permissionsBoundary?: iam.IManagedPolicy;
  /**
   * The daily backup's schedule.
   * @default - every day at 02:00 UTC
   */
  readonly schedule?: events.Schedule;
}

/**
 * The immutable second copy of a trust's clinical stores (3-2-1), in the
 * trust's stack so that each trust deploys, and is restored, on its own.
 *
 * Per store: an AWS Backup vault encrypted with a customer-managed key (the
 * trust's backup key), with Vault Lock (minimum retention = the store's lock
 * in days; after the grace period the lock is in compliance mode) and an
 * access policy that denies deleting recovery points or changing their
 * lifecycle; and a backup plan whose one daily rule keeps each recovery point
 * as long as the store's lock, selecting the store's bucket by ARN. A vault
 * and plan per store (not per trust) because a vault lock's minimum and a
 * plan's rules apply to everything in them, and stores differ in years.
 *
 * With `storage.backup.awsAccount` in the spec, every rule also copies each
 * recovery point to a vault of the same name in that account (a third copy,
 * outside the account's blast radius); that vault is not made here (see
 * docs/aws-storage.md for what it must be).
 *
 * One IAM role for AWS Backup per trust, under the backbone's permissions
 * boundary, with AWS's managed backup and restore policies for S3.
 * Vaults are kept when the stack is deleted (Retain).
 */
export class TrustBackup extends Construct {
  /** The vault name of a trust's store (in this account and in the backup account), derived from the spec alone. */
  public static vaultNameFor(spec: BackboneSpec, odsCode: string, storeName: string): string {
    return fitName(spec.naming.trust(odsCode, `backup-${storeName}`), BACKUP_NAME_MAX);
  }

  /**
   * The ARN of the vault in the spec's backup account that a store's copies
   * go to, or undefined when the spec names no backup account.
   */
  public static copyVaultArnFor(spec: BackboneSpec, odsCode: string, storeName: string): string | undefined {
    const account = spec.storage.backup?.awsAccount;
    if (!account) return undefined;
    return `arn:${Aws.PARTITION}:backup:${spec.region(Cloud.AWS)}:${account}:backup-vault:${TrustBackup.vaultNameFor(spec, odsCode, storeName)}`;
  }

  /** The role AWS Backup assumes to back up and restore the trust's stores. */
  public readonly role: iam.Role;
  /** The key that encrypts the vaults. */
  public readonly encryptionKey: CustomerManagedKey;
  /** The account the copies go to, when there is one. */
  public readonly copyAccount?: string;
  private readonly vaults = new Map<string, backup.BackupVault>();
  private readonly plans = new Map<string, backup.BackupPlan>();
  private readonly spec!: BackboneSpec;
  private readonly odsCode!: string;
  private readonly grace!: Duration;
  private readonly schedule!: events.Schedule;
  private readonly storeKeys!: Set<CustomerManagedKey>;

  constructor(scope: Construct, id: string, props: TrustBackupProps) {
    super(scope, id);
    const { spec, odsCode } = props;
    spec.trust(odsCode);
    const stores = props.stores ?? [];
    if (stores.length === 0) {
      throw BackboneError.of('stores', `is empty: give the ClinicalStores of trust ${odsCode} to back up`);
    }
    stores.forEach((s, i) => {
      if (!(s instanceof ClinicalStore) && !(Construct.isConstruct(s) && typeof (s as ClinicalStore).bucketArn === 'string')) {
        throw BackboneError.of(`stores[${i}]`, 'is not a ClinicalStore');
      }
      if (s.odsCode !== odsCode) {
        throw BackboneError.of(`stores[${i}]`, `store "${s.storeName}" belongs to trust ${s.odsCode}, not ${odsCode}`);
      }
      if (Stack.of(s) !== Stack.of(this)) {
        throw BackboneError.of(`stores[${i}]`, `store "${s.storeName}" is in stack ${Stack.of(s).stackName}, not the backup's stack ${Stack.of(this).stackName}`);
      }
      if (stores.findIndex((x) => x.storeName === s.storeName) !== i) {
        throw BackboneError.of(`stores[${i}]`, `store "${s.storeName}" is given twice`);
      }
    });
    const grace = props.lockGracePeriod ?? Duration.days(MIN_LOCK_GRACE_DAYS);
    if (!grace.isUnresolved()) {
      const days = grace.toDays({ integral: false });
      if (!Number.isInteger(days) || days < MIN_LOCK_GRACE_DAYS || days > 36500) {
        throw BackboneError.of('lockGracePeriod', `${grace.toHumanString()} is not allowed (whole days from ${MIN_LOCK_GRACE_DAYS}, AWS Backup's shortest grace time before a vault lock is immutable)`);
      }
    }
    const account = spec.storage.backup?.awsAccount;
    const here = Stack.of(this).account;
    if (account && !Token.isUnresolved(here) && account === here) {
      throw BackboneError.of('storage.backup.awsAccount', `${account} is the account the trust deploys to: the backup copy must go to another account (or leave it unset for a locked vault in this account only)`);
    }
    this.copyAccount = account;

    this.encryptionKey = props.encryptionKey ?? new CustomerManagedKey(this, 'Key', { spec, odsCode, dataClass: 'backup' });

    this.role = new iam.Role(this, 'Role', {
      roleName: spec.naming.trust(odsCode, 'backup', NameKind.IAM_ROLE),
      description: `nhs-backbone ${spec.name}: AWS Backup role of trust ${odsCode}'s clinical stores`,
      assumedBy: new iam.ServicePrincipal('backup.amazonaws.com'),
      managedPolicies: BACKUP_MANAGED_POLICIES.map((p) => iam.ManagedPolicy.fromAwsManagedPolicyName(p)),
      permissionsBoundary: props.permissionsBoundary ?? BackbonePermissionsBoundary.fromSpec(this, 'Boundary', spec),
      maxSessionDuration: Duration.hours(1),
    });
    Tags.of(this.role).add(ROLE_KIND_TAG, 'backup');
    acknowledgeNag(this.role, ['IAMNoInlinePolicy'], GRANT_POLICY_REASON);
    // The vaults' key: AWS Backup encrypts S3 recovery points with it, through grants.
    this.encryptionKey.key.grant(this.role,
      'kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:DescribeKey', 'kms:CreateGrant', 'kms:RetireGrant');
    // The stores' keys: reading the objects to back them up, writing them back on a restore.
    const storeKeys = [...new Set(stores.map((s) => s.encryptionKey))];
    for (const k of storeKeys) k.key.grant(this.role, 'kms:Decrypt', 'kms:DescribeKey', 'kms:GenerateDataKey*', 'kms:Encrypt');

    if (account) {
      // AWS Backup: "if your resources are encrypted with a customer managed key,
      // you must share this customer managed key with the destination account".
      this.encryptionKey.key.addToResourcePolicy(new iam.PolicyStatement({
        sid: 'AllowBackupAccountCopy',
        principals: [new iam.AccountPrincipal(account)],
        actions: ['kms:Decrypt', 'kms:DescribeKey'],
        resources: ['*'],
      }));
      this.encryptionKey.key.addToResourcePolicy(new iam.PolicyStatement({
        sid: 'AllowBackupAccountGrants',
        principals: [new iam.AccountPrincipal(account)],
        actions: ['kms:CreateGrant'],
        resources: ['*'],
        conditions: { Bool: { 'kms:GrantIsForAWSResource': true } },
      }));
    }

    this.spec = spec;
    this.odsCode = odsCode;
    this.grace = grace;
    this.schedule = props.schedule ?? events.Schedule.cron({ minute: '0', hour: '2' });
    this.storeKeys = new Set(storeKeys);
    for (const store of stores) this.backUp(store);
  }

  /**
   * Adds a store of the trust (in the same stack) after the backup was made,
   * e.g. an app's own store (AppStore) for an app added with Backbone.addApp:
   * its own locked vault and daily plan, like the stores given at first.
   * Throws a BackboneError naming `store`.
   */
  public addStore(store: ClinicalStore): void {
    if (!store || store.odsCode !== this.odsCode) throw BackboneError.of('store', `belongs to trust ${store?.odsCode}, not ${this.odsCode}`);
    if (Stack.of(store) !== Stack.of(this)) throw BackboneError.of('store', `store "${store.storeName}" is in stack ${Stack.of(store).stackName}, not the backup's stack ${Stack.of(this).stackName}`);
    if (this.vaults.has(store.storeName)) throw BackboneError.of('store', `store "${store.storeName}" is already backed up here`);
    if (!this.storeKeys.has(store.encryptionKey)) {
      this.storeKeys.add(store.encryptionKey);
      store.encryptionKey.key.grant(this.role, 'kms:Decrypt', 'kms:DescribeKey', 'kms:GenerateDataKey*', 'kms:Encrypt');
    }
    this.backUp(store);
  }

  private backUp(store: ClinicalStore): void {
    const { spec, odsCode, grace, schedule } = this;
    const name = TrustBackup.vaultNameFor(spec, odsCode, store.storeName);
    const retention = Duration.days(store.retentionDays);
    const vault = new backup.BackupVault(this, `Vault-${store.storeName}`, {
      backupVaultName: name,
      encryptionKey: this.encryptionKey.key,
      lockConfiguration: { minRetention: retention, changeableFor: grace },
      blockRecoveryPointDeletion: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // NHS-RET-1 checks the vault lock against the store's category's floor.
    Tags.of(vault).add(RECORDS_CATEGORY_TAG, store.category.id);
    const copyArn = TrustBackup.copyVaultArnFor(spec, odsCode, store.storeName);
    const plan = new backup.BackupPlan(this, `Plan-${store.storeName}`, {
      backupPlanName: name,
      backupPlanRules: [new backup.BackupPlanRule({
        ruleName: fitName(`daily-${store.storeName}`, BACKUP_NAME_MAX),
        backupVault: vault,
        scheduleExpression: schedule,
        deleteAfter: retention,
        copyActions: copyArn
          ? [{ destinationBackupVault: backup.BackupVault.fromBackupVaultArn(this, `CopyTarget-${store.storeName}`, copyArn), deleteAfter: retention }]
          : undefined,
        recoveryPointTags: { 'nhs-backbone:store': store.storeName, 'nhs-backbone:records-category': store.category.id },
      })],
    });
    plan.addSelection('Selection', {
      backupSelectionName: fitName(`store-${store.storeName}`, BACKUP_NAME_MAX),
      resources: [backup.BackupResource.fromArn(store.bucketArn)],
      role: this.role,
      disableDefaultBackupPolicy: true,
    });
    this.vaults.set(store.storeName, vault);
    this.plans.set(store.storeName, plan);
  }

  /** The vault of a store. */
  public vault(storeName: string): backup.BackupVault {
    return entryOf(this.vaults, storeName, 'storeName', `"${storeName}" is not a store backed up here (one of: ${[...this.vaults.keys()].join(', ')})`);
  }

  /** The backup plan of a store. */
  public plan(storeName: string): backup.BackupPlan {
    return entryOf(this.plans, storeName, 'storeName', `"${storeName}" is not a store backed up here (one of: ${[...this.plans.keys()].join(', ')})`);
  }
}
