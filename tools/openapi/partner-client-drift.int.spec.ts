import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(__dirname, '..', '..');
const committed = {
  openapi: path.join(root, 'libs/clients/partner-portal/openapi.json'),
  schema: path.join(root, 'libs/clients/partner-portal/src/schema.d.ts'),
};

// The typed partner client (libs/clients/partner-portal) never drifts from the portal: its committed
// openapi.json and schema.d.ts must be exactly what the current code generates. An int spec, not a
// unit one: the document is the portal's own, built by the app on an embedded platform (PGlite).
// The generator runs as `npm run generate:partner-client` does, in its own Node process
// (openapi-typescript loads ESM-only modules that Jest's module runtime cannot require).
describe('the partner portal client is generated from the current portal', () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-partner-client-'));
  beforeAll(() => {
    execFileSync(process.execPath, [path.join(root, 'tools/run-ts.js'), path.join(root, 'tools/openapi/generate-partner-client.ts'), '--out-dir', out], {
      cwd: root,
      env: { ...process.env, NODE_OPTIONS: '' },
      stdio: 'pipe',
    });
  });
  afterAll(() => fs.rmSync(out, { recursive: true, force: true }));

  it('commits the OpenAPI document the portal serves now (else: npm run generate:partner-client)', () => {
    expect(fs.readFileSync(committed.openapi, 'utf8')).toBe(fs.readFileSync(path.join(out, 'openapi.json'), 'utf8'));
  });

  it('commits the types openapi-typescript generates from it (else: npm run generate:partner-client)', () => {
    expect(fs.readFileSync(committed.schema, 'utf8')).toBe(fs.readFileSync(path.join(out, 'schema.d.ts'), 'utf8'));
  });
});
