import { METADATA_TOKEN_URL } from './internal';
import { OrthancGatewayConfig } from '../../imaging/orthanc-gateway';

/**
 * What the DIMSE gateway VM does at boot, as a cloud-init `#cloud-config`
 * document (Container-Optimized OS runs cloud-init from the `user-data`
 * metadata key). Not re-exported from the package index.
 * @internal
 */

/** Where the generated Orthanc files live on the host (mounted read-only at /etc/orthanc in the container). */
export const HOST_CONFIG_DIR = '/etc/nhs-backbone/orthanc';
/** The boot script that prepares the disk, the image and the TLS material. */
export const PREPARE_SCRIPT = '/etc/nhs-backbone/prepare-gateway.sh';
/** The systemd unit that runs the container. */
export const UNIT_NAME = 'orthanc-gateway.service';
/** tmpfs folder for the DICOM TLS material (never on disk, never in metadata). */
export const HOST_TLS_DIR = '/run/orthanc-tls';
/** Where the waiting-instances disk is mounted on the host. */
export const HOST_DATA_DIR = '/mnt/disks/orthanc-data';
/** The stateful disk's device name (`/dev/disk/by-id/google-<name>`). */
export const DATA_DEVICE_NAME = 'orthanc-data';
/** Container paths: OrthancGatewayConfig's defaults. */
const CONTAINER_CONFIG_DIR = '/etc/orthanc';
const CONTAINER_TLS_DIR = '/etc/orthanc/tls';
const CONTAINER_DATA_DIR = '/var/lib/orthanc/db';
/** Secret Manager's API, reached through Private Google Access. */
const SECRET_MANAGER = 'https://secretmanager.googleapis.com/v1';

export interface GatewayBootProps {
  readonly config: OrthancGatewayConfig;
  readonly image: string;
  /** The registry host the image is pulled from (docker-credential-gcr is configured for it). */
  readonly registry: string;
  /** The project holding the TLS secrets. */
  readonly secretProject: string;
  /** Secret ids of the gateway certificate, its key and the modality CA (only with TLS). */
  readonly tlsSecrets?: { readonly certificate: string; readonly privateKey: string; readonly modalitiesCa: string };
}

/** The files written at boot, by absolute path: the three OrthancGatewayConfig files, the prepare script and the unit. */
export function bootFiles(p: GatewayBootProps): Array<{ path: string; permissions: string; content: string }> {
  const gen = p.config;
  return [
    { path: `${HOST_CONFIG_DIR}/orthanc.json`, permissions: '0644', content: gen.toJson() },
    { path: `${HOST_CONFIG_DIR}/forward.lua`, permissions: '0644', content: gen.toLua() },
    { path: `${HOST_CONFIG_DIR}/entrypoint.sh`, permissions: '0755', content: gen.toEntrypoint() },
    { path: PREPARE_SCRIPT, permissions: '0700', content: prepareScript(p) },
    { path: `/etc/systemd/system/${UNIT_NAME}`, permissions: '0644', content: unit(p) },
  ];
}

/**
 * The cloud-init document: `#cloud-config` followed by JSON (YAML reads
 * JSON). File contents are base64 (`encoding: b64`) so that nothing in them
 * (the Lua's `${NAME}` expansion, shell, JSON) is read by Terraform as an
 * interpolation or by YAML as syntax.
 */
export function cloudConfig(p: GatewayBootProps): string {
  const doc = {
    write_files: bootFiles(p).map((f) => ({
      path: f.path,
      permissions: f.permissions,
      owner: 'root:root',
      encoding: 'b64',
      content: Buffer.from(f.content, 'utf8').toString('base64'),
    })),
    runcmd: ['systemctl daemon-reload', `systemctl start ${UNIT_NAME}`],
  };
  const out = `#cloud-config\n${JSON.stringify(doc, undefined, 2)}\n`;
  if (out.includes('${') || out.includes('%{')) {
    throw new Error('nhs-backbone: the gateway cloud-config would be read by Terraform as a template');
  }
  return out;
}

