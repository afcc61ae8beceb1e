-- CreateEnum
CREATE TYPE "QuotaUnit" AS ENUM ('CREDITS', 'REQUESTS', 'TOKENS');

-- CreateEnum
CREATE TYPE "QuotaWindowKind" AS ENUM ('LIFETIME', 'CALENDAR', 'FIXED_INTERVAL');

-- CreateEnum
CREATE TYPE "CalendarPeriod" AS ENUM ('DAY', 'WEEK', 'MONTH');

-- AlterTable
ALTER TABLE "account" ADD COLUMN     "oversell" BOOLEAN NOT NULL DEFAULT false;

-- CreateTable
CREATE TABLE "quota_rule" (
    "id" UUID NOT NULL,
    "account_id" UUID NOT NULL,
    "unit" "QuotaUnit" NOT NULL,
    "window_kind" "QuotaWindowKind" NOT NULL,
    "calendar_period" "CalendarPeriod",
    "interval_hours" INTEGER,
    "anchor" TIMESTAMPTZ(3),
    "timezone" VARCHAR(64),
    "shape" VARCHAR(200) NOT NULL,
    "limit_value" BIGINT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "quota_rule_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "grant_journal" (
    "id" BIGSERIAL NOT NULL,
    "granter_id" UUID NOT NULL,
    "account_id" UUID NOT NULL,
    "delta" BIGINT NOT NULL,
    "limit_after" BIGINT NOT NULL,
    "note" VARCHAR(500),
    "external_ref" VARCHAR(200),
    "code_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "grant_journal_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "redemption_code" (
    "id" UUID NOT NULL,
    "issuer_id" UUID NOT NULL,
    "batch_id" UUID NOT NULL,
    "code_hash" CHAR(64) NOT NULL,
    "hint" VARCHAR(16) NOT NULL,
    "value" BIGINT NOT NULL,
    "expires_at" TIMESTAMPTZ(3),
    "redeemed_by" UUID,
    "redeemed_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "redemption_code_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "model_price" (
    "model" VARCHAR(128) NOT NULL,
    "input_per_1m" BIGINT NOT NULL,
    "output_per_1m" BIGINT NOT NULL,
    "cached_input_per_1m" BIGINT,
    "per_request" BIGINT,
    "per_image" BIGINT,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "model_price_pkey" PRIMARY KEY ("model")
);

-- CreateTable
CREATE TABLE "price_list" (
    "account_id" UUID NOT NULL,
    "markup_bps" INTEGER NOT NULL DEFAULT 10000,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "price_list_pkey" PRIMARY KEY ("account_id")
);

-- CreateTable
CREATE TABLE "price_override" (
    "account_id" UUID NOT NULL,
    "scope" VARCHAR(36) NOT NULL,
    "model" VARCHAR(128) NOT NULL,
    "input_per_1m" BIGINT NOT NULL,
    "output_per_1m" BIGINT NOT NULL,
    "cached_input_per_1m" BIGINT,
    "per_request" BIGINT,
    "per_image" BIGINT,

    CONSTRAINT "price_override_pkey" PRIMARY KEY ("account_id","scope","model")
);

-- CreateTable
CREATE TABLE "usage_record" (
    "request_id" VARCHAR(64) NOT NULL,
    "account_id" UUID NOT NULL,
    "api_key_id" UUID,
    "channel_id" UUID,
    "model" VARCHAR(128) NOT NULL,
    "input_tokens" BIGINT NOT NULL,
    "cached_tokens" BIGINT NOT NULL,
    "output_tokens" BIGINT NOT NULL,
    "status" VARCHAR(24) NOT NULL,
    "settled_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "usage_record_pkey" PRIMARY KEY ("request_id")
);

-- CreateTable
CREATE TABLE "usage_charge" (
    "request_id" VARCHAR(64) NOT NULL,
    "account_id" UUID NOT NULL,
    "depth" INTEGER NOT NULL,
    "credits" BIGINT NOT NULL,
    "tokens" BIGINT NOT NULL,
    "requests" BIGINT NOT NULL,
    "settled_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "usage_charge_pkey" PRIMARY KEY ("request_id","account_id")
);

-- CreateIndex
CREATE UNIQUE INDEX "quota_rule_account_id_shape_key" ON "quota_rule"("account_id", "shape");

-- CreateIndex
CREATE INDEX "grant_journal_account_id_created_at_idx" ON "grant_journal"("account_id", "created_at");

-- CreateIndex
CREATE INDEX "grant_journal_granter_id_created_at_idx" ON "grant_journal"("granter_id", "created_at");

-- CreateIndex
CREATE UNIQUE INDEX "redemption_code_code_hash_key" ON "redemption_code"("code_hash");

-- CreateIndex
CREATE INDEX "redemption_code_issuer_id_created_at_idx" ON "redemption_code"("issuer_id", "created_at");

-- CreateIndex
CREATE INDEX "usage_record_account_id_settled_at_idx" ON "usage_record"("account_id", "settled_at");

-- CreateIndex
CREATE INDEX "usage_charge_account_id_settled_at_idx" ON "usage_charge"("account_id", "settled_at");

-- AddForeignKey
ALTER TABLE "quota_rule" ADD CONSTRAINT "quota_rule_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "account"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "price_list" ADD CONSTRAINT "price_list_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "account"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "price_override" ADD CONSTRAINT "price_override_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "price_list"("account_id") ON DELETE CASCADE ON UPDATE CASCADE;

-- The grant journal is append-only, like the audit log: a correction is a new grant.
CREATE FUNCTION "append_only_refuse_change"() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege',
              HINT = 'rows can only be inserted';
END;
$$;

CREATE TRIGGER "grant_journal_no_update_delete"
    BEFORE UPDATE OR DELETE ON "grant_journal"
    FOR EACH ROW EXECUTE FUNCTION "append_only_refuse_change"();

CREATE TRIGGER "grant_journal_no_truncate"
    BEFORE TRUNCATE ON "grant_journal"
    FOR EACH STATEMENT EXECUTE FUNCTION "append_only_refuse_change"();
