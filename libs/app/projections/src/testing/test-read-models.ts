// A read-models module (as services export) for the rebuild CLI's own test.
import type { ReadModelsModule } from '../projection';
import { customerActivityProjection, testRegistry } from './customer-activity.projection';

export const readModels: ReadModelsModule['readModels'] = [{ projection: customerActivityProjection(), schema: 'public' }];
export const registry = testRegistry();
