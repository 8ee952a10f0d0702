import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(__dirname, '..', '..');
const committed = path.join(root, 'apps/console/src/api/generated');

// The web console's API types (apps/console/src/api/generated) never drift from the services: each
// committed file must be exactly what the current code generates, so the console's type check sees
// every route and DTO change. The generator runs in its own Node process, as in the partner client's spec.
describe('the web console is typed against the current services', () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-console-client-'));
  beforeAll(() => {
    execFileSync(process.execPath, [path.join(root, 'tools/run-ts.js'), path.join(root, 'tools/openapi/generate-console-client.ts'), '--out-dir', out], {
      cwd: root,
      env: { ...process.env, NODE_OPTIONS: '' },
      stdio: 'pipe',
    });
  });
  afterAll(() => fs.rmSync(out, { recursive: true, force: true }));

  it.each(['sales', 'service', 'marketing', 'partner-portal', 'analytics'])('commits the %s types (else: npm run generate:console-client)', (name) => {
    expect(fs.readFileSync(path.join(committed, `${name}.d.ts`), 'utf8')).toBe(fs.readFileSync(path.join(out, `${name}.d.ts`), 'utf8'));
  });
});
