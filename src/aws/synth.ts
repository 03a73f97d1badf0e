import { App } from 'aws-cdk-lib';
import { Backbone } from './backbone';
import { AddressLock } from '../core/address-plan';
import { BackboneSpec } from '../core/backbone-spec';

/** What one cloud's synthesis produced. @internal */
export interface SynthSummary {
  readonly stacks: number;
  readonly resources: number;
  readonly largestTemplateBytes: number;
}

/**
 * Synthesises the AWS backbone into a CDK cloud assembly at `outdir`.
 * @internal
 */
export function synthAws(spec: BackboneSpec, lock: AddressLock | undefined, outdir: string): SynthSummary {
  const app = new App({
    outdir,
    analyticsReporting: false,
    context: {
      // Deterministic output: no CDK version or path metadata that varies between runs.
      'aws:cdk:version-reporting': false,
    },
  });
  new Backbone(app, 'Backbone', { spec, addressLock: lock });
  const assembly = app.synth();
  let resources = 0;
  let largest = 0;
  for (const stack of assembly.stacks) {
    resources += Object.keys(stack.template.Resources ?? {}).length;
    largest = Math.max(largest, JSON.stringify(stack.template).length);
  }
  return { stacks: assembly.stacks.length, resources, largestTemplateBytes: largest };
}
