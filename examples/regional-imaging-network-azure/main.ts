// One ICB's shared imaging network on Azure (CDK for Terraform), written against
// the library's public API. Synthesise: `npx ts-node main.ts`, then
// `terraform -chdir=cdktf.out/stacks/<stack> init && ... apply`, hub first.
import * as path from 'path';
import { App } from 'cdktf';
import { azure, core } from '../../src';

/** Builds the blueprint into a cdktf app (the tests call this). */
export function build(outdir?: string): App {
  const file = path.join(__dirname, 'backbone.yaml');
  const spec = core.BackboneSpec.fromFile(file);
  const addressLock = core.BackboneSpec.lockBeside(file); // the slots `nhs-backbone synth` recorded
  const app = new App({ outdir, stackTraces: false });
  const backbone = new azure.Backbone(app, 'backbone', { spec, addressLock });

  // The five trusts share one DICOM service: the AI triage app's identity in each
  // trust was granted DICOM Data Reader on it from the spec (`dicomweb: read`).
  const network = spec.imagingNetworkOf('RTK');
  backbone.dicomStore(network.id);
  return app;
}

if (require.main === module) build().synth();
