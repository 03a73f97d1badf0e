import {
  ArnFormat, Duration, RemovalPolicy, Stack, Tags,
  aws_ec2 as ec2, aws_ecr as ecr, aws_ecs as ecs, aws_efs as efs, aws_elasticloadbalancingv2 as elbv2,
  aws_iam as iam, aws_logs as logs, aws_secretsmanager as secretsmanager,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { grantDicom } from './dicom-access';
import { DicomStore, IDicomStore } from './dicom-store';
import { defaultGatewayImage } from './gateway-image';
import { BackboneSpec } from '../../core/backbone-spec';
import { BackboneError } from '../../core/errors';
import { NameKind } from '../../core/naming';
import { Cloud } from '../../core/regions';
import { OrthancGatewayConfig } from '../../imaging/orthanc-gateway';
import { GRANT_POLICY_REASON, acknowledgeGuard, acknowledgeNag } from '../compliance/internal';
import { CustomerManagedKey } from '../identity/customer-managed-key';
import { BackbonePermissionsBoundary } from '../identity/permissions-boundary';
import { ROLE_KIND_TAG, RoleKind } from '../identity/role-kind';

/** The SigV4 signing proxy, pinned (awslabs/aws-sigv4-proxy release 1.10). */
const DEFAULT_SIGV4_PROXY_IMAGE = 'public.ecr.aws/aws-observability/aws-sigv4-proxy:1.10';
/** The sidecar's hard memory limit; Orthanc gets the rest of the task's memory. */
const SIGV4_PROXY_MEMORY_MIB = 128;
/** Where the sidecar listens: loopback only, inside the task. */
const SIGV4_PROXY_ADDRESS = '127.0.0.1:8080';

/** The TLS material's fields in the trust's DICOM TLS secret (a JSON secret). */
const TLS_FIELDS: Array<[field: string, env: string, file: string]> = [
  ['certificate', 'DICOM_TLS_CERTIFICATE', 'gateway.crt'],
  ['privateKey', 'DICOM_TLS_PRIVATE_KEY', 'gateway.key'],
  ['caCertificate', 'DICOM_TLS_MODALITIES_CA', 'modalities-ca.crt'],
];

/** Where Orthanc's generated files, TLS material and waiting instances live in the container. */
const CONFIG_DIRECTORY = '/etc/orthanc';
const TLS_DIRECTORY = '/etc/orthanc/tls';
const STORAGE_DIRECTORY = '/var/lib/orthanc/db';

/** POSIX identity of every file the gateway writes on EFS (enforced by the access point). */
const EFS_UID = '1000';
const EFS_GID = '1000';

/** CloudWatch Logs retention periods, in days, in order. */
const RETENTION_DAYS = Object.values(logs.RetentionDays)
  .filter((d): d is logs.RetentionDays => typeof d === 'number' && d !== logs.RetentionDays.INFINITE)
  .sort((a, b) => a - b);

/** Props of a trust's DIMSE gateway on AWS. */
export interface DimseGatewayProps {
  /** The validated backbone spec: its imaging section gives the port, TLS and the modalities. */
  readonly spec: BackboneSpec;
  /** The trust whose modalities store to this gateway (it must have modalities in `imaging.modalities`). */
  readonly odsCode: string;
  /** The trust's spoke VPC. */
  readonly vpc: ec2.IVpc;
  /**
   * The subnets the gateway's load balancer, tasks and file system mount
   * targets go in: the trust's IMAGING subnets (`spoke.subnetsFor(TrustSubnet.IMAGING)`).
   */
  readonly subnets: ec2.ISubnet[];
  /**
   * The trust's customer-managed key (in the same stack): encrypts the file
   * system where instances wait and the container logs.
   */
  readonly encryptionKey: CustomerManagedKey;
  /**
   * The DICOM store the gateway forwards to.
   * @default - the store of the trust's imaging network, read from its SSM parameters (DicomStore.fromNetwork)
   */
  readonly store?: IDicomStore;
  /**
   * The Orthanc gateway image, pinned by tag or digest (`latest` is refused).
   * A private ECR URI is pulled with the execution role's rights. It runs as
   * the user `orthanc` (Debian's orthanc package makes it), never root.
   * @default - built from docker/orthanc-gateway as a CDK asset
   */
  readonly image?: string;
  /**
   * The SigV4 signing proxy image, pinned. Give a mirror in the account's
   * ECR (pulled with the execution role's rights, through the hub's ECR
   * endpoints) unless `public.ecr.aws` is on the egress allow list.
   * @default "public.ecr.aws/aws-observability/aws-sigv4-proxy:1.10"
   */
  readonly sigv4ProxyImage?: string;
  /**
   * The secret holding the gateway's DICOM TLS material as JSON fields
   * `certificate`, `privateKey` and `caCertificate` (PEM). Read only when
   * the spec's gateway TLS is on. Encrypt it with the trust's key.
   * @default - the secret named `DimseGateway.tlsSecretNameFor(spec, odsCode)`
   */
  readonly tlsSecret?: secretsmanager.ISecret;
  /**
   * The role the gateway's tasks run as. It is granted `grantDicomWrite` on the store.
   * @default - a role named from the spec, under the backbone's permissions boundary, assumable by ECS tasks of this account only
   */
  readonly taskRole?: iam.IRole;
  /**
   * The permissions boundary of the roles the gateway makes.
   * @default - the backbone's boundary, by its deterministic name
   */
  readonly permissionsBoundary?: iam.IManagedPolicy;
  /**
   * vCPU units of the task (Fargate: 256, 512, 1024, 2048 or 4096).
   * @default 1024
   */
  readonly cpu?: number;
  /**
   * Memory of the task in MiB (must suit `cpu` on Fargate).
   * @default 2048
   */
  readonly memoryLimitMiB?: number;
  /**
   * Seconds between retries of the instances still waiting (OrthancGatewayConfig).
   * @default 30
   */
  readonly retrySeconds?: number;
}

/**
 * A trust's DIMSE gateway on AWS: Orthanc on ECS Fargate behind an internal
 * Network Load Balancer in the trust's IMAGING subnets, forwarding every
 * instance its modalities store to the imaging network's HealthImaging
 * datastore by STOW-RS.
 *
 * - Network: the NLB is internal, TCP on the spec's gateway port (default
 *   11112), with client IP preservation so that Orthanc sees (and checks) each
 *   modality's own address. The load balancer's and the tasks' security groups
 *   admit the port only from the spec's modality hosts (/32); the tasks also
 *   admit the NLB's health checks (by security group). Tasks have no public
 *   IP; they may send only HTTPS (443: the hub's endpoints, HealthImaging) and
 *   NFS to their file system (2049).
 * - Container: the generated `orthanc.json`, `forward.lua` and
 *   `entrypoint.sh` (OrthancGatewayConfig) are passed as environment variables
 *   and written into `/etc/orthanc` by a short start command; DICOM TLS
 *   certificate, key and modality CA come from Secrets Manager as ECS secrets
 *   (never in the template) and are written into `/etc/orthanc/tls`, the key
 *   readable by the Orthanc user only.
 * - SigV4: a sidecar (aws-sigv4-proxy, pinned) listens on 127.0.0.1:8080 and
 *   signs each request to `dicom-medical-imaging.<region>.amazonaws.com` with
 *   the task role's temporary credentials from the ECS credentials endpoint.
 *   Orthanc posts to `http://127.0.0.1:8080/datastore/<datastoreId>/studies`;
 *   there is no static secret and no token URL.
 * - Durable waiting room: Orthanc's storage directory is an EFS file system
 *   encrypted with the trust's key (kept on stack deletion), mounted through an
 *   access point with TLS in transit and IAM authorisation; its policy refuses
 *   any connection without TLS. An instance stays there until HealthImaging
 *   has accepted it, across task restarts.
 * - One task (Orthanc's SQLite index must have one writer): deployments stop
 *   the old task before starting the new one, with the circuit breaker rolling
 *   back a deployment that does not become healthy.
 * - Logs of both containers go to a log group encrypted with the trust's key,
 *   kept at least `storage.logRetentionDays`, never deleted with the stack.
 */
export class DimseGateway extends Construct {
  /** The name of a trust's DICOM TLS secret, derived from the spec alone. */
  public static tlsSecretNameFor(spec: BackboneSpec, odsCode: string): string {
    return spec.naming.trust(odsCode, 'dicom-tls');
  }

  /** The container log group's name, derived from the spec alone. */
  public static logGroupNameFor(spec: BackboneSpec, odsCode: string): string {
    return `/nhs-backbone/${spec.naming.trust(odsCode, 'dimse-gateway')}`;
  }

  /** The environment variable that carries a generated file, e.g. `NHS_BACKBONE_ORTHANC_JSON`. */
  public static envNameOf(fileName: string): string {
    return `NHS_BACKBONE_${fileName.toUpperCase().replace(/[^A-Z0-9]+/g, '_')}`;
  }

  /** The trust's ODS code. */
  public readonly odsCode: string;
  /** The gateway's AE title, `<ODS>_GW`. */
  public readonly aeTitle: string;
  /** The DIMSE port. */
  public readonly port: number;
  /** The generated Orthanc configuration. */
  public readonly config: OrthancGatewayConfig;
  /** The DICOMweb URL Orthanc forwards to: the SigV4 sidecar on loopback. */
  public readonly forwardUrl: string;
  /** The store it forwards to. */
  public readonly store: IDicomStore;
  /** The internal Network Load Balancer the modalities connect to. */
  public readonly loadBalancer: elbv2.NetworkLoadBalancer;
  /** The ECS service (one task). */
  public readonly service: ecs.FargateService;
  /** The task definition. */
  public readonly taskDefinition: ecs.FargateTaskDefinition;
  /** The role the tasks run as (granted DICOM write on the store). */
  public readonly taskRole: iam.IRole;
  /** The role ECS uses to pull the images and read the TLS secret. */
  public readonly executionRole: iam.Role;
  /** The tasks' security group. */
  public readonly securityGroup: ec2.SecurityGroup;
  /** The file system where instances wait until forwarded. */
  public readonly fileSystem: efs.FileSystem;
  /** The access point the tasks mount. */
  public readonly accessPoint: efs.AccessPoint;
  /** The container log group. */
  public readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: DimseGatewayProps) {
    super(scope, id);
    const { spec, odsCode, vpc } = props;
    spec.trust(odsCode);
    const modalities = spec.modalitiesOf(odsCode);
    if (modalities.length === 0) {
      throw BackboneError.of('odsCode', `trust ${odsCode} has no modalities in imaging.modalities, so it has no DIMSE gateway`);
    }
    if (!Array.isArray(props.subnets) || props.subnets.length === 0) {
      throw BackboneError.of('subnets', 'is empty: give the trust\'s IMAGING subnets (spoke.subnetsFor(TrustSubnet.IMAGING))');
    }
    const key = props.encryptionKey;
    if (!(key instanceof CustomerManagedKey)) {
      throw BackboneError.of('encryptionKey', 'is not a CustomerManagedKey: give the trust\'s key');
    }
    if (Stack.of(key) !== Stack.of(this)) {
      throw BackboneError.of('encryptionKey', `is in stack ${Stack.of(key).stackName}, not the gateway's stack ${Stack.of(this).stackName}: give the trust's own key`);
    }
    const cpu = props.cpu ?? 1024;
    const memory = props.memoryLimitMiB ?? 2048;
    if (![256, 512, 1024, 2048, 4096].includes(cpu)) {
      throw BackboneError.of('cpu', `${cpu} is not a Fargate task size (256, 512, 1024, 2048 or 4096)`);
    }
    if (!Number.isInteger(memory) || memory < 512 || memory > 30720) {
      throw BackboneError.of('memoryLimitMiB', `${memory} is not a Fargate memory size (512 to 30720 MiB)`);
    }
    const stack = Stack.of(this);
    const region = spec.region(Cloud.AWS);
    const name = (purpose: string, kind: NameKind = NameKind.RESOURCE) => spec.naming.trust(odsCode, purpose, kind);
    const subnets: ec2.SubnetSelection = { subnets: [...props.subnets] };

    // ---- the store and the generated configuration -------------------------
    const network = spec.imagingNetworkOf(odsCode);
    const given = props.store;
    if (given && !given.network.trusts.includes(odsCode)) {
      throw BackboneError.of('store', `is the store of imaging network ${given.network.id}, which trust ${odsCode} is not in (its network is ${network.id})`);
    }
    this.store = given && stackOf(given) === stack ? given : DicomStore.fromNetwork(this, 'Store', spec, network);
    this.forwardUrl = `http://${SIGV4_PROXY_ADDRESS}/datastore/${this.store.datastoreId}`;
    this.config = new OrthancGatewayConfig({
      spec,
      odsCode,
      target: { url: this.forwardUrl },
      configDirectory: CONFIG_DIRECTORY,
      tlsDirectory: TLS_DIRECTORY,
      storageDirectory: STORAGE_DIRECTORY,
      retrySeconds: props.retrySeconds,
    });
    this.odsCode = odsCode;
    this.aeTitle = this.config.aeTitle;
    this.port = this.config.port;

    // ---- roles -------------------------------------------------------------
    const boundary = props.permissionsBoundary ?? BackbonePermissionsBoundary.fromSpec(this, 'Boundary', spec);
    const ecsTasks = new iam.ServicePrincipal('ecs-tasks.amazonaws.com', {
      conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
    });
    this.taskRole = props.taskRole ?? new iam.Role(this, 'TaskRole', {
      roleName: name('dimse-gateway', NameKind.IAM_ROLE),
      description: `nhs-backbone ${spec.name}: DIMSE gateway of trust ${odsCode} (stores DICOM in imaging network ${network.id})`,
      assumedBy: ecsTasks,
      permissionsBoundary: boundary,
      maxSessionDuration: Duration.hours(1),
    });
    this.executionRole = new iam.Role(this, 'ExecutionRole', {
      roleName: name('dimse-gateway-exec', NameKind.IAM_ROLE),
      description: `nhs-backbone ${spec.name}: pulls the DIMSE gateway images and reads its TLS secret (trust ${odsCode})`,
      assumedBy: ecsTasks,
      permissionsBoundary: boundary,
      maxSessionDuration: Duration.hours(1),
    });
    for (const role of [this.taskRole, this.executionRole]) {
      if (role instanceof iam.Role) {
        Tags.of(role).add(ROLE_KIND_TAG, RoleKind.WORKLOAD);
        Tags.of(role).add('nhs-backbone:app', 'dimse-gateway');
      }
    }
    grantDicom(storeRefs(this.store, region), this.taskRole, true);

    // ---- logs --------------------------------------------------------------
    const logGroupName = DimseGateway.logGroupNameFor(spec, odsCode);
    key.key.addToResourcePolicy(new iam.PolicyStatement({
      sid: `AllowLogs${odsCode}DimseGateway`,
      principals: [new iam.ServicePrincipal(`logs.${region}.amazonaws.com`)],
      actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
      resources: ['*'],
      conditions: {
        ArnEquals: { 'kms:EncryptionContext:aws:logs:arn': stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: logGroupName, arnFormat: ArnFormat.COLON_RESOURCE_NAME }) },
      },
    }));
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      logGroupName,
      encryptionKey: key.key,
      retention: retentionFor(spec.storage.logRetentionDays ?? 365),
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // ---- security groups ---------------------------------------------------
    const dimse = ec2.Port.tcp(this.port);
    const lbSg = new ec2.SecurityGroup(this, 'LoadBalancerSecurityGroup', {
      vpc,
      securityGroupName: name('dimse-lb'),
      description: `DIMSE gateway ${this.aeTitle} load balancer: port ${this.port} from the trust modalities only`,
      allowAllOutbound: false,
    });
    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc,
      securityGroupName: name('dimse-gateway'),
      description: `DIMSE gateway ${this.aeTitle}: port ${this.port} from the trust modalities (client IP preserved) and load balancer health checks; out HTTPS and NFS only`,
      allowAllOutbound: false,
    });
    for (const m of modalities) {
      const peer = ec2.Peer.ipv4(`${m.host}/32`);
      lbSg.addIngressRule(peer, dimse, `DIMSE from modality ${m.aeTitle}`);
      this.securityGroup.addIngressRule(peer, dimse, `DIMSE from modality ${m.aeTitle}`);
    }
    lbSg.addEgressRule(this.securityGroup, dimse, 'To the gateway tasks');
    this.securityGroup.addIngressRule(lbSg, dimse, 'Health checks from the load balancer');
    this.securityGroup.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'HTTPS to HealthImaging, the hub endpoints and image registries (through the hub firewall)');

    // ---- durable storage for waiting instances ------------------------------
    const efsSg = new ec2.SecurityGroup(this, 'FileSystemSecurityGroup', {
      vpc,
      securityGroupName: name('dimse-efs'),
      description: `DIMSE gateway ${this.aeTitle} file system: NFS from the gateway tasks only`,
      allowAllOutbound: false,
    });
    const taskRoleArn = this.taskRole.roleArn;
    this.fileSystem = new efs.FileSystem(this, 'FileSystem', {
      vpc,
      vpcSubnets: subnets,
      securityGroup: efsSg,
      fileSystemName: name('dimse-gateway'),
      encrypted: true,
      kmsKey: key.key,
      performanceMode: efs.PerformanceMode.GENERAL_PURPOSE,
      throughputMode: efs.ThroughputMode.ELASTIC,
      removalPolicy: RemovalPolicy.RETAIN,
      allowAnonymousAccess: false,
      enableAutomaticBackups: false,
      fileSystemPolicy: new iam.PolicyDocument({
        statements: [
          new iam.PolicyStatement({
            sid: 'DenyWithoutTls',
            effect: iam.Effect.DENY,
            principals: [new iam.AnyPrincipal()],
            actions: ['*'],
            resources: ['*'],
            conditions: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
          new iam.PolicyStatement({
            sid: 'GatewayTasksThroughMountTargets',
            principals: [new iam.ArnPrincipal(taskRoleArn)],
            actions: ['elasticfilesystem:ClientMount', 'elasticfilesystem:ClientWrite'],
            resources: ['*'],
            conditions: { Bool: { 'elasticfilesystem:AccessedViaMountTarget': 'true' } },
          }),
        ],
      }),
    });
    this.fileSystem.connections.allowDefaultPortFrom(this.securityGroup, 'NFS from the gateway tasks');
    this.accessPoint = this.fileSystem.addAccessPoint('AccessPoint', {
      path: '/orthanc',
      posixUser: { uid: EFS_UID, gid: EFS_GID },
      createAcl: { ownerUid: EFS_UID, ownerGid: EFS_GID, permissions: '0700' },
    });
    this.taskRole.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['elasticfilesystem:ClientMount', 'elasticfilesystem:ClientWrite'],
      resources: [this.fileSystem.fileSystemArn],
      conditions: { StringEquals: { 'elasticfilesystem:AccessPointArn': this.accessPoint.accessPointArn } },
    }));

    // ---- task --------------------------------------------------------------
    this.taskDefinition = new ecs.FargateTaskDefinition(this, 'TaskDefinition', {
      family: name('dimse-gateway'),
      cpu,
      memoryLimitMiB: memory,
      taskRole: this.taskRole,
      executionRole: this.executionRole,
      runtimePlatform: { cpuArchitecture: ecs.CpuArchitecture.X86_64, operatingSystemFamily: ecs.OperatingSystemFamily.LINUX },
    });
    this.taskDefinition.addVolume({
      name: 'waiting-instances',
      efsVolumeConfiguration: {
        fileSystemId: this.fileSystem.fileSystemId,
        transitEncryption: 'ENABLED',
        authorizationConfig: { accessPointId: this.accessPoint.accessPointId, iam: 'ENABLED' },
      },
    });

    const sidecar = this.taskDefinition.addContainer('Sigv4Proxy', {
      containerName: 'sigv4-proxy',
      image: this.containerImage('sigv4ProxyImage', 'Sigv4ProxyRepository', props.sigv4ProxyImage ?? DEFAULT_SIGV4_PROXY_IMAGE),
      essential: true,
      command: [
        '--name', 'medical-imaging',
        '--region', region,
        '--host', `dicom-medical-imaging.${region}.amazonaws.com`,
        '--port', SIGV4_PROXY_ADDRESS,
      ],
      user: '65534:65534',
      readonlyRootFilesystem: true,
      memoryReservationMiB: 64,
      memoryLimitMiB: SIGV4_PROXY_MEMORY_MIB,
      logging: ecs.LogDrivers.awsLogs({ logGroup: this.logGroup, streamPrefix: 'sigv4-proxy' }),
    });

    const configDir = CONFIG_DIRECTORY;
    const files = this.config.files();
    const environment: { [k: string]: string } = {};
    const script = ['set -eu', 'umask 027', `mkdir -p ${configDir}`];
    for (const [file, content] of Object.entries(files)) {
      const env = DimseGateway.envNameOf(file);
      environment[env] = content;
      script.push(`printf '%s' "$${env}" > ${configDir}/${file}`);
    }
    const secrets: { [k: string]: ecs.Secret } = {};
    if (this.config.tls) {
      const tlsSecret = props.tlsSecret ?? secretsmanager.Secret.fromSecretNameV2(this, 'TlsSecret', DimseGateway.tlsSecretNameFor(spec, odsCode));
      script.push(`mkdir -p ${TLS_DIRECTORY}`);
      for (const [field, env, file] of TLS_FIELDS) {
        secrets[env] = ecs.Secret.fromSecretsManager(tlsSecret, field);
        script.push(`(umask 077; printf '%s\\n' "$${env}" > ${TLS_DIRECTORY}/${file})`);
      }
      script.push(`unset ${TLS_FIELDS.map(([, env]) => env).join(' ')}`);
      // A secret encrypted with the trust's key is decrypted through Secrets Manager only.
      this.executionRole.addToPrincipalPolicy(new iam.PolicyStatement({
        actions: ['kms:Decrypt'],
        resources: [key.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${region}.amazonaws.com` } },
      }));
    }
    script.push(`unset ${Object.keys(files).map((f) => DimseGateway.envNameOf(f)).join(' ')}`);
    script.push(`exec /bin/sh ${configDir}/entrypoint.sh`);

    const orthanc = this.taskDefinition.addContainer('Orthanc', {
      containerName: 'orthanc',
      image: this.orthancImage(props.image),
      essential: true,
      entryPoint: ['/bin/sh', '-c'],
      command: [script.join('\n')],
      environment,
      secrets,
      // Debian's orthanc package's unprivileged user (the image's USER): stated here so the task never runs as root.
      user: 'orthanc',
      memoryLimitMiB: memory - SIGV4_PROXY_MEMORY_MIB,
      portMappings: [{ containerPort: this.port, protocol: ecs.Protocol.TCP, name: 'dimse' }],
      healthCheck: {
        command: ['CMD-SHELL', `curl -fsS -o /dev/null http://127.0.0.1:${this.config.httpPort}/system || exit 1`],
        interval: Duration.seconds(30),
        timeout: Duration.seconds(5),
        retries: 3,
        startPeriod: Duration.seconds(60),
      },
      logging: ecs.LogDrivers.awsLogs({ logGroup: this.logGroup, streamPrefix: 'orthanc' }),
    });
    orthanc.addMountPoints({ sourceVolume: 'waiting-instances', containerPath: STORAGE_DIRECTORY, readOnly: false });
    orthanc.addContainerDependencies({ container: sidecar, condition: ecs.ContainerDependencyCondition.START });

    // ---- service and load balancer ------------------------------------------
    const cluster = new ecs.Cluster(this, 'Cluster', {
      vpc,
      clusterName: name('dimse-gateway'),
      containerInsightsV2: ecs.ContainerInsights.ENABLED,
    });
    this.service = new ecs.FargateService(this, 'Service', {
      cluster,
      serviceName: name('dimse-gateway'),
      taskDefinition: this.taskDefinition,
      desiredCount: 1,
      // One Orthanc per SQLite index on EFS: stop the old task before starting the new.
      minHealthyPercent: 0,
      maxHealthyPercent: 100,
      circuitBreaker: { enable: true, rollback: true },
      assignPublicIp: false,
      vpcSubnets: subnets,
      securityGroups: [this.securityGroup],
      platformVersion: ecs.FargatePlatformVersion.LATEST,
      enableExecuteCommand: false,
      propagateTags: ecs.PropagatedTagSource.SERVICE,
      enableECSManagedTags: true,
      healthCheckGracePeriod: Duration.seconds(120),
    });

    this.loadBalancer = new elbv2.NetworkLoadBalancer(this, 'LoadBalancer', {
      vpc,
      vpcSubnets: subnets,
      internetFacing: false,
      crossZoneEnabled: true,
      securityGroups: [lbSg],
      deletionProtection: true,
    });
    Tags.of(this.loadBalancer).add('Name', name('dimse-lb'));
    const listener = this.loadBalancer.addListener('Dimse', { port: this.port, protocol: elbv2.Protocol.TCP });
    listener.addTargets('Gateway', {
      port: this.port,
      protocol: elbv2.Protocol.TCP,
      preserveClientIp: true,
      deregistrationDelay: Duration.seconds(30),
      healthCheck: { protocol: elbv2.Protocol.TCP, interval: Duration.seconds(30), healthyThresholdCount: 2, unhealthyThresholdCount: 2 },
      targets: [this.service.loadBalancerTarget({ containerName: 'orthanc', containerPort: this.port, protocol: ecs.Protocol.TCP })],
    });

    // ---- checks that do not fit a DIMSE gateway, and why ------------------------
    for (const role of [this.taskRole, this.executionRole]) acknowledgeNag(role, ['IAMNoInlinePolicy'], GRANT_POLICY_REASON);
    const waitingRoom = 'The file system is a waiting room: it holds a DICOM instance only until HealthImaging has accepted it (normally seconds), then Orthanc deletes it. A backup would keep copies of patient images outside the DICOM store\'s controls for the backup\'s retention; the instances\' durable home is the DICOM store.';
    acknowledgeNag(this.fileSystem, ['EFSInBackupPlan'], waitingRoom);
    acknowledgeGuard(this.fileSystem, ['efs_automatic_backups_enabled_check'], waitingRoom);
    const tcp = 'The load balancer passes DIMSE through as TCP (client IP preserved) so that Orthanc checks each modality\'s address and, with gateway TLS on, terminates DICOM TLS itself with the trust\'s certificate and verifies the modality\'s; AWS writes NLB access logs only for TLS listeners, and the spoke\'s VPC flow logs record every connection.';
    acknowledgeNag(this.loadBalancer, ['ELBLoggingEnabled', 'ELBv2ACMCertificateRequired'], tcp);
    acknowledgeGuard(this.loadBalancer, ['elbv2_logging_enabled_check'], tcp);
    acknowledgeGuard(this.taskDefinition, ['ecs_containers_readonly_access_check'], 'The sidecar\'s root file system is read-only. Orthanc\'s start command writes the generated configuration and TLS material into /etc/orthanc; the default image declares /etc/orthanc and /tmp as volumes for a read-only root, but a pinned custom image need not, and Fargate\'s handling of image volumes is not proven here (see docs/aws-imaging.md).');
  }

  private orthancImage(image?: string): ecs.ContainerImage {
    if (image === undefined) return defaultGatewayImage();
    return this.containerImage('image', 'Repository', image);
  }

  /** A pinned image; a private ECR URI is pulled with the execution role's ECR rights on that repository. */
  private containerImage(prop: string, repositoryId: string, image: string): ecs.ContainerImage {
    const uri = checkImage(prop, image);
    const m = /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com\/([a-z0-9._\/-]+)(?::([A-Za-z0-9._-]+)|@(sha256:[a-f0-9]{64}))$/.exec(uri);
    if (m) {
      const [, account, repoRegion, repositoryName, tag, digest] = m;
      const repository = ecr.Repository.fromRepositoryAttributes(this, repositoryId, {
        repositoryName,
        repositoryArn: `arn:${Stack.of(this).partition}:ecr:${repoRegion}:${account}:repository/${repositoryName}`,
      });
      return ecs.ContainerImage.fromEcrRepository(repository, tag ?? digest);
    }
    return ecs.ContainerImage.fromRegistry(uri);
  }
}

function checkImage(prop: string, image: string): string {
  if (typeof image !== 'string' || !/^[a-z0-9.-]+(:\d+)?\/[a-z0-9._\/-]+(:[A-Za-z0-9._-]{1,128}|@sha256:[a-f0-9]{64})$/.test(image)) {
    throw BackboneError.of(prop, `${JSON.stringify(image)} is not a pinned image URI (registry/repository:tag or registry/repository@sha256:digest)`);
  }
  if (/:latest$/.test(image)) {
    throw BackboneError.of(prop, `${image} is not pinned: "latest" moves; give a version tag or a digest`);
  }
  return image;
}

/** The smallest CloudWatch retention period that keeps logs at least `days`. */
function retentionFor(days: number): logs.RetentionDays {
  return RETENTION_DAYS.find((d) => d >= days) ?? logs.RetentionDays.INFINITE;
}

function stackOf(store: IDicomStore): Stack | undefined {
  return Construct.isConstruct(store) ? Stack.of(store) : undefined;
}

function storeRefs(store: IDicomStore, region: string) {
  return { datastoreArn: store.datastoreArn, keyArn: store.keyArn, region };
}
