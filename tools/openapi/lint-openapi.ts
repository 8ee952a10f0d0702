/**
 * `npm run lint:openapi`: builds every service's OpenAPI document (as served at `/openapi.json`)
 * into a temp dir and runs Spectral (`.spectral.yaml`: `spectral:oas`) on each. Any error fails
 * (exit 1); warnings are listed and counted but pass. `--keep` leaves the documents in the temp dir.
 *
 *   node tools/run-ts.js tools/openapi/lint-openapi.ts [--keep] [service…]
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildServiceDocuments, documentText, SERVICE_NAMES, type ServiceName } from './service-documents';

const root = path.resolve(__dirname, '..', '..');

interface SpectralResult {
  code: string;
  message: string;
  path: string[];
  severity: number; // 0 error, 1 warning, 2 info, 3 hint
}

function spectral(file: string): SpectralResult[] {
  const bin = path.join(root, 'node_modules', '.bin', 'spectral');
  const args = ['lint', file, '--ruleset', path.join(root, '.spectral.yaml'), '--format', 'json', '--quiet'];
  let out: string;
  try {
    out = execFileSync(bin, args, { cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  } catch (e) {
    // Spectral exits non-zero when it finds an error; its report is still on stdout.
    out = String((e as { stdout?: string }).stdout ?? '');
    if (!out.trim()) throw e;
  }
  const start = out.indexOf('[');
  return start < 0 ? [] : (JSON.parse(out.slice(start)) as SpectralResult[]);
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const keep = args.includes('--keep');
  const asked = args.filter((a) => !a.startsWith('--'));
  const unknown = asked.filter((a) => !(SERVICE_NAMES as string[]).includes(a));
  if (unknown.length) throw new Error(`unknown service(s): ${unknown.join(', ')} (known: ${SERVICE_NAMES.join(', ')})`);
  const names = asked.length ? (asked as ServiceName[]) : SERVICE_NAMES;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-openapi-lint-'));
  let errors = 0;
  let warnings = 0;
  try {
    const documents = await buildServiceDocuments(names);
    for (const [name, document] of documents) {
      const file = path.join(dir, `${name}.openapi.json`);
      fs.writeFileSync(file, documentText(document));
      const results = spectral(file);
      const own = { errors: results.filter((r) => r.severity === 0), warnings: results.filter((r) => r.severity === 1) };
      errors += own.errors.length;
      warnings += own.warnings.length;
      console.log(`${name}: ${own.errors.length} error(s), ${own.warnings.length} warning(s)`);
      for (const r of [...own.errors, ...own.warnings]) console.log(`  ${r.severity === 0 ? 'error' : 'warning'} ${r.code} ${r.path.join('.')}: ${r.message}`);
    }
  } finally {
    if (keep) console.log(`documents kept in ${dir}`);
    else fs.rmSync(dir, { recursive: true, force: true });
  }
  console.log(`OpenAPI lint: ${errors} error(s), ${warnings} warning(s) in ${names.length} document(s)`);
  process.exitCode = errors > 0 ? 1 : 0;
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
