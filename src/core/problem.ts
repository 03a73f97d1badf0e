/**
 * One problem found in a backbone spec or in construct props.
 */
export interface SpecProblem {
  /** Where the problem is: a spec path such as `trusts[3].odsCode`, or a prop path such as `props.hscn.peerAddress`. */
  readonly path: string;
  /** What was wrong and what is allowed, in one readable sentence. */
  readonly message: string;
}
