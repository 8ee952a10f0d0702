import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { validationProblem } from '@crm/service-kit';

/**
 * A provider's webhook body as one of our DTOs: the fields we read are validated (400 naming them),
 * the many others a provider sends (AccountSid, CallerCity, ApiVersion, spam scores…) are left out
 * instead of refused — the provider decides what it posts, and adds fields over time.
 */
export function providerForm<T extends object>(cls: new () => T, body: unknown): T {
  const plain = typeof body === 'object' && body !== null && !Array.isArray(body) ? body : {};
  const dto = plainToInstance(cls, plain, { excludeExtraneousValues: false });
  const errors = validateSync(dto, { whitelist: true, forbidNonWhitelisted: false });
  if (errors.length > 0) throw validationProblem(errors);
  return dto;
}
