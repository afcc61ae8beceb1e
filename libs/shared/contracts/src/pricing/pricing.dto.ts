import { IsInt, IsObject, IsOptional, Max, Min } from 'class-validator';
import { IsNonNegativeMicroCredits, type MicroCredits } from '../common/money.js';

/** Unit prices in µc: per 1M tokens, per request, per image. */
export class ModelPriceDto {
  @IsNonNegativeMicroCredits()
  inputPer1M!: MicroCredits;

  @IsNonNegativeMicroCredits()
  outputPer1M!: MicroCredits;

  @IsOptional()
  @IsNonNegativeMicroCredits()
  cachedInputPer1M?: MicroCredits;

  @IsOptional()
  @IsNonNegativeMicroCredits()
  perRequest?: MicroCredits;

  @IsOptional()
  @IsNonNegativeMicroCredits()
  perImage?: MicroCredits;
}

export class PriceListDto {
  /** 10000 = ×1.0 (sell at cost), 12000 = ×1.2. */
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  markupBps!: number;

  /** Absolute prices per model, for every child (each entry is validated as a ModelPriceDto). */
  @IsOptional()
  @IsObject()
  overrides?: Record<string, ModelPriceDto>;

  /** Absolute prices per child account id, per model. */
  @IsOptional()
  @IsObject()
  childOverrides?: Record<string, Record<string, ModelPriceDto>>;
}

export interface ModelPriceView {
  inputPer1M: MicroCredits;
  outputPer1M: MicroCredits;
  cachedInputPer1M: MicroCredits | null;
  perRequest: MicroCredits | null;
  perImage: MicroCredits | null;
}

export interface CatalogEntryView extends ModelPriceView {
  model: string;
  updatedAt: string;
}

export interface PriceListView {
  accountId: string;
  markupBps: number;
  overrides: Record<string, ModelPriceView>;
  childOverrides: Record<string, Record<string, ModelPriceView>>;
}

/** What one account pays per model, and (for a parent) what it charges its children and earns. */
export interface EffectivePriceView {
  model: string;
  pays: ModelPriceView;
  charges?: ModelPriceView;
}
