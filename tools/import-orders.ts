/**
 * npm run import-orders -- --file orders.csv [--system erp] [--customer-kind person|organisation]
 *                          [--url http://localhost:3001] [--token <bearer>] | [--direct] [--as <staff id>]
 *
 * The command-line form of `POST /orders/import`, for large files, with a progress bar (bytes of
 * the file, lines, orders, failures, rows per second). Two ways, one application command
 * (`OrderImports.run`, the one the route runs):
 *
 * - through the running CRM's API (default, `--url`, default http://localhost:3001): the file is
 *   streamed to `POST /orders/import` (never read into memory) while `GET /orders/imports/{id}` is
 *   polled for the counts. The token: `--token`, or `CRM_TOKEN`, or — embedded mode, on the same
 *   machine — one minted with the key under CRM_DATA_DIR (as `npm run token`, role manager).
 * - straight into the store (`--direct`), with the CRM_* settings `npm start` takes: embedded only
 *   while the CRM is stopped (the data folder belongs to one process); distributed beside the
 *   services (the relay publishes the events, the read models follow).
 *
 * Writes the import's outcome as JSON on stdout; exit code 0 when it completed (lines may have
 * failed: they are listed), 1 when it was refused or failed, 2 for a usage error.
 */
import fs from 'node:fs';
import { randomUUID } from 'node:crypto';
import { Transform, Readable } from 'node:stream';
import { parseArgs } from 'node:util';
import { loadConfig } from '@crm/config';
import { crmRegistry } from '@crm/contracts';
import { withPersonalData } from '@crm/personal-data';
import { createPlatform } from '@crm/platform';
import { contractCheckedStore, createRelationshipCommands, OrderCsvRefusedError, type OrderImportCounts, type OrderImportView } from '@crm/relationship-api';
import { authSettings, mintToken, readSigningKey, type StaffPrincipal } from '@crm/service-kit';
import { EmbeddedHostConfig } from './embedded-host-config';

const USAGE =
  'usage: npm run import-orders -- --file <orders.csv> [--system <id system>] [--customer-kind person|organisation] [--url <sales base url>] [--token <bearer>] | [--direct] [--as <staff id>]';

export class UsageError extends Error {}

export interface ImportOrdersIo {
  /** The progress bar's terminal (stderr); `isTTY` false: a line every few seconds instead of redrawing one. */
  progress: { write(text: string): unknown; isTTY?: boolean };
  /** Where "now" comes from, for the rate shown (milliseconds). */
  now?: () => number;
}

interface Args {
  file: string;
  system?: string;
  customerKind?: 'person' | 'organisation';
  url: string;
  token?: string;
  direct: boolean;
  as: string;
}

function parse(argv: string[]): Args {
  const { values } = parseArgs({
    args: argv,
    options: {
      file: { type: 'string' },
      system: { type: 'string' },
      'customer-kind': { type: 'string' },
      url: { type: 'string', default: 'http://localhost:3001' },
      token: { type: 'string' },
      direct: { type: 'boolean', default: false },
      as: { type: 'string', default: 'import-orders' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) throw new UsageError(USAGE);
  if (!values.file) throw new UsageError(`--file is required\n${USAGE}`);
  if (!fs.existsSync(values.file) || !fs.statSync(values.file).isFile()) throw new UsageError(`${values.file} is not a file`);
  const kind = values['customer-kind'];
  if (kind !== undefined && kind !== 'person' && kind !== 'organisation') throw new UsageError('--customer-kind is person or organisation');
  return {
    file: values.file,
    ...(values.system !== undefined && { system: values.system }),
    ...(kind !== undefined && { customerKind: kind }),
    url: values.url!.replace(/\/+$/, ''),
    ...(values.token !== undefined && { token: values.token }),
    direct: values.direct!,
    as: values.as!,
  };
}

const mb = (bytes: number) => `${(bytes / 1_048_576).toFixed(1)} MB`;
const n = (value: number) => value.toLocaleString('en-US');

/**
 * A progress bar drawn on one terminal line (redrawn at most 10 times a second), or on a terminal
 * that is not one, a line every 5 seconds. No library: none is a dependency of the project.
 */
export class ProgressBar {
  private lastDraw = -Infinity;
  private readonly started: number;
  constructor(
    private readonly total: number,
    private readonly io: ImportOrdersIo,
  ) {
    this.started = this.now();
  }

  private now(): number {
    return this.io.now?.() ?? Date.now();
  }

  /** The line for `bytes` of the file sent or read and the counts so far. */
  line(bytes: number, counts?: Partial<OrderImportCounts>): string {
    const width = 30;
    const share = this.total > 0 ? Math.min(1, bytes / this.total) : 1;
    const filled = Math.round(share * width);
    const seconds = Math.max(0.001, (this.now() - this.started) / 1000);
    const parts = [`[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(share * 100).toFixed(0).padStart(3)}%`, `${mb(bytes)}/${mb(this.total)}`];
    if (counts?.lines !== undefined) parts.push(`${n(counts.lines)} lines (${n(Math.round(counts.lines / seconds))}/s)`);
    if (counts?.orders !== undefined)
      parts.push(
        `${n(counts.created ?? 0)} orders new, ${n(counts.existing ?? 0)} known, ${n(counts.failedOrders ?? 0)} failed, ${n(counts.customersCreated ?? 0)} customers new`,
      );
    return parts.join(' · ');
  }

  update(bytes: number, counts?: Partial<OrderImportCounts>, force = false): void {
    const now = this.now();
    const every = this.io.progress.isTTY ? 100 : 5000;
    if (!force && now - this.lastDraw < every) return;
    this.lastDraw = now;
    const text = this.line(bytes, counts);
    this.io.progress.write(this.io.progress.isTTY ? `\r${text}\u001b[K` : `${text}\n`);
  }

  done(bytes: number, counts?: Partial<OrderImportCounts>): void {
    this.update(bytes, counts, true);
    if (this.io.progress.isTTY) this.io.progress.write('\n');
  }
}

/** Runs the import; resolves to its outcome (the import's record). */
export async function main(argv: string[], env: Record<string, string | undefined>, io: ImportOrdersIo): Promise<OrderImportView> {
  const args = parse(argv);
  const size = fs.statSync(args.file).size;
  const bar = new ProgressBar(size, io);
  return args.direct ? direct(args, env, bar) : overHttp(args, env, bar);
}

async function overHttp(args: Args, env: Record<string, string | undefined>, bar: ProgressBar): Promise<OrderImportView> {
  const token = args.token ?? env.CRM_TOKEN ?? (await embeddedToken(env));
  const importId = randomUUID();
  const query = new URLSearchParams({ importId, ...(args.system && { system: args.system }), ...(args.customerKind && { customerKind: args.customerKind }) });
  let sent = 0;
  let counts: OrderImportCounts | undefined;
  const counting = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      sent += chunk.length;
      bar.update(sent, counts);
      done(null, chunk);
    },
  });
  const body = Readable.toWeb(fs.createReadStream(args.file).pipe(counting)) as ReadableStream<Uint8Array>;
  const headers = { authorization: `Bearer ${token}` };
  // The server's counts (recorded every 1,000 lines), beside the bytes sent.
  let polling = true;
  const poll = (async () => {
    while (polling) {
      await new Promise((r) => setTimeout(r, 1000));
      if (!polling) break;
      const r = await fetch(`${args.url}/orders/imports/${importId}`, { headers }).catch(() => undefined);
      if (r?.ok) counts = ((await r.json()) as OrderImportView).counts;
    }
  })();
  try {
    const r = await fetch(`${args.url}/orders/import?${query}`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'text/csv' },
      body,
      duplex: 'half',
    } as RequestInit);
    const answer = (await r.json()) as OrderImportView & { detail?: string; errors?: unknown[] };
    if (!r.ok) throw new Error(`the CRM answered ${r.status}: ${answer.detail ?? JSON.stringify(answer)}`);
    bar.done(sent, answer.counts);
    return answer;
  } finally {
    polling = false;
    await poll;
  }
}

