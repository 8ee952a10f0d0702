// Structure of deploy/docker/Dockerfile and .dockerignore (no Docker engine here: images are not built).
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(__dirname, '../..');
const read = (p: string): string => fs.readFileSync(path.join(root, p), 'utf8');

interface Stage {
  name: string;
  from: string;
  lines: string[];
}

/** Stages of a Dockerfile, continuation lines joined, comments dropped. */
function parseStages(text: string): Stage[] {
  const logical = text
    .replace(/\\\r?\n/g, ' ')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const stages: Stage[] = [];
  for (const line of logical) {
    const from = /^FROM\s+(?:--\S+\s+)*(\S+)(?:\s+AS\s+(\S+))?$/i.exec(line);
    if (from) {
      stages.push({ from: from[1], name: (from[2] ?? String(stages.length)).toLowerCase(), lines: [] });
    } else if (stages.length) {
      stages[stages.length - 1].lines.push(line);
    }
  }
  return stages;
}

const dockerfile = read('deploy/docker/Dockerfile');
const stages = parseStages(dockerfile);
const stage = (name: string): Stage => {
  const s = stages.find((x) => x.name === name);
  if (!s) throw new Error(`Dockerfile has no stage "${name}" (stages: ${stages.map((x) => x.name).join(', ')})`);
  return s;
};
/** A stage and the stages it is built FROM, nearest first. */
function chain(name: string): Stage[] {
  const out: Stage[] = [];
  for (let s: Stage | undefined = stage(name); s; s = stages.find((x) => x.name === s?.from)) out.push(s);
  return out;
}
/** The effective value of the last instruction `keyword` along the chain (nearest wins). */
function effective(name: string, keyword: string): string | undefined {
  for (const s of chain(name)) {
    const hits = s.lines.filter((l) => l.toUpperCase().startsWith(`${keyword} `));
    if (hits.length) return hits[hits.length - 1].slice(keyword.length + 1).trim();
  }
  return undefined;
}

const SERVICES: Record<string, number> = { sales: 3001, service: 3002, marketing: 3003, 'partner-portal': 3004, analytics: 3005 };
const TARGETS = [...Object.keys(SERVICES), 'relay'];

