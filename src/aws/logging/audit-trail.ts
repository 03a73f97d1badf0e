import { Aws, Stack, aws_cloudtrail as cloudtrail, aws_iam as iam } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { CentralLogStore } from './central-log-store';
import { BackboneSpec } from '../../core/backbone-spec';
import { BackboneError } from '../../core/errors';
import { AwsCompliance } from '../compliance/acknowledge';
import { acknowledgeGuard, acknowledgeNag } from '../compliance/internal';
import { DicomStore } from '../imaging/dicom-store';

/** The S3 calls that deliver logs into the archive, left out of the archive's own data events. */
const LOG_DELIVERY_EVENTS = ['PutObject', 'CreateMultipartUpload', 'UploadPart', 'CompleteMultipartUpload', 'AbortMultipartUpload'];

/** CloudTrail's quota: values over all conditions of all advanced event selectors of a trail. */
const MAX_SELECTOR_VALUES = 500;

/** Props of the audit trail. */
export interface AuditTrailProps {
  /** The validated backbone spec. */
  readonly spec: BackboneSpec;
  /** The central log archive the trail delivers to (in the same stack). */
  readonly logStore: CentralLogStore;
  /**
   * Also record management events (every API call that configures the
   * account). Turn off only when an organisation trail already records them:
   * a second copy of management events is charged, and the break-glass alert
   * needs one trail that records them.
   * @default true
   */
  readonly managementEvents?: boolean;
}

/**
 * The backbone's audit trail: one CloudTrail trail in the hub stack
 * (multi-region, log file validation on) that records
 *
 * - every read and write of an object in any S3 bucket of the account except
 *   the log archive itself (S3 data events): who read or changed which
 *   clinical record, from where, with which result. This is the clinical
 *   stores' access log: S3 server access logs cannot be delivered to a bucket
 *   with Object Lock nor to one encrypted with SSE-KMS, are best-effort and
 *   name less; data events go to the locked, KMS-encrypted archive.
 * - every DICOM access to any HealthImaging datastore and image set of the
 *   account (`DicomStore.auditEventSelectors()`): DICOMweb store, search and
 *   retrieve, and image-set reads, for every imaging network.
 * - management events (unless turned off), which the break-glass alert needs.
 *
 * - every object-level call on the log archive itself except log deliveries
 *   (PutObject and multipart uploads): who read, deleted or changed the
 *   retention of archived logs. Deliveries are left out so that the trail
 *   does not log its own deliveries (NHS-LOG-1 is acknowledged on the archive
 *   for them).
 *
 * Logs land under `cloudtrail/` in the central log archive, encrypted with its
 * key. The selectors name the archive and resource types, not the
 * stores or datastores, so that they stay within CloudTrail's limits (500
 * condition values per trail) at 209 trusts and need no cross-stack reference.
 */
export class AuditTrail extends Construct {
  /** The trail's name, derived from the spec alone. */
  public static trailName(spec: BackboneSpec): string {
    return spec.naming.hub('trail');
  }

  /** The trail. */
  public readonly trail: cloudtrail.CfnTrail;
  /** The trail's ARN. */
  public readonly trailArn: string;

