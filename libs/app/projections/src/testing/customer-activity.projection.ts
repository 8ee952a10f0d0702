import { IntegrationEventRegistry, type IntegrationEvent } from '@crm/bus';
import { IsInt, IsString, IsUUID, Min } from 'class-validator';
import { Column, Entity, PrimaryColumn, type EntityManager } from 'typeorm';
import type { Projection } from '../projection';

/** Payload of the test event the platform suites push through store → relay → bus → read model. */
export class CustomerNotedV1 {
  @IsUUID() customerId!: string;
  @IsInt() @Min(0) seq!: number;
  @IsString() note!: string;
}

export function testRegistry(): IntegrationEventRegistry {
  return new IntegrationEventRegistry().register('CustomerNoted', 1, CustomerNotedV1);
}

/**
 * A read model that makes any double application or loss visible: per customer, the number of
 * events applied and the sum of their sequence numbers.
 */
@Entity({ name: 'test_customer_activity' })
export class CustomerActivity {
  @PrimaryColumn({ type: 'uuid', name: 'customer_id' }) customerId!: string;
  @Column({ type: 'integer' }) events!: number;
  @Column({ type: 'bigint', name: 'seq_sum' }) seqSum!: string;
  @Column({ type: 'uuid', name: 'last_event_id' }) lastEventId!: string;
}

/** The test event, as `testRegistry()` validates it. */
export type CustomerNoted = IntegrationEvent<'CustomerNoted', CustomerNotedV1>;

export function customerActivityProjection(name = 'test-customer-activity', entity: typeof CustomerActivity = CustomerActivity): Projection<CustomerNoted> {
  return {
    name,
    entities: [entity],
    handles: ['CustomerNoted'],
    async apply(event: CustomerNoted, manager: EntityManager) {
      const data = event.data;
      const repo = manager.getRepository(entity);
      const row = await repo.findOneBy({ customerId: data.customerId });
      await repo.save({
        customerId: data.customerId,
        events: (row?.events ?? 0) + 1,
        seqSum: String(BigInt(row?.seqSum ?? '0') + BigInt(data.seq)),
        lastEventId: event.id,
      });
    },
  };
}
