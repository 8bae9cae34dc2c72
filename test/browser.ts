// A real browser for the tests of what is drawn (SVG, HTML): headless
// Chromium from the system's packages (Debian: `apt-get install chromium`;
// .ci/run installs it). in_browser loads a page with the picture inline,
// runs a function in it, and returns what the function returned, read back
// from the DOM that Chromium dumps once the page has loaded.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The Chromium on PATH, or undefined. */
export const chromium = ['chromium', 'chromium-browser', 'google-chrome'].find(
  (b) => spawnSync('sh', ['-c', `command -v ${b}`], { encoding: 'utf8' }).status === 0);

/**
 * Why a browser test cannot run here (to skip it with), or undefined. Linux
 * CI installs one (.ci/run): there a missing browser fails the test instead.
 */
export const no_browser = chromium || (process.env.CI && process.platform === 'linux')
  ? undefined : 'needs headless Chromium on PATH (Debian: apt-get install chromium)';

/**
 * Loads `body` (an SVG, or HTML) in headless Chromium and runs `fn` there;
 * `fn` is a function's source, `(root) => value`, root being the element
 * that holds the body. Returns its value (JSON).
 */
export function in_browser<T>(body: string, fn: string): T {
  if (!chromium) throw new Error('no Chromium on PATH (apt-get install chromium)');
  const dir = mkdtempSync(join(tmpdir(), 'syscall-lab-browser-'));
  try {
    const page = join(dir, 'page.html');
    writeFileSync(page, `<!doctype html><html><body><div id="root">${body}</div><pre id="out"></pre><script>
try { document.getElementById('out').textContent = 'OK' + JSON.stringify((${fn})(document.getElementById('root'))); }
catch (e) { document.getElementById('out').textContent = 'ERR' + e; }
</script></body></html>`);
    const r = spawnSync(chromium, ['--headless', '--no-sandbox', '--disable-gpu', '--window-size=1600,1200',
      `--user-data-dir=${join(dir, 'profile')}`, '--dump-dom', `file://${page}`], { encoding: 'utf8', timeout: 60_000, maxBuffer: 64 << 20 });
    const m = /<pre id="out">(OK|ERR)([\s\S]*?)<\/pre>/.exec(r.stdout ?? '');
    if (!m) throw new Error(`Chromium gave no result (status ${r.status}): ${(r.stderr ?? '').slice(0, 300)}`);
    const text = m[2].replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&amp;/g, '&');
    if (m[1] === 'ERR') throw new Error(`in the browser: ${text}`);
    return JSON.parse(text) as T;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
