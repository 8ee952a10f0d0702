import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsNotEmpty, IsOptional, IsString, Matches, MaxLength, ValidateIf } from 'class-validator';
import { IsCurrencyCode, IsInstant, IsMinorUnits, NestedObjects } from '@crm/contracts';
import { CURRENCY_CODES, MAX_TARGETS_PER_CHANGE, STAGE_ID, TARGET_PERIOD } from '@crm/relationship';

const PERIOD_MESSAGE = 'period must be a month (2026-03) or a quarter (2026-Q1)';

export class SalesTargetDto {
  @ApiPropertyOptional({ description: 'The owner (staff user id); exactly one of owner and team', example: 'sari' })
  @ValidateIf((t: SalesTargetDto) => t.owner !== undefined || t.team === undefined)
  @IsString({ message: 'owner or team is needed (exactly one)' })
  @IsNotEmpty()
  @MaxLength(200)
  owner?: string;
  @ApiPropertyOptional({ description: 'The team; exactly one of owner and team', example: 'jakarta-enterprise' })
  @ValidateIf((t: SalesTargetDto) => t.team !== undefined || t.owner === undefined)
  @Matches(STAGE_ID, { message: 'team is 1–63 lower-case letters, digits or dashes' })
  team?: string;
  @ApiProperty({ description: 'What to win, integer minor units of currency (cents for EUR)', example: 5000000 }) @IsMinorUnits() amount!: number;
}

export class SetSalesTargetsDto {
  @ApiProperty({ description: 'A month (2026-03) or a quarter (2026-Q1)', example: '2026-Q1' })
  @Matches(TARGET_PERIOD, { message: PERIOD_MESSAGE })
  period!: string;
  @ApiProperty({ enum: CURRENCY_CODES, example: 'EUR' }) @IsCurrencyCode() currency!: string;
  @ApiProperty({ type: [SalesTargetDto], description: `1 to ${MAX_TARGETS_PER_CHANGE}; one per owner or team` })
  @NestedObjects(() => SalesTargetDto)
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_TARGETS_PER_CHANGE)
  targets!: SalesTargetDto[];
}

export class SalesTargetViewDto {
  @ApiProperty({ example: '2026-Q1' }) period!: string;
  @ApiProperty({ enum: ['owner', 'team'] }) scope!: string;
  @ApiProperty({ description: 'The owner or the team', example: 'sari' }) subject!: string;
  @ApiProperty({ example: 'EUR' }) currency!: string;
  @ApiProperty({ example: 5000000 }) amount!: number;
  @ApiProperty({ example: 'mira' }) setBy!: string;
  @ApiProperty({ example: '2026-03-01T09:00:00.000Z' }) setAt!: string;
}

export class SetSalesTargetsResultDto {
  @ApiProperty({ example: '2026-Q1' }) period!: string;
  @ApiProperty({ description: 'How many targets differed and were recorded (0: nothing new)', example: 2 }) recorded!: number;
  @ApiProperty({ type: [SalesTargetViewDto], description: 'Every target of the period now, owners then teams' }) targets!: SalesTargetViewDto[];
}

export class SalesTargetsQueryDto {
  @ApiPropertyOptional({ description: 'Only this month (2026-03) or quarter (2026-Q1); default every period', example: '2026-Q1' })
  @IsOptional()
  @Matches(TARGET_PERIOD, { message: PERIOD_MESSAGE })
  period?: string;
  @ApiPropertyOptional({ description: 'The targets as recorded by this instant', example: '2026-03-01T09:00:00Z' })
  @IsOptional()
  @IsInstant()
  asOf?: string;
}

export class SalesTargetsDto {
  @ApiProperty({ description: 'The instant the targets are read as of', example: '2026-03-01T09:00:00.000Z' }) asOf!: string;
  @ApiProperty({ type: [SalesTargetViewDto], description: 'Per period in time order, owners then teams' }) targets!: SalesTargetViewDto[];
}

export class AttainmentQueryDto {
  @ApiProperty({ description: 'A month (2026-03) or a quarter (2026-Q1)', example: '2026-Q1' })
  @Matches(TARGET_PERIOD, { message: PERIOD_MESSAGE })
  period!: string;
  @ApiPropertyOptional({ description: 'What it said at this instant (targets, wins and rates as recorded then)', example: '2026-03-01T09:00:00Z' })
  @IsOptional()
  @IsInstant()
  asOf?: string;
  @ApiPropertyOptional({ description: 'Only this owner’s target', example: 'sari' }) @IsOptional() @IsString() @IsNotEmpty() @MaxLength(200) owner?: string;
  @ApiPropertyOptional({ description: 'Only this team’s target', example: 'jakarta-enterprise' })
  @IsOptional()
  @Matches(STAGE_ID, { message: 'team is 1–63 lower-case letters, digits or dashes' })
  team?: string;
}

export class AttainmentWonDto {
  @ApiProperty({ example: 2 }) count!: number;
  @ApiProperty({ description: 'Σ won values converted to the target’s currency, minor units', example: 2500000 }) amount!: number;
}

export class AttainmentUnconvertedDto {
  @ApiProperty({ example: 'GBP' }) currency!: string;
  @ApiProperty({ example: 1 }) count!: number;
  @ApiProperty({ description: 'Minor units of currency', example: 500000 }) amount!: number;
}

export class AttainmentItemDto {
  @ApiProperty({ enum: ['owner', 'team'] }) scope!: string;
  @ApiProperty({ example: 'sari' }) subject!: string;
  @ApiProperty({ example: 'EUR' }) currency!: string;
  @ApiProperty({ description: 'Minor units of currency', example: 5000000 }) target!: number;
  @ApiProperty({ type: AttainmentWonDto }) won!: AttainmentWonDto;
  @ApiProperty({
    nullable: true,
    type: Number,
    description: 'won / target in basis points (10000 = 100 %), rounded half up; null for a target of 0',
    example: 5000,
  })
  attainmentBasisPoints!: number | null;
  @ApiProperty({ type: [AttainmentUnconvertedDto], description: 'Wins in a currency without a rate: counted, never added' })
  unconverted!: AttainmentUnconvertedDto[];
}

export class AttainmentDto {
  @ApiProperty({ example: '2026-Q1' }) period!: string;
  @ApiProperty({ example: '2026-01-01' }) start!: string;
  @ApiProperty({ example: '2026-03-31' }) end!: string;
  @ApiProperty({ example: '2026-03-01T09:00:00.000Z' }) asOf!: string;
  @ApiProperty({ description: 'The day whose exchange rates converted', example: '2026-03-01' }) ratesOn!: string;
  @ApiProperty({ type: [AttainmentItemDto], description: 'One per target of the period: owners, then teams, by name' }) items!: AttainmentItemDto[];
}
