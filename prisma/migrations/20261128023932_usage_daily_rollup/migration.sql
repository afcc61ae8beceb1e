-- CreateTable
CREATE TABLE "usage_daily" (
    "account_id" UUID NOT NULL,
    "day" DATE NOT NULL,
    "model" VARCHAR(128) NOT NULL,
    "via_id" UUID NOT NULL,
    "requests" BIGINT NOT NULL,
    "tokens" BIGINT NOT NULL,
    "credits" BIGINT NOT NULL,
    "child_credits" BIGINT NOT NULL,

    CONSTRAINT "usage_daily_pkey" PRIMARY KEY ("account_id","day","model","via_id")
);

-- CreateIndex
CREATE INDEX "usage_charge_account_id_settled_at_request_id_idx" ON "usage_charge"("account_id", "settled_at", "request_id");

-- Fold the usage settled so far; from here on the persister folds each batch as it inserts it.
INSERT INTO "usage_daily" ("account_id", "day", "model", "via_id", "requests", "tokens", "credits", "child_credits")
SELECT c."account_id", (c."settled_at" AT TIME ZONE 'UTC')::date, r."model", COALESCE(b."account_id", c."account_id"),
       SUM(c."requests"), SUM(c."tokens"), SUM(c."credits"), COALESCE(SUM(b."credits"), 0)
FROM "usage_charge" c
JOIN "usage_record" r ON r."request_id" = c."request_id"
LEFT JOIN "usage_charge" b ON b."request_id" = c."request_id" AND b."depth" = c."depth" - 1
GROUP BY 1, 2, 3, 4;
