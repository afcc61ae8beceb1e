import type { AccountView } from '@tiergate/contracts';
import type { Account } from '@tiergate/api-db';

/** Controllers return views, never ORM rows. */
export function toAccountView(account: Account): AccountView {
  return {
    id: account.id,
    kind: account.kind,
    name: account.name,
    parentId: account.parentId,
    status: account.status,
    createdAt: new Date(account.createdAt).toISOString(),
  };
}
