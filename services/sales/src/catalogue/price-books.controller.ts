import { Body, Controller, Get, Headers, HttpCode, Inject, Post, Put, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiForbiddenResponse, ApiOkResponse, ApiOperation, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { CatalogueCommands, READ_MODELS, type PriceBookView, type ReadModelRunners } from '@crm/relationship-api';
import { InvalidCursorError, searchPriceBooks, type Page, type PriceBookListItem } from '@crm/relationship-read-models';
import {
  CurrentPrincipal,
  expectedRevisionFromIfMatch,
  RequireDepartment,
  RequireKind,
  RequireRoles,
  setEtag,
  UuidParam,
  type HeaderResponse,
  type Principal,
  type StaffPrincipal,
  ApiProblem,
  badCursor,
} from '@crm/service-kit';
import { CreatePriceBookDto, PriceBookDto, PriceBookListDto, PriceBookListQueryDto, SetPricesDto } from './catalogue.dto';

const staff = (p: Principal) => p as StaffPrincipal;
const view = ({ revision: _revision, ...book }: PriceBookView) => book;
const EXAMPLE = {
  priceBookId: '7a0c2e51-3d4b-4f6a-8b9c-0d1e2f3a4b5c',
  name: 'Eurozone 2026',
  currency: 'EUR',
  validFrom: '2026-01-01',
  validTo: '2026-12-31',
  prices: [{ productId: '5d1e4c2a-8f3b-4e6d-9a7c-1b2c3d4e5f60', unitPrice: 2_500_000 }],
};

/**
 * Price books: one ISO 4217 currency each, valid for a span of calendar days, a unit price per
 * product in integer minor units. A quote takes its prices from the book valid on its date.
 */
@ApiTags('catalogue')
@ApiBearerAuth()
@RequireKind('staff')
@RequireDepartment('sales', 'management')
@ApiUnauthorizedResponse({ description: 'No or a bad bearer token' })
@ApiForbiddenResponse({ description: 'Not staff of sales or management (changes: not a manager or admin)' })
@Controller('price-books')
export class PriceBooksController {
  constructor(
    private readonly catalogue: CatalogueCommands,
    @Inject(READ_MODELS) private readonly readModels: ReadModelRunners,
  ) {}

  @Post()
  @HttpCode(201)
  @RequireRoles('manager', 'admin')
  @ApiOperation({ summary: 'Create a price book (a currency, a validity, prices in minor units)' })
  @ApiCreatedResponse({ type: PriceBookDto, description: 'Created; Location names it; ETag', example: EXAMPLE })
  @ApiProblem(422, 'A rule was broken: `code` names it (unknown-product, validity-ends-before-it-starts, price-listed-twice, price-book-exists)', {
    code: 'validity-ends-before-it-starts',
  })
  async create(
    @CurrentPrincipal() p: Principal,
    @Body() dto: CreatePriceBookDto,
    @Headers('x-correlation-id') correlationId: string | undefined,
    @Res({ passthrough: true }) res: HeaderResponse,
  ): Promise<object> {
    const r = await this.catalogue.createPriceBook(staff(p), dto, { correlationId });
    res.setHeader('Location', `/price-books/${r.id}`);
    const book = await this.catalogue.priceBook(r.id);
    setEtag(res, BigInt(book.revision));
    return view(book);
  }

  @Put(':id/prices')
  @RequireRoles('manager', 'admin')
  @ApiOperation({ summary: "Set products' prices in the book (the others keep theirs)" })
  @ApiOkResponse({ type: PriceBookDto, description: 'The book with its prices; ETag', example: EXAMPLE })
  @ApiProblem(404, 'No such price book')
  @ApiProblem(412, 'If-Match names an older revision of the price book')
  @ApiProblem(422, 'A rule was broken: `code` names it (unknown-product, price-listed-twice)', { code: 'unknown-product' })
  async setPrices(
    @CurrentPrincipal() p: Principal,
    @UuidParam('id') id: string,
    @Body() dto: SetPricesDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) res: HeaderResponse,
  ): Promise<object> {
    await this.catalogue.setPrices(staff(p), id, dto.prices, { expectedRevision: expectedRevisionFromIfMatch(ifMatch) });
    const book = await this.catalogue.priceBook(id);
    setEtag(res, BigInt(book.revision));
    return view(book);
  }

  @Get(':id')
  @ApiOkResponse({ type: PriceBookDto, description: 'The book with every price; ETag', example: EXAMPLE })
  @ApiProblem(404, 'No such price book')
  async get(@UuidParam('id') id: string, @Res({ passthrough: true }) res: HeaderResponse): Promise<object> {
    const book = await this.catalogue.priceBook(id);
    setEtag(res, BigInt(book.revision));
    return view(book);
  }

  @Get()
  @ApiOkResponse({
    type: PriceBookListDto,
    description: 'Price books by currency, newest validity first; `nextCursor` for the next page',
    example: { items: [{ ...EXAMPLE, prices: undefined, priceCount: 1 }] },
  })
  async list(@Query() q: PriceBookListQueryDto): Promise<Page<PriceBookListItem>> {
    try {
      return await searchPriceBooks(this.readModels.dataSource.manager, { currency: q.currency, validOn: q.validOn, limit: q.limit ?? 50, cursor: q.cursor });
    } catch (error) {
      if (error instanceof InvalidCursorError) throw badCursor(error.message);
      throw error;
    }
  }
}
