import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsNotEmpty, IsString, Matches, MaxLength, ValidateIf } from 'class-validator';
import { IsInstant, NestedObject, NestedObjects } from '@crm/contracts';
import { SLUG_ID } from '@crm/kernel';
import type { IvrAction, IvrMenuNode } from '@crm/relationship';

export const IVR_ACTION_KINDS = ['menu', 'enqueue', 'order-status', 'case-status', 'repeat', 'back', 'hangup'] as const;

interface IvrMenuNodeShape {
  prompt: string;
  options: IvrOptionDto[];
}

export class IvrActionDto {
  @ApiProperty({
    enum: IVR_ACTION_KINDS,
    description:
      '`menu`: a submenu (in `menu`); `enqueue`: into `team`’s queue; `order-status`/`case-status`: self-service; `repeat`: this menu again; `back`: the menu above; `hangup`',
  })
  @IsIn(IVR_ACTION_KINDS)
  kind!: (typeof IVR_ACTION_KINDS)[number];

  @ApiPropertyOptional({ description: 'For `enqueue`: the team (queue) the call goes to', example: 'billing' })
  @ValidateIf((a: IvrActionDto) => a.kind === 'enqueue' || a.team !== undefined)
  @Matches(SLUG_ID, { message: 'team must be a team id (lower-case letters, digits, -)' })
  team?: string;

  @ApiPropertyOptional({ description: 'For `menu`: the submenu', type: () => IvrMenuNodeDto })
  @ValidateIf((a: IvrActionDto) => a.kind === 'menu' || a.menu !== undefined)
  @NestedObject(() => IvrMenuNodeDto)
  // Typed by an interface: the classes refer to each other, and a class here would be read (for
  // decorator metadata) before it is defined.
  menu?: IvrMenuNodeShape;
}

export class IvrOptionDto {
  @ApiProperty({ description: 'The key: 0-9, * or #', example: '1' })
  @Matches(/^[0-9*#]$/, { message: 'digits must be one key: 0-9, * or #' })
  digits!: string;

  @ApiProperty({ description: 'Said as "For <label>, press <key>"', example: 'the status of your order' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  label!: string;

  @ApiProperty({ type: () => IvrActionDto })
  @NestedObject(() => IvrActionDto)
  action!: IvrActionDto;
}

export class IvrMenuNodeDto {
  @ApiProperty({ description: 'Said before the options', example: 'Welcome to PT Maju Jaya.' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(1000)
  prompt!: string;

  @ApiProperty({ type: () => [IvrOptionDto] })
  @NestedObjects(() => IvrOptionDto)
  options!: IvrOptionDto[];
}

export class IvrMenuIdParam {
  @ApiProperty({ example: 'main' })
  @Matches(SLUG_ID, { message: 'id must be a menu id (lower-case letters, digits, -)' })
  id!: string;
}

export class IvrMenuDto {
  @ApiProperty({ example: 'main' }) menuId!: string;
  @ApiProperty({ type: () => IvrMenuNodeDto }) root!: IvrMenuNodeDto;
}

export class ContainmentQueryDto {
  @ApiProperty({ description: 'From this instant (inclusive)', example: '2026-03-01T00:00:00Z' })
  @IsInstant()
  from!: string;

  @ApiProperty({ description: 'To this instant (exclusive)', example: '2026-04-01T00:00:00Z' })
  @IsInstant()
  to!: string;
}

export class ContainmentDto {
  @ApiProperty({ example: '2026-03-01T00:00:00.000Z' }) from!: string;
  @ApiProperty({ example: '2026-04-01T00:00:00.000Z' }) to!: string;
  @ApiProperty({ description: 'Calls that ended in [from, to)', example: 40 }) calls!: number;
  @ApiProperty({ description: 'Ended in self-service without an agent', example: 10 }) contained!: number;
  @ApiProperty({ description: 'Taken by an agent', example: 26 }) answered!: number;
  @ApiProperty({ description: 'Hung up before an agent answered (in the menu or the queue)', example: 4 }) abandoned!: number;
  @ApiProperty({ description: 'contained / calls, 0 without calls', example: 0.25 }) containmentRate!: number;
}

/** The validated body as the domain's menu tree: each action with only its own fields. */
export function toMenuNode(dto: IvrMenuNodeShape): IvrMenuNode {
  return {
    prompt: dto.prompt,
    options: dto.options.map((o) => ({ digits: o.digits, label: o.label, action: toAction(o.action) })),
  };
}

function toAction(a: IvrActionDto): IvrAction {
  switch (a.kind) {
    case 'menu':
      return { kind: 'menu', menu: toMenuNode(a.menu!) };
    case 'enqueue':
      return { kind: 'enqueue', team: a.team! };
    default:
      return { kind: a.kind };
  }
}
