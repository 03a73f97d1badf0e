/**
 * A function a library calls to capture a stack trace, on the module object
 * that exports it (`module[name]`), to be replaced by one returning no frames
 * while building.
 * @internal
 */
export interface TraceCapture {
  readonly module: { [name: string]: unknown };
  readonly name: string;
}

/**
 * Runs `build` with stack traces formatted as nothing and the given trace
 * capturers returning no frames, unless NHS_BACKBONE_DEBUG is set.
 *
 * Constructs record a stack trace in some metadata (aws-cdk-lib's
 * `Validations.acknowledge` always does, with the absolute paths of the
 * machine's node_modules), and cdktf captures a full-depth one for every
 * token (about half of a 209-trust Terraform synth). Without them the output
 * is the same on every machine and building is several times faster; the
 * traces serve debugging only. Everything is restored afterwards.
 * @internal
 */
export function withoutStackTraces<T>(build: () => T, captures: TraceCapture[] = []): T {
  if (process.env.NHS_BACKBONE_DEBUG) return build();
  const prepare = Error.prepareStackTrace;
  const saved = captures.map((c) => c.module[c.name]);
  Error.prepareStackTrace = () => '';
  for (const c of captures) c.module[c.name] = () => [];
  try {
    return build();
  } finally {
    Error.prepareStackTrace = prepare;
    captures.forEach((c, i) => { c.module[c.name] = saved[i]; });
  }
}