  constructor(scope: Construct, id: string, props: AuditTrailProps) {
    super(scope, id);
    const { spec, logStore } = props;
    if (!(logStore instanceof CentralLogStore)) {
      throw BackboneError.of('logStore', 'is not a CentralLogStore');
    }
    if (Stack.of(logStore) !== Stack.of(this)) {
      throw BackboneError.of('logStore', `is in stack ${Stack.of(logStore).stackName}, not the trail's stack ${Stack.of(this).stackName}: make the trail in the hub stack beside the log archive`);
    }
    const stack = Stack.of(this);
    const trailName = AuditTrail.trailName(spec);
    const trailArn = stack.formatArn({ service: 'cloudtrail', resource: 'trail', resourceName: trailName });
    const principal = new iam.ServicePrincipal('cloudtrail.amazonaws.com');
    const fromTrail = { 'aws:SourceArn': trailArn };

    const bucket = logStore.bucket;
    bucket.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'AWSCloudTrailAclCheck',
      principals: [principal],
      actions: ['s3:GetBucketAcl'],
      resources: [bucket.bucketArn],
      conditions: { StringEquals: fromTrail },
    }));
    bucket.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'AWSCloudTrailWrite',
      principals: [principal],
      actions: ['s3:PutObject'],
      resources: [bucket.arnForObjects(`cloudtrail/AWSLogs/${Aws.ACCOUNT_ID}/*`)],
      conditions: { StringEquals: { ...fromTrail, 's3:x-amz-acl': 'bucket-owner-full-control' } },
    }));
    logStore.key.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'AllowCloudTrailEncrypt',
      principals: [principal],
      actions: ['kms:GenerateDataKey*'],
      resources: ['*'],
      conditions: {
        StringEquals: fromTrail,
        StringLike: { 'kms:EncryptionContext:aws:cloudtrail:arn': `arn:${Aws.PARTITION}:cloudtrail:*:${Aws.ACCOUNT_ID}:trail/*` },
      },
    }));
    logStore.key.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'AllowCloudTrailDescribeKey',
      principals: [principal],
      actions: ['kms:DescribeKey'],
      resources: ['*'],
      conditions: { StringEquals: fromTrail },
    }));

    const selectors: cloudtrail.CfnTrail.AdvancedEventSelectorProperty[] = [];
    if (props.managementEvents ?? true) {
      selectors.push({ name: 'Management events', fieldSelectors: [{ field: 'eventCategory', equalTo: ['Management'] }] });
    }
    selectors.push({
      name: 'S3 object access outside the log archive',
      fieldSelectors: [
        { field: 'eventCategory', equalTo: ['Data'] },
        { field: 'resources.type', equalTo: ['AWS::S3::Object'] },
        { field: 'resources.ARN', notStartsWith: [`${bucket.bucketArn}/`] },
      ],
    });

    // The archive's own object access, except the writes that deliver logs
    // (recording them would log each delivery of the trail's own logs, forever).
    selectors.push({
      name: 'Log archive access other than log delivery',
      fieldSelectors: [
        { field: 'eventCategory', equalTo: ['Data'] },
        { field: 'resources.type', equalTo: ['AWS::S3::Object'] },
        { field: 'resources.ARN', startsWith: [`${bucket.bucketArn}/`] },
        { field: 'eventName', notEquals: LOG_DELIVERY_EVENTS },
      ],
    });
    AwsCompliance.acknowledge(bucket, 'NHS-LOG-1', `The trail records every object-level call on the log archive except the log deliveries themselves (${LOG_DELIVERY_EVENTS.join(', ')}): recording those would log each delivery of the trail's own logs in a loop. Reads, deletes and retention changes of archived logs are recorded.`);

    selectors.push(...DicomStore.auditEventSelectors());
    const values = selectors.reduce((n, sel) => n + selectorValues(sel), 0);
    if (values > MAX_SELECTOR_VALUES) {
      throw BackboneError.of('advancedEventSelectors', `hold ${values} condition values, more than CloudTrail's ${MAX_SELECTOR_VALUES} per trail`);
    }

    this.trail = new cloudtrail.CfnTrail(this, 'Resource', {
      trailName,
      isLogging: true,
      s3BucketName: bucket.bucketName,
      s3KeyPrefix: 'cloudtrail',
      kmsKeyId: logStore.key.keyArn,
      enableLogFileValidation: true,
      isMultiRegionTrail: true,
      includeGlobalServiceEvents: true,
      advancedEventSelectors: selectors,
    });
    // CloudTrail checks the bucket policy and key policy when the trail is made.
    this.trail.node.addDependency(bucket.policy ?? bucket);
    this.trail.node.addDependency(logStore.key);
    this.trailArn = this.trail.attrArn;
    if (props.managementEvents === false) {
      AwsCompliance.acknowledge(this.trail, 'NHS-LOG-1', 'Management events are recorded by the organisation trail (AuditTrailProps.managementEvents is false); a second copy would be charged. The break-glass alert needs that trail\'s events in this account and region.');
    }
    const noCloudWatch = 'The trail delivers to the locked, KMS-encrypted central log archive; alerting runs on EventBridge (the break-glass rule), which receives CloudTrail events without CloudWatch Logs. A CloudWatch Logs copy would re-ingest every clinical-store data event at ingestion cost and hold it outside Object Lock.';
    acknowledgeNag(this.trail, ['CloudTrailCloudWatchLogsEnabled'], noCloudWatch);
    acknowledgeGuard(this.trail, ['cloud_trail_cloud_watch_logs_enabled_check'], noCloudWatch);
  }
}

/** The number of condition values of a selector, as CloudTrail counts them against its quota. */
function selectorValues(selector: cloudtrail.CfnTrail.AdvancedEventSelectorProperty): number {
  let n = 0;
  for (const f of selector.fieldSelectors as cloudtrail.CfnTrail.AdvancedFieldSelectorProperty[]) {
    for (const list of [f.equalTo, f.notEquals, f.startsWith, f.notStartsWith, f.endsWith, f.notEndsWith]) n += list?.length ?? 0;
  }
  return n;
}
