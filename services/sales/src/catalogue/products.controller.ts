import { Body, Controller, Get, Headers, HttpCode, Inject, Post, Put, Query, Res } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { CatalogueCommands, READ_MODELS, type ProductView, type ReadModelRunners } from '@crm/relationship-api';
import { InvalidCursorError, searchProducts, type Page, type ProductListItem } from '@crm/relationship-read-models';
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
import {
  CheckConfigurationDto,
  ConfigurationCheckDto,
  DefineProductDto,
  ProductDefinitionDto,
  ProductDto,
  ProductListDto,
  ProductListQueryDto,
} from './catalogue.dto';

const staff = (p: Principal) => p as StaffPrincipal;
const view = ({ revision: _revision, ...product }: ProductView) => product;
const EXAMPLE = {
  productId: '5d1e4c2a-8f3b-4e6d-9a7c-1b2c3d4e5f60',
  sku: 'VAN-1',
  kind: 'product',
  name: 'Delivery van',
  active: true,
  rules: { maxQuantity: 20 },
};

/**
 * The product catalogue: products (a plain product, a bundle, an option), their configuration
 * rules, and the one configuration check. Sales and management read it; their managers and admins
 * change it.
 */
@ApiTags('catalogue')
@ApiBearerAuth()
@RequireKind('staff')
@RequireDepartment('sales', 'management')
@ApiUnauthorizedResponse({ description: 'No or a bad bearer token' })
@ApiForbiddenResponse({ description: 'Not staff of sales or management (changes: not a manager or admin)' })
@Controller()
export class ProductsController {
  constructor(
    private readonly catalogue: CatalogueCommands,
    @Inject(READ_MODELS) private readonly readModels: ReadModelRunners,
  ) {}

  @Post('products')
  @HttpCode(201)
  @RequireRoles('manager', 'admin')
  @ApiOperation({ summary: 'Define a product (its id is derived from its SKU: the same definition again changes nothing)' })
  @ApiCreatedResponse({ type: ProductDto, description: 'Defined; Location names it; ETag for If-Match', example: EXAMPLE })
  @ApiProblem(409, 'SKU taken: another product has this SKU (`productId` names it)', { code: 'sku-taken', productId: EXAMPLE.productId })
  @ApiProblem(422, 'A rule was broken: `code` names it (unknown-product-reference, not-an-option, bundle-needs-components, requires-and-excludes, …)', {
    code: 'unknown-product-reference',
  })
  async define(
    @CurrentPrincipal() p: Principal,
    @Body() dto: DefineProductDto,
    @Headers('x-correlation-id') correlationId: string | undefined,
    @Res({ passthrough: true }) res: HeaderResponse,
  ): Promise<object> {
    const r = await this.catalogue.defineProduct(staff(p), dto, { correlationId });
    res.setHeader('Location', `/products/${r.id}`);
    const product = await this.catalogue.product(r.id);
    setEtag(res, BigInt(product.revision));
    return view(product);
  }

  @Put('products/:id')
  @RequireRoles('manager', 'admin')
  @ApiOperation({ summary: "Replace a product's definition (name, description, active, components, options, rules); SKU and kind stay" })
  @ApiOkResponse({ type: ProductDto, description: 'Revised (the same definition again changes nothing); ETag', example: { ...EXAMPLE, active: false } })
  @ApiProblem(404, 'No such product')
  @ApiProblem(412, 'If-Match names an older revision of the product')
  @ApiProblem(422, 'A rule was broken: `code` names it', { code: 'not-an-option' })
  async revise(
    @CurrentPrincipal() p: Principal,
    @UuidParam('id') id: string,
    @Body() dto: ProductDefinitionDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) res: HeaderResponse,
  ): Promise<object> {
    await this.catalogue.reviseProduct(staff(p), id, dto, { expectedRevision: expectedRevisionFromIfMatch(ifMatch) });
    const product = await this.catalogue.product(id);
    setEtag(res, BigInt(product.revision));
    return view(product);
  }

  @Get('products/:id')
  @ApiOkResponse({ type: ProductDto, description: 'The product as defined now; ETag for If-Match', example: EXAMPLE })
  @ApiProblem(404, 'No such product')
  async get(@UuidParam('id') id: string, @Res({ passthrough: true }) res: HeaderResponse): Promise<object> {
    const product = await this.catalogue.product(id);
    setEtag(res, BigInt(product.revision));
    return view(product);
  }

  @Get('products')
  @ApiOkResponse({
    type: ProductListDto,
    description: 'Products that match, by SKU, one page at a time; `nextCursor` for the next page',
    example: { items: [EXAMPLE] },
  })
  async list(@Query() q: ProductListQueryDto): Promise<Page<ProductListItem>> {
    try {
      return await searchProducts(this.readModels.dataSource.manager, { q: q.q, kind: q.kind, active: q.active, limit: q.limit ?? 50, cursor: q.cursor });
    } catch (error) {
      if (error instanceof InvalidCursorError) throw badCursor(error.message);
      throw error;
    }
  }

  @Post('configuration-checks')
  @HttpCode(200)
  @ApiOperation({ summary: 'Check a configuration against the catalogue: every violation of requires, excludes, min/max quantity, options, at once' })
  @ApiBody({ type: CheckConfigurationDto })
  @ApiOkResponse({
    type: ConfigurationCheckDto,
    description: 'Valid, or every violation in line order',
    example: {
      valid: false,
      violations: [
        {
          rule: 'requires',
          line: 0,
          productId: EXAMPLE.productId,
          otherProductId: EXAMPLE.productId,
          message: 'WAR-3 requires VAN-1, which is not on the quote',
        },
      ],
    },
  })
  async check(@Body() dto: CheckConfigurationDto): Promise<ConfigurationCheckDto> {
    const violations = await this.catalogue.checkConfiguration(dto.lines);
    return { valid: violations.length === 0, violations };
  }
}
