/**
 * cdktf captures a stack trace for every token it creates; under jest each
 * one is source-mapped frame by frame, which makes building a 210-stack
 * backbone take half a minute instead of seconds. The tests build big
 * backbones the way the CLI's synth does: with traces formatted as nothing.
 */
export { withoutStackTraces } from '../../src/core/traces';
