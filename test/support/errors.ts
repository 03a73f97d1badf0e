import { BackboneError } from '../../src/core/errors';

/** Expects `fn` to throw a BackboneError (a user mistake, one line per problem) whose message matches. */
export function expectBackboneError(fn: () => unknown, pattern: RegExp): void {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(BackboneError.isBackboneError(err)).toBe(true);
  expect((err as Error).message).toMatch(pattern);
}
