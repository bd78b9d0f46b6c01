// What the node interop tests (tests/*/*.mjs, run by ctest) share: their
// `--name value` arguments, loading the npm packages from .deps/node (a
// missing package skips the test with exit code 77, which ctest reports as
// skipped), a fresh scratch folder, running Quiver's binaries, and counting
// failures.
//
//   import { startTest } from '../node_test_util.mjs';
//   const t = startTest({ require: ['apache-arrow'], optional: ['@duckdb/node-api'] });
//   t.args.quiver, t.dir, t.pool, t.modules['apache-arrow'], t.quiver('sql', t.pool, q),
//   t.fail('what'), t.finish('summary line')
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const kSkip = 77;
const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
export const nodeModules = path.join(root, '.deps/node/node_modules');

// `--name value` pairs into an object.
export function parseArgs(argv = process.argv.slice(2)) {
  const args = {};
  for (let i = 0; i < argv.length; i += 2) args[argv[i].replace(/^--/, '')] = argv[i + 1];
  return args;
}

// Loads the npm packages named in `required` (exit 77 when one is missing)
// and `optional` (null when missing, with a note).
export function loadModules(required = [], optional = []) {
  const req = createRequire(import.meta.url);
  const out = {};
  for (const name of required) {
    try {
      out[name] = req(path.join(nodeModules, name));
    } catch (e) {
      console.log(`SKIP: cannot load ${name} (tools/node/install.sh): ${e.message.split('\n')[0]}`);
      process.exit(kSkip);
    }
  }
  for (const name of optional) {
    try {
      out[name] = req(path.join(nodeModules, name));
    } catch (e) {
      console.log(`note: ${name} missing, the checks that need it are skipped: ${e.message.split('\n')[0]}`);
      out[name] = null;
    }
  }
  return out;
}

// A test run: arguments, modules, an emptied --dir with `pool` in it, the
// quiver CLI (stdout as text; a non-zero exit throws with stdout and stderr
// attached), and a failure count that finish() turns into the exit code.
export function startTest({ require = [], optional = [], maxFailuresShown = Infinity } = {}) {
  const args = parseArgs();
  const modules = loadModules(require, optional);
  if (!args.dir) throw new Error('missing --dir');
  rmSync(args.dir, { recursive: true, force: true });
  mkdirSync(args.dir, { recursive: true });
  const t = {
    args,
    modules,
    dir: args.dir,
    pool: path.join(args.dir, 'p.pool'),
    failures: 0,
    run: (bin, ...a) =>
      execFileSync(bin, a, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 28 }),
    quiver: (...a) => t.run(args.quiver, ...a),
    // Rows of a query's NDJSON output.
    ndjson: (q, pool = t.pool) =>
      t.quiver('sql', pool, q, '--format', 'ndjson').split('\n').filter((l) => l).map((l) => JSON.parse(l)),
    fail: (what) => {
      if (++t.failures <= maxFailuresShown) console.log(`FAIL ${what}`);
    },
    finish: (summary) => {
      console.log(t.failures ? `${t.failures} failures` : summary);
      process.exit(t.failures ? 1 : 0);
    },
  };
  return t;
}
