/**
 * Runs `build` with stack traces formatted as nothing, unless
 * NHS_BACKBONE_DEBUG is set.
 *
 * Constructs record a stack trace in some metadata (aws-cdk-lib's
 * `Validations.acknowledge` always does, with the absolute paths of the
 * machine's node_modules), and cdktf captures one per token. Without them the
 * output is the same on every machine and building is faster; the traces
 * serve debugging only. The formatter is restored afterwards.
 * @internal
 */
export function withoutStackTraces<T>(build: () => T): T {
  if (process.env.NHS_BACKBONE_DEBUG) return build();
  const prepare = Error.prepareStackTrace;
  Error.prepareStackTrace = () => '';
  try {
    return build();
  } finally {
    Error.prepareStackTrace = prepare;
  }
}
