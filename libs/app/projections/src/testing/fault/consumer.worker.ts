// A projection consumer process for the fault test: Kafka → TypeORM read model, runs until killed.
import { loadConfigOrExit, PlatformConfig } from '@crm/config';
import { createPlatform } from '@crm/platform';
import { ProjectionRunner } from '../../projection-runner';
import { CustomerActivity, customerActivityProjection, testRegistry } from '../customer-activity.projection';

async function main(): Promise<void> {
  const config = loadConfigOrExit(PlatformConfig);
  const platform = await createPlatform(config, { registry: testRegistry(), clientId: 'fault-consumer' });
  const schema = process.env.FAULT_READ_MODEL_SCHEMA ?? 'public';
  // A test read model of no service: no migrations of its own, its table synchronised (test harnesses only).
  const ds = await platform.createDataSource([CustomerActivity], { schema, synchronize: true });
  const runner = new ProjectionRunner(ds, customerActivityProjection(), { schema: config.CRM_PLATFORM_SCHEMA });
  await runner.migrate();
  await runner.start(platform.bus);
  console.log('consumer ready');
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
