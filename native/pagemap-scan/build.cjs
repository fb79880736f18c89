// Builds the module with node-gyp (npm's own copy). Node's headers are taken from the
// installation running this script when it ships them (no download); otherwise node-gyp
// fetches them as usual. A failure fails only this optional package: memtop then reads
// pagemap without PAGEMAP_SCAN.
const { spawnSync } = require('node:child_process');
const { existsSync } = require('node:fs');
const { dirname, join, resolve } = require('node:path');

if (process.platform !== 'linux') {
  console.error('memtop-pagemap-scan: Linux only');
  process.exit(1);
}
const args = ['rebuild'];
const prefix = resolve(dirname(process.execPath), '..');
if (existsSync(join(prefix, 'include', 'node', 'node_api.h'))) args.push(`--nodedir=${prefix}`);
// The module is C: link it with the C compiler (gyp's makefiles link with the C++ one).
const env = { ...process.env, LINK: process.env.LINK ?? process.env.CC ?? 'cc' };
const gyp = process.env.npm_config_node_gyp;
const run = gyp
  ? spawnSync(process.execPath, [gyp, ...args], { stdio: 'inherit', env })
  : spawnSync('node-gyp', args, { stdio: 'inherit', env });
process.exit(run.status ?? 1);
