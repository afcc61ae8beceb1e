import { ValidationPipe } from '@nestjs/common';
import { InvalidInputError } from '../errors/domain.error.js';

/** Whitelist and refuse unknown fields; one readable message listing every problem. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => {
      const messages = errors.flatMap((e) => collect(e, ''));
      return new InvalidInputError('invalid_request', messages.join('; ') || 'Invalid request');
    },
  });
}

interface ValidationErrorLike {
  property: string;
  constraints?: Record<string, string>;
  children?: ValidationErrorLike[];
}

function collect(error: ValidationErrorLike, path: string): string[] {
  const here = path ? `${path}.${error.property}` : error.property;
  const own = Object.values(error.constraints ?? {}).map((m) =>
    m.startsWith(`property ${error.property} should not exist`) ? `unknown field "${here}"` : m.replace(error.property, here),
  );
  return [...own, ...(error.children ?? []).flatMap((c) => collect(c, here))];
}
