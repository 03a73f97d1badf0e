import { Aws, RemovalPolicy, aws_iam as iam, aws_kms as kms, aws_s3 as s3 } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { BackboneSpec } from '../../core/backbone-spec';
import { NameKind } from '../../core/naming';

/** Props of the central log store. */
export interface CentralLogStoreProps {
  /** The validated backbone spec. */
  readonly spec: BackboneSpec;
}

/**
 * The backbone's central log store on AWS (for now one S3 bucket in the hub
 * stack): VPC flow logs of every VPC and the hub firewall's alert and flow logs
 * land here. Encrypted with a customer-managed KMS key (rotated), versioned,
 * public access blocked, TLS only, and kept when the stack is deleted.
 *
 * Its name is deterministic (from the spec's naming), so trust stacks write to
 * it by name and ARN rather than through 209 cross-stack exports.
 */
export class CentralLogStore extends Construct {
  /** The bucket's name, derived from the spec alone. */
  public static bucketName(spec: BackboneSpec): string {
    return spec.naming.hub('logs', NameKind.S3_BUCKET);
  }

  /** The bucket's ARN in the deploying partition, derived from the spec alone. */
  public static bucketArn(spec: BackboneSpec): string {
    return `arn:${Aws.PARTITION}:s3:::${CentralLogStore.bucketName(spec)}`;
  }

  /** The log bucket. */
  public readonly bucket: s3.Bucket;
  /** The customer-managed key that encrypts it. */
  public readonly key: kms.Key;

  constructor(scope: Construct, id: string, props: CentralLogStoreProps) {
    super(scope, id);
    const { spec } = props;
    const name = CentralLogStore.bucketName(spec);
    this.key = new kms.Key(this, 'Key', {
      alias: `alias/${spec.naming.hub('logs')}`,
      description: `nhs-backbone ${spec.name}: central log store`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // Log delivery (VPC flow logs, Network Firewall) writes with SSE-KMS.
    this.key.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'AllowLogDelivery',
      principals: [new iam.ServicePrincipal('delivery.logs.amazonaws.com')],
      actions: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:DescribeKey'],
      resources: ['*'],
      conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
    }));
    this.bucket = new s3.Bucket(this, 'Resource', {
      bucketName: name,
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: this.key,
      bucketKeyEnabled: true,
      versioned: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const delivery = new iam.ServicePrincipal('delivery.logs.amazonaws.com');
    const sourceAccount = { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } };
    this.bucket.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'AWSLogDeliveryWrite',
      principals: [delivery],
      actions: ['s3:PutObject'],
      resources: [this.bucket.arnForObjects(`*/AWSLogs/${Aws.ACCOUNT_ID}/*`)],
      conditions: { StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control', 'aws:SourceAccount': Aws.ACCOUNT_ID } },
    }));
    this.bucket.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'AWSLogDeliveryAclCheck',
      principals: [delivery],
      actions: ['s3:GetBucketAcl', 's3:ListBucket'],
      resources: [this.bucket.bucketArn],
      conditions: sourceAccount,
    }));
  }
}
