-- AlterTable
ALTER TABLE "account" ADD COLUMN     "rpm_limit" INTEGER,
ADD COLUMN     "tpm_limit" INTEGER;

-- AlterTable
ALTER TABLE "api_key" ADD COLUMN     "rpm_limit" INTEGER,
ADD COLUMN     "tpm_limit" INTEGER;
