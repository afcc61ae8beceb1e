/**
 * The one access rule (DESIGN §1), as data. An actor may act on X iff X is a strict descendant
 * of the actor, or X is the actor itself for self-service. Anything not listed is denied.
 */
export type AccessAction =
  /** read the account, its quota, usage, children */
  | 'read'
  /** create an account under it */
  | 'create-child'
  /** be the new parent of a moved subtree */
  | 'adopt'
  | 'rename'
  /** suspend or resume */
  | 'suspend'
  /** move it (and its subtree) elsewhere */
  | 'move'
  /** grants, quota rules, oversell, price overrides: its parent only */
  | 'manage'
  /** API keys, password, own price list */
  | 'self-service';

/** Where the target sits relative to the actor. */
export type Relation = 'self' | 'child' | 'descendant';

export const ACCESS_POLICY: Readonly<Record<AccessAction, readonly Relation[]>> = {
  read: ['self', 'child', 'descendant'],
  'create-child': ['self', 'child', 'descendant'],
  adopt: ['self', 'child', 'descendant'],
  rename: ['child', 'descendant'],
  suspend: ['child', 'descendant'],
  move: ['child', 'descendant'],
  manage: ['child'],
  'self-service': ['self', 'child'],
};

export function relationOfDepth(depth: number): Relation {
  return depth === 0 ? 'self' : depth === 1 ? 'child' : 'descendant';
}

export function isAllowed(action: AccessAction, relation: Relation): boolean {
  return ACCESS_POLICY[action].includes(relation);
}
