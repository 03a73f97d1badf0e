// A single trust's backbone on AWS, written against the library's public API.
// Deploy: `npx cdk deploy --all` (cdk.json runs this file).
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { aws, core } from '../../src';

/** Builds the blueprint into a CDK app (the tests call this; `cdk` runs it through cdk.json). */
export function build(outdir?: string): App {
  const file = path.join(__dirname, 'backbone.yaml');
  const spec = core.BackboneSpec.fromFile(file);
  const addressLock = core.BackboneSpec.lockBeside(file); // the slots `nhs-backbone synth` recorded
  const app = new App({ outdir });
  const backbone = new aws.Backbone(app, 'Backbone', { spec, addressLock, account: process.env.CDK_DEFAULT_ACCOUNT });

  // The trust's reporting worklist reads its clinical records as well as its images
  // (DICOMweb read comes from the spec's `dicomweb: read`).
  backbone.store('RJ1', 'clinical-records').grantRead(backbone.identity('RJ1', 'reporting-worklist'));
  return app;
}

if (require.main === module) build().synth();
