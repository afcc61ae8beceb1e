import { describe, expect, it } from 'vitest';
import { ACCESS_POLICY, type AccessAction, isAllowed, relationOfDepth } from './access-policy.js';

describe('access policy', () => {
  it('places targets by depth below the actor', () => {
    expect([0, 1, 2, 9].map(relationOfDepth)).toEqual(['self', 'child', 'descendant', 'descendant']);
  });

  it('never lets an actor rename, suspend, move or manage itself', () => {
    for (const action of ['rename', 'suspend', 'move', 'manage'] as AccessAction[]) {
      expect(isAllowed(action, 'self'), action).toBe(false);
    }
  });

  it('lets only the direct parent manage money settings; any ancestor reads and suspends', () => {
    expect(isAllowed('manage', 'child')).toBe(true);
    expect(isAllowed('manage', 'descendant')).toBe(false);
    expect(isAllowed('read', 'descendant')).toBe(true);
    expect(isAllowed('suspend', 'descendant')).toBe(true);
    expect(isAllowed('read', 'self')).toBe(true);
    expect(isAllowed('create-child', 'self')).toBe(true);
  });

  it('lists a rule for every action', () => {
    expect(Object.keys(ACCESS_POLICY).sort()).toEqual(
      ['adopt', 'create-child', 'manage', 'move', 'read', 'rename', 'self-service', 'suspend'].sort(),
    );
  });
});
