import { Body, Controller, Get, Headers, Inject, Param, Put, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { READ_MODELS, type ReadModelRunners } from '@crm/relationship-api';
import {
  ApiProblem,
  CurrentPrincipal,
  expectedRevisionFromIfMatch,
  HttpProblem,
  ProblemTypes,
  RequireDepartment,
  RequireKind,
  RequireRoles,
  setEtag,
  type HeaderResponse,
  type Principal,
} from '@crm/service-kit';
import { containment } from '../telephony/call-log.projection';
import { ContainmentDto, ContainmentQueryDto, IvrMenuDto, IvrMenuIdParam, IvrMenuNodeDto, toMenuNode } from './ivr.dto';
import { IvrMenus } from './ivr-menus';

const RULES =
  'A rule of menus: `ivr-no-exit` (every key leads back), `ivr-too-deep` (more than 5 levels), `ivr-digits-taken`, `ivr-back-at-top`, `ivr-options` (1 to 12 per menu)';

/** The IVR's menus (service supervisors set them) and how many calls it contains. */
@ApiTags('ivr')
@ApiBearerAuth()
@RequireKind('staff')
@RequireDepartment('service', 'management')
@ApiProblem(401, 'No or an invalid bearer token')
@ApiProblem(403, 'Not service or management staff (or, to set a menu, not a supervisor or admin)')
@Controller('ivr')
export class IvrController {
  constructor(
    private readonly menus: IvrMenus,
    @Inject(READ_MODELS) private readonly readModels: ReadModelRunners,
  ) {}

  @Put('menus/:id')
  @RequireRoles('supervisor', 'admin')
  @ApiOperation({ summary: 'Set a menu tree whole (service supervisors and admins); `main` is where calls start unless the voice URL names another' })
  @ApiHeader({ name: 'if-match', required: false, description: 'The revision as last read: a stale one is 412', example: '"0"' })
  @ApiOkResponse({ type: IvrMenuDto, description: 'Set (the same tree again changes nothing); ETag its revision' })
  @ApiProblem(400, 'A field that is not valid: naming it', { errors: [{ field: 'options.0.digits', message: 'digits must be one key: 0-9, * or #' }] })
  @ApiProblem(412, 'If-Match names an older revision')
  @ApiProblem(415, 'A body that is not JSON')
  @ApiProblem(422, RULES, { code: 'ivr-no-exit' })
  async set(
    @CurrentPrincipal() p: Principal,
    @Param() { id }: IvrMenuIdParam,
    @Body() root: IvrMenuNodeDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) res: HeaderResponse,
  ): Promise<IvrMenuDto> {
    const r = await this.menus.set(p, id, toMenuNode(root), expectedRevisionFromIfMatch(ifMatch));
    setEtag(res, r.revision);
    const menu = await this.menus.get(id);
    return { menuId: menu.menuId, root: menu.root as IvrMenuNodeDto };
  }

  @Get('menus/:id')
  @ApiOperation({ summary: 'A menu tree; its ETag is its revision' })
  @ApiOkResponse({ type: IvrMenuDto })
  @ApiProblem(400, 'An id that is no menu id', { errors: [{ field: 'id', message: 'id must be a menu id (lower-case letters, digits, -)' }] })
  @ApiProblem(404, 'No such menu')
  async get(@Param() { id }: IvrMenuIdParam, @Res({ passthrough: true }) res: HeaderResponse): Promise<IvrMenuDto> {
    const menu = await this.menus.get(id);
    setEtag(res, menu.revision);
    return { menuId: menu.menuId, root: menu.root as IvrMenuNodeDto };
  }

  @Get('containment')
  @ApiOperation({ summary: 'IVR containment: of the calls that ended in [from, to), how many ended in self-service without an agent' })
  @ApiOkResponse({ type: ContainmentDto })
  @ApiProblem(400, 'from or to missing or not an instant, or to not after from', { errors: [{ field: 'to', message: 'to must be after from' }] })
  async containment(@Query() q: ContainmentQueryDto): Promise<ContainmentDto> {
    const from = new Date(q.from);
    const to = new Date(q.to);
    if (to <= from)
      throw new HttpProblem(400, 'the request is invalid: to', { type: ProblemTypes.validation, errors: [{ field: 'to', message: 'to must be after from' }] });
    return containment(this.readModels.dataSource.manager, from, to);
  }
}
