-- CreateTable
CREATE TABLE "api_key_quota_rule" (
    "id" UUID NOT NULL,
    "api_key_id" UUID NOT NULL,
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

    CONSTRAINT "api_key_quota_rule_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "api_key_quota_rule_api_key_id_shape_key" ON "api_key_quota_rule"("api_key_id", "shape");

-- AddForeignKey
ALTER TABLE "api_key_quota_rule" ADD CONSTRAINT "api_key_quota_rule_api_key_id_fkey" FOREIGN KEY ("api_key_id") REFERENCES "api_key"("id") ON DELETE CASCADE ON UPDATE CASCADE;
