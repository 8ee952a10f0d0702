import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';

/** The customer's answer: a score of 1 (very dissatisfied) to 5 (very satisfied), and what they want to add. */
export class AnswerSurveyDto {
  @ApiProperty({ minimum: 1, maximum: 5, example: 5 })
  @IsInt()
  @Min(1)
  @Max(5)
  score!: number;
  @ApiPropertyOptional({ maxLength: 2000, example: 'Solved in one call, thank you.' })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  comment?: string;
}
