import { TraceCapture, withoutStackTraces as quiet } from '../../src/core/traces';

/**
 * Builds the way the CLI's synth does: without stack traces. cdktf captures a
 * full-depth trace for every token; under jest each is also source-mapped
 * frame by frame, which makes a 210-stack backbone take half a minute instead
 * of seconds. The traces serve debugging only and are not under test.
 */
export function withoutStackTraces<T>(build: () => T): T {
  return quiet(build, cdktfCaptures);
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const cdktfCaptures: TraceCapture[] = [{ module: require('cdktf/lib/tokens/private/stack-trace'), name: 'captureStackTrace' }];
