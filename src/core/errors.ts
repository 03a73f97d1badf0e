import { SpecProblem } from './problem';

export { SpecProblem };

/** Formats a problem as the single line the CLI prints: `path: message`. */
export function formatProblem(p: SpecProblem): string {
  return p.path ? `${p.path}: ${p.message}` : p.message;
}

/**
 * The error every part of the library throws for a user mistake (bad spec,
 * bad props). It carries every problem found, each with its path, so that
 * callers (and the CLI) can print one line per problem and no stack trace.
 *
 * Not part of the jsii API (jsii cannot export subclasses of Error); import it
 * from `nhs-backbone/lib/core/errors` and test with `BackboneError.isBackboneError`.
 */
export class BackboneError extends Error {
  /** True for any BackboneError, also across copies of the library. */
  public static isBackboneError(x: unknown): x is BackboneError {
    return typeof x === 'object' && x !== null && (x as any)[BACKBONE_ERROR_SYMBOL] === true;
  }

  /** Throws one error for a single problem. */
  public static of(path: string, message: string): BackboneError {
    return new BackboneError([{ path, message }]);
  }

  public readonly problems: SpecProblem[];

  constructor(problems: SpecProblem[]) {
    super(problems.map(formatProblem).join('\n'));
    Object.setPrototypeOf(this, BackboneError.prototype);
    Object.defineProperty(this, BACKBONE_ERROR_SYMBOL, { value: true });
    this.name = 'BackboneError';
    this.problems = problems;
  }
}

const BACKBONE_ERROR_SYMBOL = Symbol.for('nhs-backbone.BackboneError');

/**
 * Collects problems (and warnings) while validating, so that every problem is
 * reported at once rather than the first one only.
 */
export class ProblemCollector {
  public readonly problems: SpecProblem[] = [];
  public readonly warnings: SpecProblem[] = [];

  public error(path: string, message: string): void {
    this.problems.push({ path, message });
  }

  public warn(path: string, message: string): void {
    this.warnings.push({ path, message });
  }

  public get ok(): boolean {
    return this.problems.length === 0;
  }

  /** Throws a BackboneError listing every problem collected, if there is any. */
  public throwIfAny(): void {
    if (this.problems.length > 0) {
      throw new BackboneError(this.problems);
    }
  }
}

/**
 * The entry of a map, or a BackboneError naming `path` when there is none:
 * the one way the backbones look up a trust's or an app's parts.
 * @internal
 */
export function entryOf<V>(map: Map<string, V>, key: string, path: string, message: string): V {
  const v = map.get(key);
  if (v === undefined) throw BackboneError.of(path, message);
  return v;
}
