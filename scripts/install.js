// npm's install step for syscall-lab: builds the native addon with node-gyp
// and says so, or says why it does not. npm hides what an install script
// prints (unless --foreground-scripts): the message also goes to the
// terminal (/dev/tty) when there is one, so nobody waits in silence.
// Not rebuilt: an addon in build/Release that loads in this Node and is
// newer than every file of native/ and binding.gyp (a checkout installed
// as a `file:` dependency, a second `npm install`).
import { spawnSync } from 'node:child_process';
import { openSync, writeSync, closeSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const addon = join(root, 'build', 'Release', 'syscall_lab.node');

function say(text) {
  process.stderr.write(`${text}\n`);
  try {
    const tty = openSync('/dev/tty', 'w');
    writeSync(tty, `${text}\n`);
    closeSync(tty);
  } catch {
    // no terminal (CI, a pipe): stderr and npm's log have it
  }
}

/** Why the addon must be built, or null if the one there is good for this Node. */
function reason() {
  let built;
  try {
    built = statSync(addon).mtimeMs;
  } catch {
    return 'not built yet';
  }
  const sources = [join(root, 'binding.gyp'), ...readdirSync(join(root, 'native')).map((f) => join(root, 'native', f))];
  if (sources.some((f) => statSync(f).mtimeMs > built)) return 'native/ changed since the last build';
  try {
    createRequire(import.meta.url)(addon);
  } catch (err) {
    return `the build there does not load in node ${process.version} (${err.code ?? err.message})`;
  }
  return null;
}

const why = reason();
if (why === null) {
  say(`syscall-lab: the native addon is built for node ${process.version}; not rebuilt`);
  process.exit(0);
}
say(`syscall-lab: building the native addon for node ${process.version} with node-gyp (${why}); about a minute`);
const t0 = Date.now();
const r = spawnSync('node-gyp', ['rebuild'], { cwd: root, stdio: 'inherit' });
if (r.error) {
  say(`syscall-lab: could not run node-gyp: ${r.error.message}`);
  process.exit(1);
}
if (r.status !== 0) {
  say('syscall-lab: the addon build failed (it needs python3, make and a C++ compiler); see above, or npm install --foreground-scripts');
  process.exit(r.status ?? 1);
}
say(`syscall-lab: native addon built in ${Math.round((Date.now() - t0) / 1000)} s`);
