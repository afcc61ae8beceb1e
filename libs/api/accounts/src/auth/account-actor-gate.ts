import { Injectable } from '@nestjs/common';
import { ActorGate, ForbiddenError, UnauthenticatedError } from '@tiergate/api-core';
import { TreeRepository } from '../tree/tree.repository.js';

/** Checked on every authenticated call: a suspension anywhere above takes effect at once. */
@Injectable()
export class AccountActorGate extends ActorGate {
  constructor(private readonly tree: TreeRepository) {
    super();
  }

  async assertActive(accountId: string): Promise<void> {
    const status = await this.tree.statusOfChain(accountId);
    if (status === null) throw new UnauthenticatedError('invalid_token', 'The account no longer exists');
    if (status === 'BLOCKED') throw new ForbiddenError('account_suspended', 'This account, or one above it, is suspended');
  }
}
