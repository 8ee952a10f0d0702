import { ApiProperty } from '@nestjs/swagger';
import { IsIn, IsUUID } from 'class-validator';
import { OpenEpisodeDto } from '@crm/relationship-api';

/** The episodes a partner opens: a deal (a distributor's or reseller's sale) or a return and repair. */
export const PARTNER_EPISODE_TYPES = ['partner-deal', 'return-repair'] as const;
export type PartnerEpisodeType = (typeof PARTNER_EPISODE_TYPES)[number];

export class OpenPartnerEpisodeDto extends OpenEpisodeDto {
  @ApiProperty({ enum: PARTNER_EPISODE_TYPES, example: 'partner-deal' }) @IsIn(PARTNER_EPISODE_TYPES) episodeType!: PartnerEpisodeType;
}

export class EpisodeIdParam {
  @ApiProperty({ format: 'uuid' }) @IsUUID() id!: string;
}
