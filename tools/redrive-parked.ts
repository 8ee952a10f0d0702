/**
 * Lists, re-drives or discards parked events: events a read model (or the relay) could not apply
 * and set aside with the reason, so that they stopped nothing else. Run it after the fix.
 *
 *   npm run redrive-parked -- --service sales --list
 *   npm run redrive-parked -- --service sales [--projection sales.timeline] [--event <id> ...]
 *   npm run redrive-parked -- --service sales --event <id> --discard
 *   npm run redrive-parked -- --relay [--list | --event <id> [--discard]]
 *
 * Same CRM_* settings as the services. Per subject the oldest parked event goes first; one that
 * fails again stays parked with its new reason, and so do the later ones of its subject.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfigOrExit, PlatformConfig } from '@crm/config';
import { crmRegistry } from '@crm/contracts';
import { ParkedEvents } from '@crm/parked-events';
import { createPlatform } from '@crm/platform';
import { ProjectionRunner, type ReadModelsModule } from '@crm/projections';
import { Relay, RELAY_CONSUMER } from '@crm/relay';

export async function redriveParked(
  argv: string[],
  env: Record<string, string | undefined> = process.env,
  print: (line: string) => void = console.log,
): Promise<Record<string, number>> {
  const { values } = parseArgs({
    args: argv,
    options: {
      service: { type: 'string' },
      module: { type: 'string' },
      relay: { type: 'boolean', default: false },
      projection: { type: 'string', multiple: true },
      event: { type: 'string', multiple: true },
      discard: { type: 'boolean', default: false },
      list: { type: 'boolean', default: false },
    },
    strict: true,
  });
  const modulePath = values.module ?? (values.service ? `services/${values.service}/src/read-models.ts` : undefined);
  if (!modulePath && !values.relay)
    throw new Error('usage: redrive-parked --service NAME | --module PATH | --relay [--list] [--projection NAME] [--event ID ...] [--discard]');
  if (values.discard && !values.event?.length) throw new Error('--discard needs --event: name the events to give up on');

  const config = loadConfigOrExit(PlatformConfig, env);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = modulePath ? (require(path.resolve(modulePath)) as ReadModelsModule) : undefined;
  const registry = mod?.registry ?? crmRegistry();
  const platform = await createPlatform(config, { registry, clientId: 'crm-redrive' });
  try {
    const parked = new ParkedEvents(config.CRM_PLATFORM_SCHEMA);
    await parked.migrate(platform.sql);
    if (values.relay) {
      if (values.list) return list(parked, platform.sql, [RELAY_CONSUMER], print);
      const relay = new Relay(platform.eventStore, platform.bus, platform.checkpoints, registry, {
        parking: { sql: platform.sql, schema: config.CRM_PLATFORM_SCHEMA },
      });
      await relay.migrate();
      const r = await relay.redrive({ eventIds: values.event, discard: values.discard });
      print(`relay: ${r.published} published, ${r.discarded} discarded, ${r.stillParked} still parked`);
      return r;
    }
    const selected = mod!.readModels.filter((m) => !values.projection?.length || values.projection.includes(m.projection.name));
    if (selected.length === 0)
      throw new Error(`no read model ${values.projection?.join(', ')} in ${modulePath}; known: ${mod!.readModels.map((m) => m.projection.name).join(', ')}`);
    if (values.list)
      return list(
        parked,
        platform.sql,
        selected.map((m) => m.projection.name),
        print,
      );
    const totals = { applied: 0, discarded: 0, stillParked: 0 };
    for (const schema of new Set(selected.map((m) => m.schema))) {
      const projections = selected.filter((m) => m.schema === schema).map((m) => m.projection);
      const ds = await platform.createDataSource(projections.flatMap((p) => [...p.entities]) as Function[], { schema });
      const runner = new ProjectionRunner(ds, projections, { schema: config.CRM_PLATFORM_SCHEMA, group: `redrive.${schema}` });
      await runner.migrate();
      const r = await runner.redrive(registry, { eventIds: values.event, discard: values.discard });
      totals.applied += r.applied;
      totals.discarded += r.discarded;
      totals.stillParked += r.stillParked;
    }
    print(`${selected.map((m) => m.projection.name).join(', ')}: ${totals.applied} applied, ${totals.discarded} discarded, ${totals.stillParked} still parked`);
    return totals;
  } finally {
    await platform.close();
  }
}

async function list(
  parked: ParkedEvents,
  sql: Parameters<ParkedEvents['open']>[0],
  consumers: string[],
  print: (line: string) => void,
): Promise<Record<string, number>> {
  const open = await parked.open(sql, consumers);
  for (const p of open)
    print(`${p.consumer}\t${p.eventId}\t${p.subject}\t${p.eventType}\t${p.position ?? ''}\tattempts=${p.attempts}\tparked=${p.parkedAt}\t${p.reason}`);
  print(`${open.length} parked event(s)`);
  return { parked: open.length };
}

if (require.main === module) {
  redriveParked(process.argv.slice(2)).catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}
