import { ApiProperty } from '@nestjs/swagger';
import { CASE_OUTCOMES } from './cases.dto';

const CASE_ID = '7c9e6679-7425-40de-944b-e07fc1f90ae7';

/** `POST /cases`: the case opened (an episode of type `case`); Location and ETag carry its address and revision. */
export class CaseOpenedDto {
  @ApiProperty({ format: 'uuid', example: CASE_ID, description: "The case's id (its episode id)" }) episodeId!: string;
}

/** `POST /cases/{id}/interactions`: the interaction recorded on the case. */
export class CaseInteractionRecordedDto {
  @ApiProperty({ format: 'uuid', example: '1d2c3b4a-5e6f-4a7b-8c9d-0e1f2a3b4c5d' }) interactionId!: string;
}

/** `POST /cases/{id}/resolve`: the case resolved with this outcome. */
export class CaseResolvedDto {
  @ApiProperty({ format: 'uuid', example: CASE_ID }) episodeId!: string;
  @ApiProperty({ enum: CASE_OUTCOMES, example: 'resolved' }) outcome!: string;
}
