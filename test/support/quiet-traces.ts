/**
 * Runs `build` with stack traces formatted as nothing.
 *
 * cdktf captures a stack trace for every token it creates; under jest each
 * one is source-mapped frame by frame, which makes building a 210-stack
 * backbone take half a minute instead of seconds. The traces serve debugging
 * only and are not under test. The formatter is restored afterwards.
 */
export function withoutStackTraces<T>(build: () => T): T {
  const prepare = Error.prepareStackTrace;
  Error.prepareStackTrace = () => '';
  try {
    return build();
  } finally {
    Error.prepareStackTrace = prepare;
  }
}
