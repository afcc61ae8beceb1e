import { type ValidationOptions, registerDecorator } from 'class-validator';

/** µc travel as integer strings in JSON (DESIGN §2); a safe JSON integer is accepted too. */
const INTEGER = /^-?(0|[1-9]\d{0,17})$/;
const NON_NEGATIVE = /^(0|[1-9]\d{0,17})$/;

function moneyDecorator(pattern: RegExp, what: string, options?: ValidationOptions) {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: 'isMicroCredits',
      target: target.constructor,
      propertyName,
      options: { message: `${propertyName} must be ${what} (µc, as a string of digits)`, ...options },
      validator: {
        validate: (value: unknown) =>
          (typeof value === 'string' && pattern.test(value)) ||
          (typeof value === 'number' && Number.isSafeInteger(value) && pattern.test(String(value))),
      },
    });
}

/** An integer amount of micro-credits, possibly negative (a grant may lower a limit). */
export const IsMicroCredits = (options?: ValidationOptions) => moneyDecorator(INTEGER, 'an integer', options);
/** A non-negative integer amount of micro-credits (a price, a limit, a code's value). */
export const IsNonNegativeMicroCredits = (options?: ValidationOptions) =>
  moneyDecorator(NON_NEGATIVE, 'a non-negative integer', options);

/** µc as sent by a client (validated above) → bigint. */
export function toMicroCredits(value: string | number): bigint {
  return BigInt(value);
}

/** µc → the JSON form: an integer string. */
export type MicroCredits = string;
