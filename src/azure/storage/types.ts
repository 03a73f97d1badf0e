/** Where a store's time-based retention (WORM) policy applies on Azure. */
export enum ImmutabilityScope {
  /**
   * Version-level WORM: every blob version carries the policy (inherited from
   * the container's default), and the application can lengthen it per version.
   */
  VERSION = 'version',
  /**
   * Container-level WORM: one policy for the whole container; the only scope
   * on which Azure allows a container-wide legal hold.
   */
  CONTAINER = 'container',
}
