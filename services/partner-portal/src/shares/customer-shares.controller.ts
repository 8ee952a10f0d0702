import { Controller, Get, Inject, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsOptional, IsUUID } from 'class-validator';
import { IsInstant } from '@crm/contracts';
import type { Clock } from '@crm/kernel';
import { EPISODE_TYPES, NotFoundError, PARTNER_KINDS, shareInForce } from '@crm/relationship';
import { PartnerCommands, READ_MODELS, type ReadModelRunners } from '@crm/relationship-api';
import { customerExists, PartnerAccess as PartnerAccessRow } from '@crm/relationship-read-models';
import { ApiProblem, CLOCK, ProblemTypes, RequireKind } from '@crm/service-kit';

export class CustomerSharesParams {
  @ApiProperty({ format: 'uuid' }) @IsUUID() customerId!: string;
}

/** One partner that sees the customer now (or saw it at `asOf`), with the scope of its share. */
export class CustomerShareDto {
  @ApiProperty({ format: 'uuid', example: '7c9e6679-7425-40de-944b-e07fc1f90ae7' }) partnerId!: string;
  @ApiProperty({ example: 'Nusantara Distribusi' }) name!: string;
  @ApiProperty({ enum: PARTNER_KINDS, example: 'distributor' }) partnerKind!: string;
  @ApiProperty({ enum: EPISODE_TYPES, isArray: true, nullable: true, description: 'The episode types it sees (null: every type); its own episodes always' })
  episodeTypes!: string[] | null;
  @ApiProperty({ enum: ['read', 'read-write'], example: 'read-write' }) access!: 'read' | 'read-write';
  @ApiProperty({ format: 'date-time', example: '2026-05-01T10:00:00.000Z' }) sharedAt!: string;
  @ApiPropertyOptional({ format: 'date-time', description: 'When the share ends (absent: never)' }) expiresAt?: string;
}

export class CustomerSharesDto {
  @ApiProperty({ format: 'uuid' }) customerId!: string;
  @ApiProperty({ type: [CustomerShareDto], description: 'The partners the customer is shared with now (or was at `asOf`), by name' })
  partners!: CustomerShareDto[];
  @ApiPropertyOptional({ format: 'date-time', description: 'The instant asked for, when the shares are as they stood then' }) asOf?: string;
}

export class CustomerSharesQuery {
  @ApiPropertyOptional({
    format: 'date-time',
    description: "The shares as they stood at this instant (who could see the customer then), from the partners' own history",
  })
  @IsOptional()
  @IsInstant()
  asOf?: string;
}

/**
 * Which partners see a customer (issue 16: the console's customer page), for any staff member who
 * reads customers. The read model's grants name the candidates; each is confirmed on the partner
 * aggregate with the clock (a revoke or an expiry holds at once), as the portal's own reads are.
 * With `asOf`, every partner the customer was ever shared with is a candidate (a revoked grant keeps
 * its row), and each partner is folded from its stream up to that instant (PartnerCommands.getAsOf):
 * the console's as-of slider shows who could see the customer on that date.
 */
@ApiTags('partners')
@ApiBearerAuth()
@RequireKind('staff')
@Controller('customer-shares')
export class CustomerSharesController {
  constructor(
    @Inject(READ_MODELS) private readonly readModels: ReadModelRunners,
    private readonly partners: PartnerCommands,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Get(':customerId')
  @ApiOperation({
    summary: 'The partners a customer is shared with now, or was at `asOf`, and the scope of each share (staff)',
    description:
      "Now: the shares in force (not revoked, not expired, partner active). With `asOf`: the shares as they stood at that instant, from the partners' event history — a share revoked since, or a partner deactivated since, is listed; one made later is not.",
  })
  @ApiOkResponse({
    type: CustomerSharesDto,
    example: {
      customerId: '0f8fad5b-d9cb-469f-a165-70867728950e',
      partners: [
        {
          partnerId: '7c9e6679-7425-40de-944b-e07fc1f90ae7',
          name: 'Nusantara Distribusi',
          partnerKind: 'distributor',
          episodeTypes: null,
          access: 'read-write',
          sharedAt: '2026-05-01T10:00:00.000Z',
        },
      ],
    },
  })
  @ApiProblem(400, 'Bad Request: the customer id is not a UUID, or asOf is not an instant', {
    errors: [{ field: 'customerId', message: 'customerId must be a UUID' }],
  })
  @ApiProblem(401, 'Unauthorized: no token, or a bad or expired one')
  @ApiProblem(403, 'Forbidden: staff only (a partner sees its own shares through /customers)', { type: ProblemTypes.forbidden })
  @ApiProblem(404, 'Not Found: no such customer')
  async list(@Param() { customerId }: CustomerSharesParams, @Query() q: CustomerSharesQuery): Promise<CustomerSharesDto> {
    const manager = this.readModels.dataSource.manager;
    if (!(await customerExists(manager, customerId))) throw new NotFoundError(`customer ${customerId} not found`);
    const asOf = q.asOf ? new Date(q.asOf) : undefined;
    const grants = await manager
      .getRepository(PartnerAccessRow)
      .find({ where: asOf ? { customerId } : { customerId, granted: true }, order: { partnerId: 'ASC' } });
    const at = asOf ?? this.clock.now();
    const partners: CustomerShareDto[] = [];
    for (const grant of grants) {
      const partner = asOf ? await this.partners.getAsOf(grant.partnerId, asOf) : await this.partners.get(grant.partnerId);
      const share = shareInForce(partner, customerId, at);
      if (!partner || !share || partner.deactivatedAt) continue;
      partners.push({
        partnerId: partner.partnerId,
        name: partner.name,
        partnerKind: partner.partnerKind,
        episodeTypes: share.episodeTypes ?? null,
        access: share.access ?? 'read-write',
        sharedAt: share.sharedAt,
        ...(share.expiresAt && { expiresAt: share.expiresAt }),
      });
    }
    partners.sort((a, b) => a.name.localeCompare(b.name) || a.partnerId.localeCompare(b.partnerId));
    return { customerId, partners, ...(asOf && { asOf: asOf.toISOString() }) };
  }
}
