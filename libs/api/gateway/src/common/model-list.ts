import { InvalidInputError } from '@tiergate/api-core';
import { MODEL_NAME } from '@tiergate/api-pricing';

/** Checks every name against the catalog's model-name rule; keeps the order, drops duplicates. */
export function normalizeModelList(models: readonly string[], field = 'models'): string[] {
  for (const model of models) {
    if (!MODEL_NAME.test(model)) throw new InvalidInputError('invalid_model', `${field}: "${model}" is not a valid model name`);
  }
  return [...new Set(models)];
}
