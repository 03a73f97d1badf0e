import { App } from 'cdktf';
import { Backbone } from './backbone';
import { AddressLock } from '../core/address-plan';
import { BackboneSpec } from '../core/backbone-spec';
import { countTerraform } from '../core/terraform-summary';

/**
 * Synthesises the Azure backbone into the cdktf.out layout at `outdir`.
 * @internal
 */
export function synthAzure(spec: BackboneSpec, lock: AddressLock | undefined, outdir: string) {
  const app = new App({ outdir, stackTraces: false, hclOutput: false });
  new Backbone(app, 'backbone', { spec, addressLock: lock });
  app.synth();
  return countTerraform(outdir);
}
