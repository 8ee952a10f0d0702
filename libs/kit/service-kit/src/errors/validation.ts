import { Param, ParseUUIDPipe, ValidationPipe, type ValidationError } from '@nestjs/common';
import { HttpProblem, ProblemTypes, type ProblemFieldError } from './http-problem';

/**
 * class-validator's errors as field problems, one per failed constraint, with dotted paths into
 * nested objects and arrays (`contacts.0.email`); a property the DTO does not declare is reported
 * as `unknown field`.
 */
export function fieldErrorsOf(errors: readonly ValidationError[], parentPath = ''): ProblemFieldError[] {
  const result: ProblemFieldError[] = [];
  for (const error of errors) {
    const field = parentPath ? `${parentPath}.${error.property}` : error.property;
    for (const [constraint, message] of Object.entries(error.constraints ?? {})) {
      result.push({ field, message: constraint === 'whitelistValidation' ? 'unknown field' : message });
    }
    if (error.children?.length) result.push(...fieldErrorsOf(error.children, field));
  }
  return result;
}

/** The 400 problem for failed validation. */
export function validationProblem(errors: readonly ValidationError[]): HttpProblem {
  const fieldErrors = fieldErrorsOf(errors);
  const fields = [...new Set(fieldErrors.map((e) => e.field))];
  return new HttpProblem(400, `the request is invalid: ${fields.join(', ')}`, { type: ProblemTypes.validation, errors: fieldErrors });
}

/**
 * The kit's global pipe: validates and transforms `@Body()`, `@Query()` and `@Param()` DTOs with
 * class-validator (whitelist, unknown properties refused, plain objects turned into DTO instances).
 * Numbers in a query string stay strings unless the DTO says `@Type(() => Number)`.
 */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    exceptionFactory: (errors: ValidationError[]) => validationProblem(errors),
  });
}

/** `@UuidParam('id') id: string`: a path parameter that must be a UUID; otherwise a 400 naming it. */
export function UuidParam(name: string): ParameterDecorator {
  return Param(
    name,
    new ParseUUIDPipe({
      exceptionFactory: () =>
        new HttpProblem(400, `the request is invalid: ${name}`, {
          type: ProblemTypes.validation,
          errors: [{ field: name, message: `${name} must be a UUID` }],
        }),
    }),
  );
}
