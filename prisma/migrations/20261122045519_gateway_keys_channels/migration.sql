-- CreateEnum
CREATE TYPE "ApiKeyStatus" AS ENUM ('ACTIVE', 'REVOKED');

-- CreateEnum
CREATE TYPE "ChannelStatus" AS ENUM ('ENABLED', 'DISABLED_MANUAL', 'DISABLED_HEALTH');

-- CreateTable
CREATE TABLE "api_key" (
    "id" UUID NOT NULL,
    "account_id" UUID NOT NULL,
    "name" VARCHAR(120) NOT NULL,
    "prefix" VARCHAR(16) NOT NULL,
    "key_hash" CHAR(64) NOT NULL,
    "models" VARCHAR(128)[] DEFAULT ARRAY[]::VARCHAR(128)[],
    "ip_allow_list" VARCHAR(64)[] DEFAULT ARRAY[]::VARCHAR(64)[],
    "expires_at" TIMESTAMPTZ(3),
    "status" "ApiKeyStatus" NOT NULL DEFAULT 'ACTIVE',
    "allow_channel_pin" BOOLEAN NOT NULL DEFAULT false,
    "last_used_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "revoked_at" TIMESTAMPTZ(3),

    CONSTRAINT "api_key_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "channel" (
    "id" UUID NOT NULL,
    "name" VARCHAR(120) NOT NULL,
    "provider" VARCHAR(32) NOT NULL,
    "base_url" VARCHAR(500) NOT NULL,
    "models" VARCHAR(128)[] DEFAULT ARRAY[]::VARCHAR(128)[],
    "model_mapping" JSONB NOT NULL DEFAULT '{}',
    "priority" INTEGER NOT NULL DEFAULT 0,
    "weight" INTEGER NOT NULL DEFAULT 1,
    "tags" VARCHAR(64)[] DEFAULT ARRAY[]::VARCHAR(64)[],
    "cost_multiplier_bps" INTEGER NOT NULL DEFAULT 10000,
    "status" "ChannelStatus" NOT NULL DEFAULT 'ENABLED',
    "strategy" VARCHAR(24) NOT NULL DEFAULT 'weighted',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "channel_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "channel_key" (
    "id" UUID NOT NULL,
    "channel_id" UUID NOT NULL,
    "cipher_text" TEXT NOT NULL,
    "prefix" VARCHAR(8) NOT NULL DEFAULT '',
    "last4" VARCHAR(4) NOT NULL,
    "status" "ChannelStatus" NOT NULL DEFAULT 'ENABLED',
    "weight" INTEGER NOT NULL DEFAULT 1,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "channel_key_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "channel_event" (
    "id" BIGSERIAL NOT NULL,
    "channel_id" UUID NOT NULL,
    "key_id" UUID,
    "from" VARCHAR(24) NOT NULL,
    "to" VARCHAR(24) NOT NULL,
    "reason" VARCHAR(500) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "channel_event_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "api_key_key_hash_key" ON "api_key"("key_hash");

-- CreateIndex
CREATE INDEX "api_key_account_id_created_at_idx" ON "api_key"("account_id", "created_at");

-- CreateIndex
CREATE INDEX "channel_status_priority_idx" ON "channel"("status", "priority");

-- CreateIndex
CREATE INDEX "channel_key_channel_id_idx" ON "channel_key"("channel_id");

-- CreateIndex
CREATE INDEX "channel_event_channel_id_created_at_idx" ON "channel_event"("channel_id", "created_at");

-- AddForeignKey
ALTER TABLE "api_key" ADD CONSTRAINT "api_key_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "account"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "channel_key" ADD CONSTRAINT "channel_key_channel_id_fkey" FOREIGN KEY ("channel_id") REFERENCES "channel"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "channel_event" ADD CONSTRAINT "channel_event_channel_id_fkey" FOREIGN KEY ("channel_id") REFERENCES "channel"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- Channel events are a history, like the audit log: append-only (append_only_refuse_change is
-- defined by the ledger_and_pricing migration).
CREATE TRIGGER "channel_event_no_update_delete"
    BEFORE UPDATE OR DELETE ON "channel_event"
    FOR EACH ROW EXECUTE FUNCTION "append_only_refuse_change"();

CREATE TRIGGER "channel_event_no_truncate"
    BEFORE TRUNCATE ON "channel_event"
    FOR EACH STATEMENT EXECUTE FUNCTION "append_only_refuse_change"();
