// The sales read models with a "fixed" contract that accepts a customer's contacts in any shape:
// stands in for the fix an operator deploys before re-driving parked events (poison-event spec).
import { crmRegistry } from '@crm/contracts';
import { serviceReadModels } from '@crm/relationship-api';
import { Allow } from 'class-validator';

class LenientCustomerRegistered {
  @Allow() customerId!: string;
  @Allow() kind!: string;
  @Allow() name!: string;
  @Allow() contacts!: unknown[];
  @Allow() identities!: unknown[];
  @Allow() journeyStage!: string;
  @Allow() relationshipPhase!: string;
  @Allow() registeredBy!: string;
}

export const { readModels } = serviceReadModels('sales');
export const registry = crmRegistry().register('CustomerRegistered', 1, LenientCustomerRegistered);
