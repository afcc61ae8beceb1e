import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { AppConfig } from '@tiergate/api-core';
import { PrismaService } from '@tiergate/api-db';
import { randomBytes } from 'node:crypto';
import { AccountsRepository } from '../accounts/accounts.repository.js';
import { AuditRepository } from '../audit/audit.repository.js';
import { PasswordHasher } from '../credentials/password-hasher.js';
import { TreeRepository } from '../tree/tree.repository.js';

const BOOTSTRAP_LOCK = 0x7467_6d73; // "tgms"

export interface BootstrapResult {
  created: boolean;
  masterId: string;
  /** Set only when the password was generated: it is shown this once. */
  generatedPassword?: string;
}

/**
 * First start creates the single MASTER. There is no default password: it comes from
 * MASTER_PASSWORD or is generated and printed once.
 */
@Injectable()
export class MasterBootstrapService implements OnApplicationBootstrap {
  private readonly logger = new Logger('Bootstrap');

  constructor(
    private readonly config: AppConfig,
    private readonly prisma: PrismaService,
    private readonly accounts: AccountsRepository,
    private readonly tree: TreeRepository,
    private readonly audit: AuditRepository,
    private readonly hasher: PasswordHasher,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const result = await this.ensureMaster();
    if (!result.created) return;
    if (result.generatedPassword) {
      // Printed straight to stdout, once; it is not kept anywhere in clear.
      process.stdout.write(
        `\n  Tiergate master account created.\n  username: ${this.config.masterUsername}\n  password: ${result.generatedPassword}\n  (shown once — set MASTER_PASSWORD to choose it yourself)\n\n`,
      );
    } else {
      this.logger.log(`master account "${this.config.masterUsername}" created with the password from MASTER_PASSWORD`);
    }
  }

  async ensureMaster(): Promise<BootstrapResult> {
    const existing = await this.accounts.findMaster();
    if (existing) return { created: false, masterId: existing.id };
    const generatedPassword = this.config.masterPassword ? undefined : randomBytes(18).toString('base64url');
    const passwordHash = await this.hasher.hash(this.config.masterPassword ?? generatedPassword!);
    // Replicas starting together: the advisory lock makes the check and the insert one step.
    return this.prisma.$transaction(async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(${BOOTSTRAP_LOCK}::bigint)`;
      const raced = await this.accounts.findMaster(tx);
      if (raced) return { created: false, masterId: raced.id };
      const master = await this.accounts.insert(tx, { kind: 'MASTER', name: 'Master', parentId: null });
      await this.tree.insertNode(tx, master.id, null);
      await this.accounts.insertCredential(tx, master.id, this.config.masterUsername, passwordHash);
      await this.audit.append(tx, { actorId: null, action: 'master.bootstrap', targetId: master.id, after: { username: this.config.masterUsername } });
      return { created: true, masterId: master.id, generatedPassword };
    });
  }
}
