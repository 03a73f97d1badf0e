import { App, IPolicyValidationPluginBeta1, Validations } from 'aws-cdk-lib';
import { Backbone } from './backbone';
import { AddressLock } from '../core/address-plan';
import { BackboneSpec } from '../core/backbone-spec';
import { withoutStackTraces } from '../core/traces';

/** What one cloud's synthesis produced. @internal */
export interface SynthSummary {
  readonly stacks: number;
  readonly resources: number;
  readonly largestTemplateBytes: number;
}

/**
 * The App every AWS synthesis uses (CLI and tests): deterministic, fast.
 * @internal
 */
export function newAwsApp(outdir?: string, plugins: IPolicyValidationPluginBeta1[] = []): App {
  const app = new App({
    outdir,
    analyticsReporting: false,
    // CDK's built-in CloudFormation linter costs ~0.3 s per stack (about a minute
    // for 209 trusts); the templates are checked by the schema test on a small
    // spec and by `nhs-backbone check` instead.
    builtinCloudFormationValidation: false,
    // tree.json (about 30 MB for 209 trusts, 15% of the synth) is for the CDK
    // console's construct view; nothing here or in `cdk deploy` reads it.
    treeMetadata: false,
    context: {
      // Deterministic output: no CDK version or path metadata that varies between runs.
      'aws:cdk:version-reporting': false,
      // No stack traces in the metadata: they hold absolute paths (output would
      // depend on the folder) and capturing one per resource is slow.
      'aws:cdk:disable-stack-trace': true,
      'aws:cdk:disable-creation-stack-traces': true,
    },
  });
  // Policy-validation plugins (e.g. the NhsCompliancePlugin) run on the written
  // templates at the end of app.synth(), which throws when one reports an error.
  if (plugins.length > 0) Validations.of(app).addPlugins(...plugins);
  return app;
}

/**
 * Synthesises the AWS backbone into a CDK cloud assembly at `outdir`. With
 * `plugins` (e.g. `[new NhsCompliancePlugin()]`), they check the templates as
 * they are written and the synth throws on an unacknowledged error.
 * @internal
 */
export function synthAws(
  spec: BackboneSpec, lock: AddressLock | undefined, outdir: string, plugins: IPolicyValidationPluginBeta1[] = [],
): SynthSummary {
  const app = newAwsApp(outdir, plugins);
  // No stack traces in the metadata: they hold this machine's paths.
  const assembly = withoutStackTraces(() => {
    new Backbone(app, 'Backbone', { spec, addressLock: lock });
    return app.synth();
  });
  let resources = 0;
  let largest = 0;
  for (const stack of assembly.stacks) {
    resources += Object.keys(stack.template.Resources ?? {}).length;
    largest = Math.max(largest, JSON.stringify(stack.template).length);
  }
  return { stacks: assembly.stacks.length, resources, largestTemplateBytes: largest };
}
