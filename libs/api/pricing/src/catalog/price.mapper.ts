import type { ModelPriceDto, ModelPriceView } from '@tiergate/contracts';

/** The price columns shared by the catalog and overrides. */
export interface PriceColumns {
  inputPer1M: bigint;
  outputPer1M: bigint;
  cachedInputPer1M: bigint | null;
  perRequest: bigint | null;
  perImage: bigint | null;
}

export function priceColumnsOf(dto: ModelPriceDto): PriceColumns {
  const opt = (v: string | undefined) => (v === undefined ? null : BigInt(v));
  return {
    inputPer1M: BigInt(dto.inputPer1M),
    outputPer1M: BigInt(dto.outputPer1M),
    cachedInputPer1M: opt(dto.cachedInputPer1M),
    perRequest: opt(dto.perRequest),
    perImage: opt(dto.perImage),
  };
}

export function priceView(p: PriceColumns): ModelPriceView {
  const opt = (v: bigint | null) => (v === null ? null : v.toString());
  return {
    inputPer1M: p.inputPer1M.toString(),
    outputPer1M: p.outputPer1M.toString(),
    cachedInputPer1M: opt(p.cachedInputPer1M),
    perRequest: opt(p.perRequest),
    perImage: opt(p.perImage),
  };
}

/** Model names as the catalog keys them: what clients send, bounded and without control characters. */
export const MODEL_NAME = /^[A-Za-z0-9][A-Za-z0-9._:/@+-]{0,127}$/;
