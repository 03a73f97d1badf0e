import { existsSync } from 'fs';
import * as path from 'path';
import { aws_ecr_assets as ecrAssets, aws_ecs as ecs } from 'aws-cdk-lib';
import { BackboneError } from '../../core/errors';

// The DIMSE gateway's default image. Not re-exported from index.ts: not part
// of the jsii API.

/**
 * The folder of the gateway image's Dockerfile, docker/orthanc-gateway at the
 * package root. Resolved from this file, three folders up, so that it is the
 * same from src/aws/imaging (tests, ts-node) and lib/aws/imaging (the compiled
 * package). The package must ship docker/orthanc-gateway for this default.
 */
export const DIMSE_GATEWAY_IMAGE_DIRECTORY = path.join(__dirname, '..', '..', '..', 'docker', 'orthanc-gateway');

/**
 * The default gateway image: docker/orthanc-gateway built as a CDK asset
 * (linux/amd64). Staging at synth copies the folder into the cloud assembly
 * and needs no Docker; the build happens at `cdk deploy` (cdk-assets).
 */
export function defaultGatewayImage(): ecs.ContainerImage {
  if (!existsSync(path.join(DIMSE_GATEWAY_IMAGE_DIRECTORY, 'Dockerfile'))) {
    throw BackboneError.of('image', `is not given and ${DIMSE_GATEWAY_IMAGE_DIRECTORY}/Dockerfile is missing: give a pinned image URI`);
  }
  return ecs.ContainerImage.fromAsset(DIMSE_GATEWAY_IMAGE_DIRECTORY, { platform: ecrAssets.Platform.LINUX_AMD64 });
}
