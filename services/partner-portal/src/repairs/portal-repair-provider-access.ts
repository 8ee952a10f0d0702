import { Injectable } from '@nestjs/common';
import { NotFoundError } from '@crm/relationship';
import type { RepairProviderAccess } from '@crm/relationship-api';
import type { PartnerPrincipal } from '@crm/service-kit';
import { PartnerScope } from '../portal/partner-scope';

/**
 * The portal's `RepairProviderAccess`: the partner aggregate as `PartnerScope.partnerOf` reads it —
 * a token of a revoked credential is 401 at once, the same rule as for every other partner route.
 * (A repair provider has no customer share to check: the repair's own assignment is its access,
 * checked by `RepairJobCommands` on the return it loads.)
 */
@Injectable()
export class PortalRepairProviderAccess implements RepairProviderAccess {
  constructor(private readonly scope: PartnerScope) {}

  async assertActive(principal: PartnerPrincipal): Promise<void> {
    if (!(await this.scope.partnerOf(principal))) throw new NotFoundError(`partner ${principal.partnerId} not found`);
  }
}
