// The national hub on Google Cloud (CDK for Terraform), written against the
// library's public API. Synthesise: `npx ts-node main.ts`.
import * as path from 'path';
import { App } from 'cdktf';
import { core, gcp } from '../../src';

/** Builds the blueprint into a cdktf app (the tests call this). */
export function build(outdir?: string): App {
  const file = path.join(__dirname, 'backbone.yaml');
  const spec = core.BackboneSpec.fromFile(file);
  const addressLock = core.BackboneSpec.lockBeside(file); // the slots `nhs-backbone synth` recorded
  const app = new App({ outdir, stackTraces: false });
  new gcp.Backbone(app, 'backbone', { spec, addressLock });
  return app;
}

if (require.main === module) build().synth();
