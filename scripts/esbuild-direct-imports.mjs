/* global console */
// An esbuild plugin for scripts/build-bundle.mjs: rewrites `import { a, b } from '../x/index.js'`
// in kubekeeper's sources into imports from the files the index re-exports them from. esbuild
// splits code by file reachability, so an import through a domain's index.ts would put every
// file the index names into the importing command's chunk (snapshot status would load the gRPC
// client); direct imports keep each command's chunk to what it uses. Indexes contain only
// `export { ... } from './file.js'` (STYLE.md); names it cannot map stay on the index import.
import { readFileSync } from 'node:fs';
import path from 'node:path';

const IMPORT = /import\s+(type\s+)?\{([^}]*)\}\s+from\s+'([^']*\/index\.js)';/g;
const REEXPORT = /export\s+(type\s+)?\{([^}]*)\}\s+from\s+'([^']+)';/g;

function specs(list) {
  return list.split(',').map((s) => s.trim()).filter(Boolean).map((s) => {
    const type = s.startsWith('type ');
    const [imported, local = imported] = (type ? s.slice(5) : s).split(/\s+as\s+/).map((x) => x.trim());
    return { type, imported, local };
  });
}

const barrels = new Map();
/** Exported name -> { file (absolute .ts path), name } for one index.ts. */
function barrel(indexTs) {
  let map = barrels.get(indexTs);
  if (map) return map;
  map = new Map();
  const text = readFileSync(indexTs, 'utf8');
  for (const m of text.matchAll(REEXPORT)) {
    if (m[1]) continue; // type-only re-exports vanish from the bundle anyway
    const file = path.resolve(path.dirname(indexTs), m[3]).replace(/\.js$/, '.ts');
    for (const s of specs(m[2])) if (!s.type) map.set(s.local, { file, name: s.imported });
  }
  barrels.set(indexTs, map);
  return map;
}

function rel(from, toTs) {
  const r = path.relative(path.dirname(from), toTs).replace(/\.ts$/, '.js');
  return r.startsWith('.') ? r : `./${r}`;
}

/** The plugin; `srcDir` is the absolute path of src/. */
export function directImports(srcDir) {
  let rewritten = 0;
  return {
    name: 'kubekeeper-direct-imports',
    setup(build) {
      build.onLoad({ filter: /\.ts$/ }, (args) => {
        if (!args.path.startsWith(srcDir) || path.basename(args.path) === 'index.ts') return undefined;
        const text = readFileSync(args.path, 'utf8');
        const contents = text.replace(IMPORT, (whole, typeOnly, list, spec) => {
          if (typeOnly) return whole;
          const map = barrel(path.resolve(path.dirname(args.path), spec).replace(/\.js$/, '.ts'));
          const bySource = new Map();
          const rest = [];
          for (const s of specs(list)) {
            const target = s.type ? undefined : map.get(s.imported);
            if (!target) {
              if (!s.type) rest.push(s.imported === s.local ? s.imported : `${s.imported} as ${s.local}`);
              continue;
            }
            const names = bySource.get(target.file) ?? [];
            names.push(target.name === s.local ? s.local : `${target.name} as ${s.local}`);
            bySource.set(target.file, names);
          }
          rewritten++;
          const lines = [...bySource].map(([file, names]) => `import { ${names.join(', ')} } from '${rel(args.path, file)}';`);
          if (rest.length > 0) lines.push(`import { ${rest.join(', ')} } from '${spec}';`);
          return lines.join('\n');
        });
        return { contents, loader: 'ts' };
      });
      build.onEnd(() => {
        if (rewritten === 0) console.warn('kubekeeper-direct-imports: no index import rewritten');
      });
    },
  };
}
