import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayNotEmpty,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { IsCalendarDate, IsCurrencyCode, NestedObject, NestedObjects } from '@crm/contracts';
import { PRODUCT_KINDS } from '@crm/relationship';

const EXAMPLE_ID = '5d1e4c2a-8f3b-4e6d-9a7c-1b2c3d4e5f60';

export class BundleComponentDto {
  @ApiProperty({ format: 'uuid', example: EXAMPLE_ID }) @IsUUID() productId!: string;
  @ApiProperty({ example: 5, minimum: 1 }) @IsInt() @Min(1) @Max(10_000) quantity!: number;
}

export class ProductRulesDto {
  @ApiPropertyOptional({ type: [String], description: 'Products that must be on the quote too (on a line or inside a bundle)' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsUUID('all', { each: true })
  requires?: string[];
  @ApiPropertyOptional({ type: [String], description: 'Products that must not be on the quote with it' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsUUID('all', { each: true })
  excludes?: string[];
  @ApiPropertyOptional({ minimum: 1, description: 'The least quantity per quote (summed over lines)' }) @IsOptional() @IsInt() @Min(1) minQuantity?: number;
  @ApiPropertyOptional({ minimum: 1, description: 'The most per quote' }) @IsOptional() @IsInt() @Min(1) maxQuantity?: number;
}

export class ProductDefinitionDto {
  @ApiProperty({ example: 'Delivery van' }) @IsString() @IsNotEmpty() @MaxLength(200) name!: string;
  @ApiPropertyOptional({ example: '3.5 t, diesel' }) @IsOptional() @IsString() @MaxLength(2000) description?: string;
  @ApiPropertyOptional({ default: true, description: 'false: no longer sold (cannot be quoted)' }) @IsOptional() @IsBoolean() active?: boolean;
  @ApiPropertyOptional({ type: [BundleComponentDto], description: 'Bundles only: the products it contains' })
  @IsOptional()
  @NestedObjects(() => BundleComponentDto)
  @ArrayMaxSize(100)
  components?: BundleComponentDto[];
  @ApiPropertyOptional({ type: [String], description: 'Products of kind option that may be sold with it' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsUUID('all', { each: true })
  options?: string[];
  @ApiPropertyOptional({ type: ProductRulesDto }) @IsOptional() @NestedObject(() => ProductRulesDto) rules?: ProductRulesDto;
}

export const SKU = /^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$/;

export class DefineProductDto extends ProductDefinitionDto {
  @ApiProperty({ description: 'Names the product for good (case ignored); its id is derived from it', example: 'VAN-1' })
  @Matches(SKU, { message: 'sku must be 1 to 64 letters, digits, dots, dashes, slashes or underscores' })
  sku!: string;
  @ApiPropertyOptional({ enum: PRODUCT_KINDS, default: 'product' }) @IsOptional() @IsIn(PRODUCT_KINDS) kind?: (typeof PRODUCT_KINDS)[number];
}

export class ProductDto {
  @ApiProperty({ format: 'uuid' }) productId!: string;
  @ApiProperty({ example: 'VAN-1' }) sku!: string;
  @ApiProperty({ enum: PRODUCT_KINDS }) kind!: string;
  @ApiProperty({ example: 'Delivery van' }) name!: string;
  @ApiPropertyOptional() description?: string;
  @ApiProperty() active!: boolean;
  @ApiPropertyOptional({ type: [BundleComponentDto] }) components?: BundleComponentDto[];
  @ApiPropertyOptional({ type: [String] }) options?: string[];
  @ApiPropertyOptional({ type: ProductRulesDto }) rules?: ProductRulesDto;
}

export class ProductListDto {
  @ApiProperty({ type: [ProductDto] }) items!: ProductDto[];
  @ApiPropertyOptional({ description: 'Absent on the last page' }) nextCursor?: string;
}

const CURSOR = /^[A-Za-z0-9_-]+$/;
const CURSOR_MESSAGE = 'cursor must be the nextCursor of a previous page';

export class ProductListQueryDto {
  @ApiPropertyOptional({ description: 'Words to find in SKU, name and description', example: 'van' }) @IsOptional() @IsString() @MaxLength(200) q?: string;
  @ApiPropertyOptional({ enum: PRODUCT_KINDS }) @IsOptional() @IsIn(PRODUCT_KINDS) kind?: string;
  @ApiPropertyOptional({ description: 'true: only products still sold' })
  @IsOptional()
  @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean()
  active?: boolean;
  @ApiPropertyOptional({ default: 50, maximum: 200 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(200) limit?: number;
  @ApiPropertyOptional({ description: 'nextCursor of the previous page' })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  @Matches(CURSOR, { message: CURSOR_MESSAGE })
  cursor?: string;
}

export class PriceEntryDto {
  @ApiProperty({ format: 'uuid', example: EXAMPLE_ID }) @IsUUID() productId!: string;
  @ApiProperty({ description: 'Integer, in minor units of the book currency (cents for EUR)', example: 2_500_000 })
  @IsInt()
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
  unitPrice!: number;
}

export class CreatePriceBookDto {
  @ApiPropertyOptional({ description: 'Client-chosen id (a retry is idempotent)', format: 'uuid' }) @IsOptional() @IsUUID() priceBookId?: string;
  @ApiProperty({ example: 'Indonesia 2026' }) @IsString() @IsNotEmpty() @MaxLength(200) name!: string;
  @ApiProperty({ description: 'ISO 4217, checked against the list of currencies in use', example: 'EUR' }) @IsCurrencyCode() currency!: string;
  @ApiProperty({ description: 'First calendar day (UTC) it is valid on', example: '2026-01-01' }) @IsCalendarDate() validFrom!: string;
  @ApiPropertyOptional({ description: 'Last calendar day it is valid on; absent: open-ended', example: '2026-12-31' })
  @IsOptional()
  @IsCalendarDate()
  validTo?: string;
  @ApiPropertyOptional({ type: [PriceEntryDto] }) @IsOptional() @NestedObjects(() => PriceEntryDto) @ArrayMaxSize(1000) prices?: PriceEntryDto[];
}

export class SetPricesDto {
  @ApiProperty({ type: [PriceEntryDto], description: "These products' prices are set; the others keep theirs" })
  @NestedObjects(() => PriceEntryDto)
  @ArrayNotEmpty()
  @ArrayMaxSize(1000)
  prices!: PriceEntryDto[];
}

export class PriceBookDto {
  @ApiProperty({ format: 'uuid' }) priceBookId!: string;
  @ApiProperty({ example: 'Indonesia 2026' }) name!: string;
  @ApiProperty({ example: 'EUR' }) currency!: string;
  @ApiProperty({ example: '2026-01-01' }) validFrom!: string;
  @ApiPropertyOptional({ example: '2026-12-31' }) validTo?: string;
  @ApiProperty({ type: [PriceEntryDto] }) prices!: PriceEntryDto[];
}

export class PriceBookListItemDto {
  @ApiProperty({ format: 'uuid' }) priceBookId!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ example: 'EUR' }) currency!: string;
  @ApiProperty({ example: '2026-01-01' }) validFrom!: string;
  @ApiProperty({ nullable: true, type: String, example: '2026-12-31' }) validTo!: string | null;
  @ApiProperty({ description: 'How many products it prices' }) priceCount!: number;
}

export class PriceBookListDto {
  @ApiProperty({ type: [PriceBookListItemDto] }) items!: PriceBookListItemDto[];
  @ApiPropertyOptional({ description: 'Absent on the last page' }) nextCursor?: string;
}

export class PriceBookListQueryDto {
  @ApiPropertyOptional({ example: 'EUR' }) @IsOptional() @IsCurrencyCode() currency?: string;
  @ApiPropertyOptional({ description: 'Only books valid on this day', example: '2026-03-01' }) @IsOptional() @IsCalendarDate() validOn?: string;
  @ApiPropertyOptional({ default: 50, maximum: 200 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(200) limit?: number;
  @ApiPropertyOptional({ description: 'nextCursor of the previous page' })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  @Matches(CURSOR, { message: CURSOR_MESSAGE })
  cursor?: string;
}

export class ConfigurationLineDto {
  @ApiProperty({ format: 'uuid', example: EXAMPLE_ID }) @IsUUID() productId!: string;
  @ApiProperty({ example: 2, minimum: 1 }) @IsInt() @Min(1) @Max(1_000_000) quantity!: number;
}

export class CheckConfigurationDto {
  @ApiProperty({ type: [ConfigurationLineDto] }) @NestedObjects(() => ConfigurationLineDto) @ArrayNotEmpty() @ArrayMaxSize(500) lines!: ConfigurationLineDto[];
}

export class ConfigurationViolationDto {
  @ApiProperty({
    example: 'requires',
    description: 'unknown-product, inactive-product, quantity-not-positive, min-quantity, max-quantity, requires, excludes, option-without-base',
  })
  rule!: string;
  @ApiProperty({ description: 'The line (0-based)', example: 0 }) line!: number;
  @ApiProperty({ format: 'uuid' }) productId!: string;
  @ApiPropertyOptional({ format: 'uuid', description: 'The other product the rule names' }) otherProductId?: string;
  @ApiProperty({ example: 'WAR-3 requires VAN-1, which is not on the quote' }) message!: string;
}

export class ConfigurationCheckDto {
  @ApiProperty() valid!: boolean;
  @ApiProperty({ type: [ConfigurationViolationDto], description: 'Every violation, in line order' }) violations!: ConfigurationViolationDto[];
}
