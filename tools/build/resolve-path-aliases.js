'use strict';
// Post-build step of `npm run build` (after `tsc -p tsconfig.build.json`): rewrites every
// `require("@crm/...")` the compiler emitted into a relative path to the compiled file, using the
// aliases of tsconfig.base.json. tsc keeps path aliases as written; without this, plain
// `node dist/services/<name>/src/main.js` could not start without a resolver preloaded (the image
// used deploy/docker/register-paths.js for that). Plain Node, no dependency: it runs in the image
// build too. An alias that is not declared fails the build, naming the file.
//
// Usage: node tools/build/resolve-path-aliases.js [outDir=dist] [tsconfig=tsconfig.base.json]
const fs = require('node:fs');
const path = require('node:path');

/** `@crm/x` → absolute path of its compiled entry under outDir (from tsconfig `paths`, `.ts` → `.js`). */
function aliasTargets(tsconfigFile, outDir) {
  const { compilerOptions } = JSON.parse(fs.readFileSync(tsconfigFile, 'utf8'));
  const base = path.resolve(path.dirname(tsconfigFile), compilerOptions.baseUrl || '.');
  const targets = new Map();
  for (const [alias, [target]] of Object.entries(compilerOptions.paths || {})) {
    if (alias.includes('*') || !target) continue;
    // outDir mirrors rootDir "." (tsconfig.build.json), i.e. the baseUrl.
    targets.set(alias, path.join(outDir, path.relative(base, path.resolve(base, target))).replace(/\.ts$/, '.js'));
  }
  return targets;
}

const REQUIRE = /\brequire\((["'])(@crm\/[^"']+)\1\)/g;

/** The text of one compiled file with its `@crm/*` requires made relative; throws on an unknown alias. */
function rewrite(file, text, targets) {
  return text.replace(REQUIRE, (_match, quote, alias) => {
    const target = targets.get(alias);
    if (!target) throw new Error(`${file}: require("${alias}") is not an alias of tsconfig paths`);
    let relative = path.relative(path.dirname(file), target).split(path.sep).join('/');
    if (!relative.startsWith('.')) relative = `./${relative}`;
    return `require(${quote}${relative}${quote})`;
  });
}

function* jsFiles(dir) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* jsFiles(full);
    else if (entry.name.endsWith('.js')) yield full;
  }
}

/**
 * Rewrites every .js file under outDir in place; returns how many files changed. `baseOut` is where
 * the compiler put the tsconfig's baseUrl (default outDir: tsconfig.build.json's rootDir is ".").
 */
function resolvePathAliases(outDir, tsconfigFile, baseOut = outDir) {
  const out = path.resolve(outDir);
  const targets = aliasTargets(path.resolve(tsconfigFile), path.resolve(baseOut));
  let changed = 0;
  for (const file of jsFiles(out)) {
    const text = fs.readFileSync(file, 'utf8');
    const next = rewrite(file, text, targets);
    if (next !== text) {
      fs.writeFileSync(file, next);
      changed++;
    }
  }
  return changed;
}

module.exports = { resolvePathAliases, rewrite, aliasTargets };

if (require.main === module) {
  const root = path.resolve(__dirname, '..', '..');
  const outDir = process.argv[2] || path.join(root, 'dist');
  const tsconfig = process.argv[3] || path.join(root, 'tsconfig.base.json');
  try {
    const changed = resolvePathAliases(outDir, tsconfig);
    process.stdout.write(`resolve-path-aliases: ${changed} files under ${path.relative(process.cwd(), outDir) || '.'} now require relative paths\n`);
  } catch (error) {
    process.stderr.write(`resolve-path-aliases: ${error.message}\n`);
    process.exit(1);
  }
}
