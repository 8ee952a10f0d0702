import { badCursor } from '@crm/service-kit';
import { InvalidCursorError, searchCustomers, type CustomerListPage, type CustomerSearch } from '@crm/relationship-read-models';
import type { EntityManager } from 'typeorm';
import type { CustomerListQueryDto } from '../dto';

/**
 * `GET /customers` for staff and (scoped) for partners: the query as the search takes it (`ids` within
 * the scope's customers), and a cursor that does not decode answered as a 400 naming `cursor`.
 */
export async function listCustomers(manager: EntityManager, q: CustomerListQueryDto, scope: Partial<CustomerSearch> = {}): Promise<CustomerListPage> {
  const { ids: asked, ...filters } = q;
  const ids = asked?.map((id) => id.toLowerCase());
  // The caller's ids narrow its scope (a partner's shared customers), never widen it.
  const customerIds = ids === undefined ? scope.customerIds : scope.customerIds === undefined ? ids : ids.filter((id) => scope.customerIds!.includes(id));
  try {
    return await searchCustomers(manager, {
      ...filters,
      registeredFrom: q.registeredFrom ? new Date(q.registeredFrom) : undefined,
      registeredTo: q.registeredTo ? new Date(q.registeredTo) : undefined,
      limit: q.limit ?? 50,
      ...scope,
      ...(customerIds !== undefined && { customerIds }),
    });
  } catch (error) {
    if (error instanceof InvalidCursorError) throw badCursor(error.message);
    throw error;
  }
}
