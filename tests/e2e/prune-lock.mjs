// After `npm install --package-lock-only`: drops from package-lock.json the optional dependencies that have no
// entry in it (other platforms' binaries of the agent CLIs that the registry this project uses does not
// serve), so `npm ci` accepts the lockfile. Everything that is installed stays pinned with its integrity.
// Usage (in tests/e2e): node prune-lock.mjs
import { readFileSync, writeFileSync } from 'node:fs';

const lock = JSON.parse(readFileSync('package-lock.json', 'utf8'));
const pruned = [];
for (const [path, pkg] of Object.entries(lock.packages)) {
  if (!pkg.optionalDependencies) continue;
  for (const name of Object.keys(pkg.optionalDependencies)) {
    const nested = `${path ? `${path}/` : ''}node_modules/${name}`;
    if (!lock.packages[nested] && !lock.packages[`node_modules/${name}`]) {
      delete pkg.optionalDependencies[name];
      pruned.push(`${path || '(root)'}: ${name}`);
    }
  }
}
writeFileSync('package-lock.json', `${JSON.stringify(lock, null, 2)}\n`);
console.log(pruned.length ? `pruned:\n  ${pruned.join('\n  ')}` : 'nothing to prune');
