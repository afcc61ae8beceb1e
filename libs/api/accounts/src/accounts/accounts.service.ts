import { Injectable } from '@nestjs/common';
import { type Actor, ConflictError, InvalidInputError, InvalidationBus } from '@tiergate/api-core';
import { type Account, PrismaService } from '@tiergate/api-db';
import {
  type AccountView,
  CHILD_KINDS_OF,
  type CreateAccountDto,
  type MoveAccountDto,
  type Page,
  type UpdateAccountDto,
} from '@tiergate/contracts';
import { AccessService } from '../access/access.service.js';
import { AuditRepository } from '../audit/audit.repository.js';
import { PasswordHasher } from '../credentials/password-hasher.js';
import { TreeRepository } from '../tree/tree.repository.js';
import { toAccountView } from './account.mapper.js';
import { AccountsRepository } from './accounts.repository.js';

export interface RequestMeta {
  requestId?: string;
  ip?: string;
}

function assertChildKind(parent: Pick<Account, 'kind'>, kind: Account['kind']): void {
  if (!CHILD_KINDS_OF[parent.kind].includes(kind)) {
    const allowed = CHILD_KINDS_OF[parent.kind];
    throw new InvalidInputError(
      'kind_not_allowed',
      allowed.length === 0
        ? `A ${parent.kind} account cannot have children`
        : `A ${kind} cannot be placed under a ${parent.kind}; allowed: ${allowed.join(', ')}`,
    );
  }
}

@Injectable()
export class AccountsService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly access: AccessService,
    private readonly accounts: AccountsRepository,
    private readonly tree: TreeRepository,
    private readonly audit: AuditRepository,
    private readonly hasher: PasswordHasher,
    private readonly bus: InvalidationBus,
  ) {}

  async create(actor: Actor, dto: CreateAccountDto, meta: RequestMeta = {}): Promise<AccountView> {
    const parentId = dto.parentId ?? actor.accountId;
    const { account: parent } = await this.access.requireAccess(actor, parentId, 'create-child');
    assertChildKind(parent, dto.kind);
    if (await this.tree.isBlocked(parent.id)) {
      throw new ConflictError('parent_suspended', 'Accounts cannot be created under a suspended account');
    }
    const passwordHash = await this.hasher.hash(dto.password);
    const username = dto.username.toLowerCase();
    const created = await this.prisma.$transaction(async (tx) => {
      const account = await this.accounts.insert(tx, { kind: dto.kind, name: dto.name, parentId: parent.id });
      await this.tree.insertNode(tx, account.id, parent.id);
      await this.accounts.insertCredential(tx, account.id, username, passwordHash);
      await this.audit.append(tx, {
        actorId: actor.accountId,
        action: 'account.create',
        targetId: account.id,
        after: { ...toAccountView(account), username },
        ...meta,
      });
      return account;
    });
    return toAccountView(created);
  }

  async get(actor: Actor, id: string): Promise<AccountView> {
    const { account } = await this.access.requireAccess(actor, id, 'read');
    return toAccountView(account);
  }

  async children(actor: Actor, id: string, limit = 50, cursor?: string): Promise<Page<AccountView>> {
    await this.access.requireAccess(actor, id, 'read');
    const page = await this.accounts.childrenPage(id, limit, cursor);
    return { items: page.items.map(toAccountView), nextCursor: page.nextCursor };
  }

  async update(actor: Actor, id: string, dto: UpdateAccountDto, meta: RequestMeta = {}): Promise<AccountView> {
    if (dto.name === undefined && dto.status === undefined) {
      throw new InvalidInputError('empty_update', 'Send at least one of name, status');
    }
    // Each field needs its own right: renaming and suspending are separate actions.
    if (dto.name !== undefined) await this.access.requireAccess(actor, id, 'rename');
    const { account: before } = await this.access.requireAccess(actor, id, dto.status !== undefined ? 'suspend' : 'read');
    const updated = await this.prisma.$transaction(async (tx) => {
      const account = await this.accounts.update(tx, id, { name: dto.name, status: dto.status });
      const action = dto.status === undefined ? 'account.rename' : dto.status === 'SUSPENDED' ? 'account.suspend' : 'account.resume';
      await this.audit.append(tx, {
        actorId: actor.accountId,
        action: dto.name !== undefined && dto.status !== undefined ? 'account.update' : action,
        targetId: id,
        before: toAccountView(before),
        after: toAccountView(account),
        ...meta,
      });
      return account;
    });
    // Chains cached by the relay and API keys cached by their authenticator drop at once.
    if (dto.status !== undefined) await this.bus.publish({ kind: 'account', id });
    return toAccountView(updated);
  }

  async move(actor: Actor, id: string, dto: MoveAccountDto, meta: RequestMeta = {}): Promise<AccountView> {
    const { account: before } = await this.access.requireAccess(actor, id, 'move');
    const { account: newParent } = await this.access.requireAccess(actor, dto.parentId, 'adopt');
    assertChildKind(newParent, before.kind);
    if (before.parentId === newParent.id) return toAccountView(before);
    const moved = await this.prisma.$transaction(async (tx) => {
      await this.tree.move(tx, id, newParent.id);
      const account = await tx.account.findUniqueOrThrow({ where: { id } });
      await this.audit.append(tx, {
        actorId: actor.accountId,
        action: 'account.move',
        targetId: id,
        before: toAccountView(before),
        after: toAccountView(account),
        ...meta,
      });
      return account;
    });
    await this.bus.publish({ kind: 'account', id });
    return toAccountView(moved);
  }
}
