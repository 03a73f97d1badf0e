// One spec on AWS, Azure and Google Cloud, written against the public API.
// `npx nhs-backbone synth backbone.yaml --cloud all` does the same from the spec alone.
import * as path from 'path';
import * as awsCdk from 'aws-cdk-lib';
import * as cdktf from 'cdktf';
import { aws, azure, core, gcp } from '../../src';

/** The three apps of the blueprint, one per cloud, each writing to its own folder under `outdir`. */
export function build(outdir: string): { aws: awsCdk.App; azure: cdktf.App; gcp: cdktf.App } {
  const file = path.join(__dirname, 'backbone.yaml');
  const spec = core.BackboneSpec.fromFile(file);
  const addressLock = core.BackboneSpec.lockBeside(file);
  const awsApp = new awsCdk.App({ outdir: path.join(outdir, 'aws') });
  new aws.Backbone(awsApp, 'Backbone', { spec, addressLock });
  const azureApp = new cdktf.App({ outdir: path.join(outdir, 'azure'), stackTraces: false });
  new azure.Backbone(azureApp, 'backbone', { spec, addressLock });
  const gcpApp = new cdktf.App({ outdir: path.join(outdir, 'gcp'), stackTraces: false });
  new gcp.Backbone(gcpApp, 'backbone', { spec, addressLock });
  return { aws: awsApp, azure: azureApp, gcp: gcpApp };
}

if (require.main === module) {
  const apps = build(path.join(__dirname, 'out'));
  apps.aws.synth();
  apps.azure.synth();
  apps.gcp.synth();
}
