import { App } from 'cdktf';
import { Backbone } from './backbone';
import { AddressLock } from '../core/address-plan';
import { BackboneSpec } from '../core/backbone-spec';
import { countTerraform } from '../core/terraform-summary';
import { TraceCapture, withoutStackTraces } from '../core/traces';

/**
 * Synthesises the Azure backbone into the cdktf.out layout at `outdir`.
 * @internal
 */
export function synthAzure(spec: BackboneSpec, lock: AddressLock | undefined, outdir: string) {
  const app = new App({ outdir, stackTraces: false, hclOutput: false });
  withoutStackTraces(() => {
    new Backbone(app, 'backbone', { spec, addressLock: lock });
    app.synth();
  }, cdktfTraceCaptures());
  return countTerraform(outdir);
}

/**
 * cdktf's trace capturer (a full-depth stack trace per token, about half of
 * a national synth), when this cdktf version has it where 0.21 does.
 * @internal
 */
export function cdktfTraceCaptures(): TraceCapture[] {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const module = require('cdktf/lib/tokens/private/stack-trace');
    return typeof module?.captureStackTrace === 'function' ? [{ module, name: 'captureStackTrace' }] : [];
  } catch {
    return [];
  }
}
