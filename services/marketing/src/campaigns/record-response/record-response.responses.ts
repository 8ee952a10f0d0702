import { ApiProperty } from '@nestjs/swagger';

/** `POST /campaigns/{campaignId}/responses`: where the customer's response was recorded. */
export class CampaignResponseRecordedDto {
  @ApiProperty({
    format: 'uuid',
    description: "The customer's campaign episode (opened when the campaign reached them)",
    example: '5b8d2f1e-9c3a-4e7b-a1d6-0f2e3c4b5a69',
  })
  episodeId!: string;
  @ApiProperty({
    format: 'uuid',
    description: 'The response interaction (the one given, when the request named it: a repeat answers the same)',
    example: '1d2c3b4a-5e6f-4a7b-8c9d-0e1f2a3b4c5d',
  })
  interactionId!: string;
}
