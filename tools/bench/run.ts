/**
 * npm run bench [-- --only <name>[,<name>…]] [--quick] [--out <file>] [--list]
 *
 * Runs the bench modules below in order. Each measures on embedded PGlite and, when DATABASE_URL is
 * set, on that PostgreSQL server (KAFKA_BROKERS for modules that need the bus), and returns figures:
 * a value with the baseline it is compared to in the same run, the ratio, and a goal where one is
 * set. Every figure is printed as it is measured, then all are written as JSON
 * (default `bench-results.json` at the repository root). Exit code 1 if a module failed; an unmet
 * goal is a reported result, not a failure.
 *
 * Adding a module: write `tools/bench/<name>.ts` exporting a `BenchModule` (`kit.ts`: name,
 * description, `run(ctx) → Figure[]`, figures reported through `ctx.report`) and list it in
 * MODULES below.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { appendBench } from './append';
import { customerSearchBench } from './customer-search';
import type { BenchContext, BenchModule, Figure } from './kit';
import { pipelineBench } from './pipeline';
import { rebuildBench } from './rebuild';
import { timelineBench } from './timeline';
import { wakeupBench } from './wakeup';
import { ordersImportBench } from './orders-import';
import { clvFitBench } from './clv-fit';
import { campaignSendBench } from './campaign-send';
import { segmentsBench } from './segments';
import { busBench } from './bus';

/** Every bench module, in the order they run. Add new ones here. */
export const MODULES: readonly BenchModule[] = [
  appendBench,
  wakeupBench,
  timelineBench,
  customerSearchBench,
  rebuildBench,
  pipelineBench,
  ordersImportBench,
  clvFitBench,
  campaignSendBench,
  // segments (issue 13 §2): a compiled segment rule vs the same segment in hand-written SQL
  segmentsBench,
  // bus (issue 15 §3): the @platformatic/kafka bus adapter vs the kafkajs one on the same broker
  busBench,
];

interface Args {
  only?: string[];
  quick: boolean;
  out: string;
  list: boolean;
}

class UsageError extends Error {}

function parseArgs(argv: readonly string[]): Args {
  const args: Args = { quick: false, out: path.resolve(__dirname, '../../bench-results.json'), list: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = a.includes('=') ? a.slice(a.indexOf('=') + 1) : argv[++i];
      if (!v) throw new UsageError(`${a} needs a value`);
      return v;
    };
    if (a === '--quick') args.quick = true;
    else if (a === '--list') args.list = true;
    else if (a === '--only' || a.startsWith('--only='))
      args.only = [
        ...(args.only ?? []),
        ...value()
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean),
      ];
    else if (a === '--out' || a.startsWith('--out=')) args.out = path.resolve(value());
    else throw new UsageError(`unknown argument ${a} (expected --only <name>, --quick, --out <file>, --list)`);
  }
  return args;
}

function formatNumber(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (Math.abs(n) >= 100) return Math.round(n).toLocaleString('en-US');
  return n.toFixed(Math.abs(n) >= 10 ? 1 : 2);
}

export function formatFigure(f: Figure): string {
  let line = `  ${f.name.padEnd(40)} ${formatNumber(f.value).padStart(10)} ${f.unit}`;
  if (f.baseline) line += `  | baseline ${formatNumber(f.baseline.value)} ${f.unit} (${f.baseline.name})`;
  if (f.ratio !== undefined) line += `  | ratio ${f.ratio.toFixed(2)}`;
  if (f.goal) line += `  | goal ${f.goal}: ${f.met ? 'met' : 'NOT met'}`;
  return line;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (args.list) {
    for (const m of MODULES) console.log(`${m.name.padEnd(16)} ${m.description}`);
    return;
  }
  const unknown = (args.only ?? []).filter((n) => !MODULES.some((m) => m.name === n));
  if (unknown.length) throw new UsageError(`unknown bench module(s) ${unknown.join(', ')}; known: ${MODULES.map((m) => m.name).join(', ')}`);
  const selected = MODULES.filter((m) => !args.only || args.only.includes(m.name));

  const databaseUrl = process.env.DATABASE_URL || undefined;
  const kafkaBrokers = process.env.KAFKA_BROKERS || undefined;
  console.log(`bench: ${selected.map((m) => m.name).join(', ')}${args.quick ? ' (quick)' : ''}`);
  console.log(`machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, node ${process.version}`);
  console.log(
    `targets: embedded PGlite${databaseUrl ? `, PostgreSQL ${new URL(databaseUrl).host}` : ' (PostgreSQL skipped: set DATABASE_URL, e.g. after `npm run infra:up`)'}`,
  );

  const figures: Figure[] = [];
  const modules: { name: string; seconds: number; figures: number; error?: string }[] = [];
  for (const module of selected) {
    console.log(`\n## ${module.name} — ${module.description}`);
    const ctx: BenchContext = {
      databaseUrl,
      kafkaBrokers,
      quick: args.quick,
      report(figure) {
        const f = { ...figure };
        if (f.baseline && f.ratio === undefined && f.baseline.value !== 0) f.ratio = f.value / f.baseline.value;
        console.log(formatFigure(f));
        return f;
      },
      log: (message) => console.log(`  ${message}`),
    };
    const t0 = Date.now();
    try {
      const produced = await module.run(ctx);
      figures.push(...produced);
      modules.push({ name: module.name, seconds: (Date.now() - t0) / 1000, figures: produced.length });
    } catch (error) {
      const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
      console.error(`  FAILED: ${message}`);
      modules.push({ name: module.name, seconds: (Date.now() - t0) / 1000, figures: 0, error: message });
    }
  }

  const withGoal = figures.filter((f) => f.goal !== undefined);
  console.log(`\n## summary: ${withGoal.filter((f) => f.met).length} of ${withGoal.length} goals met`);
  for (const f of withGoal.filter((f) => !f.met)) console.log(`  not met: ${f.name} (${formatNumber(f.value)} ${f.unit}, goal ${f.goal})`);
  const report = {
    generatedAt: new Date().toISOString(),
    machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, platform: `${os.platform()} ${os.release()}`, node: process.version },
    options: { only: args.only ?? null, quick: args.quick, postgres: databaseUrl ? new URL(databaseUrl).host : null, kafka: kafkaBrokers ?? null },
    modules,
    figures,
  };
  fs.writeFileSync(args.out, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`figures written to ${path.relative(process.cwd(), args.out) || args.out}`);
  if (modules.some((m) => m.error)) process.exitCode = 1;
}

if (require.main === module) {
  main().catch((e: unknown) => {
    if (e instanceof UsageError) {
      console.error(`bench: ${e.message}`);
      process.exit(2);
    }
    console.error(e);
    process.exit(1);
  });
}
