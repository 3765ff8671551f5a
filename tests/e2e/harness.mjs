// Starts the real processes the end-to-end tests drive: the fake upstream and droid2api --headless.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const BIN = process.env.DROID2API_BIN;
export const FAKE = process.env.FAKE_FACTORY_BIN;
if (!BIN || !FAKE) throw new Error('DROID2API_BIN and FAKE_FACTORY_BIN must be set (CTest sets them)');

const spawned = new Set();
// A failed assertion must not leave processes behind (CTest would wait for them until its timeout).
process.on('exit', () => { for (const p of spawned) if (p.exitCode === null) p.kill('SIGKILL'); });

/** Spawns a process and resolves once a stdout line contains "listening on http://..."; returns {proc, url, stderr()}. */
export function startListening(cmd, args, env = {}) {
  return new Promise((resolve, reject) => {
    const proc = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    spawned.add(proc);
    proc.on('exit', () => spawned.delete(proc));
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`${cmd} did not start: ${out}${err}`)), 60000);
    proc.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/listening on (http:\/\/[^\s]+)/);
      if (m) { clearTimeout(timer); resolve({ proc, url: m[1], stdout: () => out, stderr: () => err }); }
    });
    proc.stderr.on('data', (d) => { err += d; });
    proc.on('exit', (code) => { clearTimeout(timer); reject(new Error(`${cmd} exited ${code}: ${out}${err}`)); });
  });
}

export function exited(proc) {
  return new Promise((resolve) => {
    if (proc.exitCode !== null) return resolve(proc.exitCode);
    proc.on('exit', (code, signal) => resolve(code ?? signal));
  });
}

/** A temporary HOME with a droid2api config that points every model type at `fakeUrl`. */
export function makeHome(fakeUrl, extra = {}) {
  const home = mkdtempSync(join(tmpdir(), 'droid2api-e2e-'));
  const config = {
    port: 0,
    endpoint: [
      { name: 'anthropic', base_url: `${fakeUrl}/api/llm/a/v1/messages` },
      { name: 'openai', base_url: `${fakeUrl}/api/llm/o/v1/responses` },
      { name: 'common', base_url: `${fakeUrl}/api/llm/o/v1/chat/completions` },
      { name: 'google', base_url: `${fakeUrl}/api/llm/g/v1/generate` },
    ],
    user_agent_update_url: '',
    timeouts: { first_byte_ms: 3000, idle_ms: 3000, shutdown_ms: 5000 },
    ...extra,
  };
  const configPath = join(home, 'config.json');
  writeFileSync(configPath, JSON.stringify(config, null, 2));
  return { home, configPath, cleanup: () => rmSync(home, { recursive: true, force: true }) };
}

/** The fake upstream plus a droid2api in front of it. */
export async function startStack({ env = {}, config = {} } = {}) {
  const fake = await startListening(FAKE, []);
  const home = makeHome(fake.url, config);
  const proxy = await startListening(BIN, ['--headless', '--config', home.configPath, '--port', '0'], {
    HOME: home.home, XDG_CONFIG_HOME: join(home.home, '.config'), ...env,
  });
  return {
    fake, proxy, home, url: proxy.url,
    async stop() {
      proxy.proc.kill('SIGTERM');
      const code = await exited(proxy.proc);
      fake.proc.kill('SIGKILL');
      await exited(fake.proc);
      home.cleanup();
      return code;
    },
  };
}
