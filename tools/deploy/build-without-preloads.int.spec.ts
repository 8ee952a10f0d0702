// `npm run build` resolves the `@crm/*` path aliases at build time (tools/build/resolve-path-aliases.js),
// so compiled entry points start with plain `node`, no resolver preloaded — in the image and on a
// developer's machine alike. The spec compiles one small entry with the repository's tsconfig into
// a temp directory laid out like the image (/app/dist + /app/node_modules), rewrites it, and runs it;
// it never depends on a previous `npm run build`.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(__dirname, '../..');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { resolvePathAliases, rewrite, aliasTargets } = require('../build/resolve-path-aliases.js') as {
  resolvePathAliases(outDir: string, tsconfig: string, baseOut?: string): number;
  rewrite(file: string, text: string, targets: Map<string, string>): string;
  aliasTargets(tsconfig: string, outDir: string): Map<string, string>;
};

jest.setTimeout(180_000);

describe('tools/build/resolve-path-aliases.js', () => {
  const targets = new Map([['@crm/kernel', '/app/dist/libs/kernel/src/index.js']]);

  it('makes an alias require relative to the requiring file, quotes and wrappers kept', () => {
    const file = '/app/dist/services/sales/src/main.js';
    expect(rewrite(file, 'const k = __importStar(require("@crm/kernel"));', targets)).toBe(
      'const k = __importStar(require("../../../libs/kernel/src/index.js"));',
    );
    expect(rewrite('/app/dist/libs/kernel/src/a/b.js', "require('@crm/kernel')", targets)).toBe("require('../index.js')");
    expect(rewrite('/app/dist/x.js', 'require("@nestjs/core"); require("./local")', targets)).toBe('require("@nestjs/core"); require("./local")');
  });

  it('fails naming the file on an alias tsconfig does not declare', () => {
    expect(() => rewrite('/app/dist/x.js', 'require("@crm/nope")', targets)).toThrow(/x\.js: require\("@crm\/nope"\) is not an alias/);
  });

  it('knows every alias of tsconfig.base.json, each pointing at a .js file under dist', () => {
    const all = aliasTargets(path.join(root, 'tsconfig.base.json'), '/app/dist');
    const base = JSON.parse(fs.readFileSync(path.join(root, 'tsconfig.base.json'), 'utf8')) as { compilerOptions: { paths: Record<string, string[]> } };
    expect([...all.keys()].sort()).toEqual(Object.keys(base.compilerOptions.paths).sort());
    for (const target of all.values()) expect(target).toMatch(/^\/app\/dist\/(libs|services|tools)\/.+\.js$/);
  });

  it("runs as the second half of the services' build in npm run build, and the image starts processes (the console too) without -r", () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    // then the web console (its type check and its Vite build into dist/console)
    expect(pkg.scripts.build).toMatch(/^tsc -p tsconfig\.build\.json && node tools\/build\/resolve-path-aliases\.js( && |$)/);
    // the console's server is compiled with the rest (dist/apps/console/server/main.js, the console image's process)
    const build = JSON.parse(fs.readFileSync(path.join(root, 'tsconfig.build.json'), 'utf8')) as { include: string[] };
    expect(build.include).toContain('apps/console/server/**/*.ts');
    const entry = fs.readFileSync(path.join(root, 'deploy/docker/entrypoint.sh'), 'utf8');
    expect(entry).not.toMatch(/\s-r\s|--require/);
    expect(entry).toContain('dist/apps/console/server/main.js');
  });
});

describe('a compiled entry point', () => {
  let tmp: string;
  beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-build-'));
  });
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('starts with plain node, no preload, after the build step rewrote its aliases', () => {
    const app = path.join(tmp, 'app');
    const src = path.join(tmp, 'src');
    fs.mkdirSync(app);
    fs.mkdirSync(src);
    // Laid out like the image: dependencies beside dist/.
    fs.symlinkSync(path.join(root, 'node_modules'), path.join(app, 'node_modules'), 'dir');
    fs.writeFileSync(
      path.join(src, 'main.ts'),
      [
        "import { PlatformConfig, settingNames } from '@crm/config';",
        "import { isCurrencyCode } from '@crm/kernel';",
        "process.stdout.write(`settings ${settingNames(PlatformConfig).includes('CRM_MODE')} currency ${isCurrencyCode('EUR')}\\n`);",
        '',
      ].join('\n'),
    );
    // The repository's compiler options and aliases; rootDir "/" because the entry lives outside
    // the repository, so dist mirrors absolute paths.
    const tsconfig = path.join(tmp, 'tsconfig.json');
    fs.writeFileSync(
      tsconfig,
      JSON.stringify({
        extends: path.join(root, 'tsconfig.base.json'),
        compilerOptions: {
          outDir: path.join(app, 'dist'),
          rootDir: '/',
          noEmit: false,
          sourceMap: false,
          types: ['node'],
          typeRoots: [path.join(root, 'node_modules/@types')],
        },
        files: [path.join(src, 'main.ts')],
      }),
    );
    execFileSync(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', tsconfig], { cwd: root, encoding: 'utf8' });
    const main = path.join(app, 'dist', src, 'main.js');
    const before = spawnSync(process.execPath, [main], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } });
    expect(before.status).not.toBe(0);
    expect(before.stderr).toMatch(/Cannot find module '@crm\/(config|kernel)'/);

    const changed = resolvePathAliases(path.join(app, 'dist'), path.join(root, 'tsconfig.base.json'), path.join(app, 'dist', root));
    expect(changed).toBeGreaterThanOrEqual(1);
    const run = spawnSync(process.execPath, [main], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } });
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe('settings true currency true\n');
    // Idempotent: a second pass (an incremental rebuild) changes nothing.
    expect(resolvePathAliases(path.join(app, 'dist'), path.join(root, 'tsconfig.base.json'), path.join(app, 'dist', root))).toBe(0);
  });
});