/** Embedded mode on this machine: a token signed with the key the CRM under CRM_DATA_DIR uses. */
async function embeddedToken(env: Record<string, string | undefined>): Promise<string> {
  const known = new Set(['CRM_DATA_DIR', 'CRM_JWT_ISSUER', 'CRM_JWT_AUDIENCE', 'CRM_SIGNING_KEY_FILE', 'CRM_JWKS_FILE']);
  const config = loadConfig(EmbeddedHostConfig, Object.fromEntries(Object.entries(env).filter(([k]) => known.has(k))));
  const settings = authSettings(config);
  if (!fs.existsSync(settings.signingKeyFile))
    throw new UsageError(`no --token (or CRM_TOKEN), and no signing key at ${settings.signingKeyFile} to mint one: pass a token of a sales manager or admin`);
  const key = await readSigningKey(settings.signingKeyFile);
  return mintToken(
    { kind: 'staff', subject: 'import-orders', department: 'sales', roles: ['manager'] },
    { signingKey: key, issuer: settings.issuer, audience: settings.audience, expiresIn: '12h' },
  );
}

async function direct(args: Args, env: Record<string, string | undefined>, bar: ProgressBar): Promise<OrderImportView> {
  const config = loadConfig(EmbeddedHostConfig, Object.fromEntries(Object.entries(env).filter(([k]) => k.startsWith('CRM_') && k !== 'CRM_TOKEN')));
  const registry = crmRegistry();
  const platform = await createPlatform(config, { registry, clientId: 'crm-import-orders' });
  try {
    // The write side the services run: contract check, personal fields sealed.
    const store = contractCheckedStore(withPersonalData(platform.eventStore, platform.personalData, platform.sql), registry);
    const commands = createRelationshipCommands(store);
    const principal: StaffPrincipal = { kind: 'staff', subject: args.as, department: 'sales', roles: ['manager'] };
    let read = 0;
    const file = fs.createReadStream(args.file);
    file.on('data', (chunk) => (read += chunk.length));
    return await commands.orderImports
      .run(principal, file, {
        ...(args.system !== undefined && { system: args.system }),
        ...(args.customerKind !== undefined && { customerKind: args.customerKind }),
        onProgress: (counts) => bar.update(read, counts),
      })
      .then((view) => {
        bar.done(read, view.counts);
        return view;
      });
  } finally {
    await platform.close();
  }
}

if (require.main === module) {
  main(process.argv.slice(2), process.env, { progress: process.stderr }).then(
    (view) => {
      process.stdout.write(`${JSON.stringify(view, null, 2)}\n`);
      process.exitCode = view.status === 'completed' ? 0 : 1;
    },
    (error: unknown) => {
      if (error instanceof UsageError) {
        process.stderr.write(`import-orders: ${error.message}\n`);
        process.exit(2);
      }
      process.stderr.write(
        `\nimport-orders: ${error instanceof OrderCsvRefusedError ? `the file is refused (${error.field}): ` : ''}${error instanceof Error ? error.message : String(error)}\n`,
      );
      process.exit(1);
    },
  );
}