function prepareScript(p: GatewayBootProps): string {
  const gen = p.config;
  const tls = p.tlsSecrets;
  const lowPort = gen.port < 1024 ? `
# The DIMSE port is below 1024 and the container runs unprivileged.
sysctl -w net.ipv4.ip_unprivileged_port_start=${gen.port}
` : '';
  const tlsPart = tls ? `
# 3. DICOM TLS material from Secret Manager (the VM's service account may read
#    these three secrets only), onto tmpfs: never on a disk, never in metadata.
token="$(curl -sSf --retry 5 -H 'Metadata-Flavor: Google' '${METADATA_TOKEN_URL}' \\
  | sed -n 's/.*"access_token" *: *"\\([^"]*\\)".*/\\1/p')"
[ -n "$token" ] || { echo 'nhs-backbone: no token from the metadata server' >&2; exit 1; }
mkdir -p "$TLS"
mountpoint -q "$TLS" || mount -t tmpfs -o size=1m,mode=0700,nosuid,nodev,noexec tmpfs "$TLS"
fetch() {
  curl -sSf --retry 5 -H "Authorization: Bearer $token" "${SECRET_MANAGER}/projects/${p.secretProject}/secrets/$1/versions/latest:access" \\
    | tr -d ' \\n' | sed -n 's/.*"data":"\\([^"]*\\)".*/\\1/p' | base64 -d > "$TLS/$2.new"
  [ -s "$TLS/$2.new" ] || { echo "nhs-backbone: secret $1 is empty or has no version" >&2; exit 1; }
  chown "$owner" "$TLS/$2.new"
  chmod 0400 "$TLS/$2.new"
  mv -f "$TLS/$2.new" "$TLS/$2"
}
fetch '${tls.certificate}' gateway.crt
fetch '${tls.privateKey}' gateway.key
fetch '${tls.modalitiesCa}' modalities-ca.crt
chown "$owner" "$TLS"
unset token
` : '';
  return `#!/bin/bash
# Generated by nhs-backbone for the DIMSE gateway ${gen.aeTitle}. Do not edit:
# change the backbone spec and synthesise again. Runs before every start of
# ${UNIT_NAME}; every step is idempotent.
set -euo pipefail
export HOME=/var/lib/nhs-backbone
IMAGE='${p.image}'
DEVICE='/dev/disk/by-id/google-${DATA_DEVICE_NAME}'
DATA='${HOST_DATA_DIR}'
TLS='${HOST_TLS_DIR}'
mkdir -p "$HOME"

# 1. The image, pulled with the VM's service account (Artifact Registry through
#    Private Google Access), and the unprivileged user it runs as.
docker-credential-gcr configure-docker --registries='${p.registry}'
docker pull "$IMAGE"
owner="$(docker run --rm --network none --entrypoint /usr/bin/id "$IMAGE" -u):$(docker run --rm --network none --entrypoint /usr/bin/id "$IMAGE" -g)"
${lowPort}
# 2. The disk where instances wait until the DICOM store has them: formatted
#    only when it holds no file system at all (blkid -p exit code 2), never
#    otherwise; mounted; owned by the gateway's user.
[ -b "$DEVICE" ] || { echo "nhs-backbone: $DEVICE is not attached" >&2; exit 1; }
rc=0; blkid -p "$DEVICE" >/dev/null 2>&1 || rc=$?
if [ "$rc" -eq 2 ]; then
  mkfs.ext4 -m 0 -E lazy_itable_init=0,lazy_journal_init=0,discard "$DEVICE"
elif [ "$rc" -ne 0 ]; then
  echo "nhs-backbone: cannot probe $DEVICE (blkid exit $rc); not formatting it" >&2; exit 1
fi
mkdir -p "$DATA"
mountpoint -q "$DATA" || mount -o defaults,discard,nosuid,nodev,noexec "$DEVICE" "$DATA"
mkdir -p "$DATA/db"
chown -R "$owner" "$DATA/db"
chmod 0700 "$DATA/db"
${tlsPart}`;
}

function unit(p: GatewayBootProps): string {
  const gen = p.config;
  const mounts = [
    `${HOST_CONFIG_DIR}/orthanc.json:${CONTAINER_CONFIG_DIR}/orthanc.json:ro`,
    `${HOST_CONFIG_DIR}/forward.lua:${CONTAINER_CONFIG_DIR}/forward.lua:ro`,
    `${HOST_CONFIG_DIR}/entrypoint.sh:${CONTAINER_CONFIG_DIR}/entrypoint.sh:ro`,
    ...(p.tlsSecrets ? [`${HOST_TLS_DIR}:${CONTAINER_TLS_DIR}:ro`] : []),
    `${HOST_DATA_DIR}/db:${CONTAINER_DATA_DIR}`,
  ];
  return `# Generated by nhs-backbone for the DIMSE gateway ${gen.aeTitle}. Do not edit.
[Unit]
Description=nhs-backbone DIMSE gateway ${gen.aeTitle} (Orthanc, DIMSE to DICOMweb)
Wants=network-online.target
After=network-online.target docker.service
Requires=docker.service
StartLimitIntervalSec=0

[Service]
Environment=HOME=/var/lib/nhs-backbone
ExecStartPre=/bin/bash ${PREPARE_SCRIPT}
ExecStartPre=-/usr/bin/docker rm -f orthanc-gateway
ExecStart=/usr/bin/docker run --rm --name orthanc-gateway --network host --read-only --tmpfs /tmp --cap-drop ALL --security-opt no-new-privileges ${mounts.map((m) => `-v ${m}`).join(' ')} ${p.image}
ExecStop=/usr/bin/docker stop -t 60 orthanc-gateway
Restart=always
RestartSec=10

[Install]
WantedBy=multi-user.target
`;
}