describe('deploy/docker/Dockerfile', () => {
  it('has one target per service, the relay, and the generic runtime with ARG SERVICE', () => {
    for (const t of [...TARGETS, 'runtime']) expect(stage(t)).toBeDefined();
    expect(stage('runtime').lines).toContain('ARG SERVICE=sales');
  });

  it('builds with the same lockfile install as CI (npm ci), then npm run build', () => {
    expect(read('.ci/run')).toMatch(/^npm ci\b/m);
    const build = stage('build');
    expect(build.lines.some((l) => /^COPY .*package-lock\.json/.test(l))).toBe(true);
    const ci = build.lines.findIndex((l) => /^RUN npm ci\b/.test(l));
    const compile = build.lines.findIndex((l) => /^RUN npm run build\b/.test(l));
    expect(ci).toBeGreaterThanOrEqual(0);
    expect(compile).toBeGreaterThan(ci);
    expect(build.lines.some((l) => /npm (install|i)\b/.test(l))).toBe(false);
  });

  it('prunes to production dependencies from the same lockfile', () => {
    const prune = stage('prune');
    expect(prune.lines.some((l) => /^RUN npm (ci|prune)\b.*--omit=dev/.test(l))).toBe(true);
    expect(prune.lines.some((l) => /^COPY .*package-lock\.json/.test(l))).toBe(true);
  });

  it.each(TARGETS)('target %s runs as a non-root user with production dependencies only, on a slim, supported Node LTS base (22 or 24)', (t) => {
    const user = effective(t, 'USER');
    expect(user).toBeDefined();
    expect(user).not.toMatch(/^(root|0)(:|$)/);
    const copies = chain(t).flatMap((s) => s.lines.filter((l) => l.startsWith('COPY ')));
    const modules = copies.filter((l) => /node_modules/.test(l));
    expect(modules.length).toBeGreaterThan(0);
    for (const c of modules) expect(c).toMatch(/--from=prune\b/);
    // dist comes from the build stage, nothing else of it (its node_modules hold dev dependencies)
    for (const c of copies.filter((l) => /--from=build\b/.test(l))) expect(c).toMatch(/\/app\/dist\s/);
    expect(chain(t).some((s) => s.lines.some((l) => /^RUN npm (ci|install|i)\b/.test(l)))).toBe(false);
    const base = chain(t)[chain(t).length - 1].from;
    expect(base).toBe('${NODE_IMAGE}');
    // node:22 or node:24 (Node 20 is end-of-life), Debian slim, optionally pinned @sha256:<64 hex>.
    expect(dockerfile).toMatch(/^ARG NODE_IMAGE=node:(22|24)[\w.-]*-slim(@sha256:[0-9a-f]{64})?$/m);
    expect(effective(t, 'ENV')).toBeDefined();
  });

  it.each(Object.entries(SERVICES))('target %s names its component and exposes port %i', (t, port) => {
    expect(stage(t).lines).toContain(`ENV APP_COMPONENT=${t}`);
    expect(stage(t).lines).toContain(`EXPOSE ${port}`);
  });

  it('runs compiled JavaScript with plain node, no preload, never the swc register', () => {
    const entry = read('deploy/docker/entrypoint.sh');
    expect(entry).toContain('NODE="node --enable-source-maps"');
    expect(entry).not.toMatch(/\s-r\s|--require|register-paths/);
    expect(entry).toContain('dist/tools/relay.js');
    expect(entry).toContain('dist/services/$component/src/main.js');
    expect(entry).not.toMatch(/run-ts|ts-register|@swc/);
    for (const name of TARGETS) expect(entry).toMatch(new RegExp(`\\b${name}\\b`));
    // The images set no CRM_* variable a process would refuse (only declared settings).
    const envs = [...dockerfile.matchAll(/^ENV (.+)$/gm)].flatMap((m) => m[1].split(/\s+/)).map((kv) => kv.split('=')[0]);
    expect(envs.filter((n) => n.startsWith('CRM_')).sort()).toEqual(['CRM_DATA_DIR', 'CRM_MODE']);
  });

  it('the build resolves every @crm alias it emits (no alias resolver in the image)', () => {
    const base = JSON.parse(read('tsconfig.base.json')) as { compilerOptions: { paths: Record<string, string[]> } };
    const build = JSON.parse(read('tsconfig.build.json')) as { include: string[]; exclude: string[] };
    expect(build.include).toEqual(expect.arrayContaining(['libs/**/*.ts', 'services/**/*.ts', 'tools/**/*.ts']));
    for (const [alias, [target]] of Object.entries(base.compilerOptions.paths)) {
      if (alias.endsWith('/testing')) continue; // test helpers: not built, never imported at run time
      expect(target).toMatch(/^(libs|services|tools)\/.+\.ts$/);
    }
    expect(dockerfile).not.toContain('register-paths');
    // Each entry point loads decorator metadata itself (no preload does it any more).
    for (const main of [...Object.keys(SERVICES).map((s) => `services/${s}/src/main.ts`), 'tools/relay.ts', 'tools/migrate.ts']) {
      expect(`${main}: ${/^import 'reflect-metadata';$/m.test(read(main))}`).toBe(`${main}: true`);
    }
  });
});

describe('.dockerignore', () => {
  const ignored = read('.dockerignore')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  it.each(['node_modules', 'data', '.local', '.cache', 'dist', '.git'])('excludes %s', (entry) => {
    expect(ignored).toContain(entry);
  });
  it('keeps what the build needs', () => {
    for (const needed of ['package.json', 'package-lock.json', 'tsconfig.base.json', 'libs', 'services', 'tools', 'deploy/docker']) {
      expect(ignored).not.toContain(needed);
    }
  });
});
