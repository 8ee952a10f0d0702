// Per-project Nx targets (issue 15 §5): `nx run-many -t test,lint` and `nx affected -t lint,test,build`
// work on every project. The commands live once in nx.json targetDefaults ({projectRoot}); each
// project.json only names the targets. Reads the files; does not run Nx.
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(__dirname, '..');
type Target = { executor?: string; options?: { command?: string }; cache?: boolean; inputs?: unknown[]; outputs?: unknown[] };
const readJson = <T>(file: string): T => JSON.parse(fs.readFileSync(path.join(root, file), 'utf8')) as T;

function projectFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name === 'node_modules') continue;
    const rel = path.join(dir, entry.name);
    if (fs.existsSync(path.join(root, rel, 'project.json'))) out.push(path.join(rel, 'project.json'));
    else out.push(...projectFiles(rel));
  }
  return out;
}

describe('Nx targets', () => {
  const nx = readJson<{ targetDefaults: Record<string, Target> }>('nx.json');
  const projects = [...projectFiles('libs'), ...projectFiles('services')];

  it('define test and lint once, per project root, cached, a project without specs passing', () => {
    const { test, lint } = nx.targetDefaults;
    expect(test).toMatchObject({ executor: 'nx:run-commands', cache: true, outputs: [] });
    expect(test.options?.command).toMatch(/jest -c jest\.config\.js --passWithNoTests \{projectRoot\}\/$/);
    expect(lint).toMatchObject({ executor: 'nx:run-commands', cache: true, outputs: [] });
    expect(lint.options?.command).toMatch(/eslint \{projectRoot\} --max-warnings=0$/);
    for (const t of [test, lint]) expect(t.inputs).toEqual(['default', '^production']);
  });

  it('gives every project a test and a lint target', () => {
    expect(projects.length).toBeGreaterThan(30);
    for (const file of projects) {
      const { targets = {} } = readJson<{ targets?: Record<string, Target> }>(file);
      expect(`${file}: ${'test' in targets} ${'lint' in targets}`).toBe(`${file}: true true`);
      const command = targets.test.options?.command;
      if (command !== undefined) expect(command).toContain('--passWithNoTests');
    }
  });

  it('runs the root project on tools/ only (not the npm scripts of the same name) and builds once', () => {
    const { targets = {} } = readJson<{ targets?: Record<string, Target> }>('project.json');
    expect(targets.test).toMatchObject({ executor: 'nx:run-commands' });
    expect(targets.test.options?.command).toMatch(/ tools\/$/);
    expect(targets.lint.options?.command).toMatch(/eslint tools /);
    expect(targets.build).toMatchObject({ executor: 'nx:run-commands', options: { command: 'npm run build' }, outputs: ['{workspaceRoot}/dist'], cache: true });
  });
});
