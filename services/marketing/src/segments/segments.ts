// The segments feature (issue 13 §2), wired in marketing.module.ts with two spreads.
import { SegmentCommands, SegmentMembershipCommands } from './segment-commands';
import { SegmentAudience } from './segment-audience';
import { SegmentMembershipService } from './segment-membership.processor';
import { SegmentsController } from './segments.controller';

export { SegmentAudience } from './segment-audience';

export const SEGMENT_CONTROLLERS = [SegmentsController];
export const SEGMENT_PROVIDERS = [SegmentCommands, SegmentMembershipCommands, SegmentMembershipService, SegmentAudience];
