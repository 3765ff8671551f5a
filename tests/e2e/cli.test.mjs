// The command-line contract of the droid2api binary (scripts and services rely on it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, startListening, startStack, exited } from './harness.mjs';

const tempHome = () => mkdtempSync(join(tmpdir(), 'droid2api-cli-'));
const run = (args, env = {}) => spawnSync(BIN, args, { env: { ...process.env, ...env }, encoding: 'utf8', timeout: 10000 });

test('--version and --help', () => {
  const v = run(['--version']);
  assert.equal(v.status, 0);
  assert.match(v.stdout, /droid2api \d+\.\d+\.\d+/);
  const h = run(['--help']);
  assert.equal(h.status, 0);
  for (const opt of ['--headless', '--config', '--host', '--port']) assert.ok(h.stdout.includes(opt), opt);
});

test('a bad config file is refused with status 2, naming the file, the key and the problem', () => {
  const home = tempHome();
  const cases = [
    ['{ "port": 3000, oops }', /bad\.json: invalid JSON at line 1/],
    ['{ "models": [ { "id": "x", "type": "mystery" } ] }', /key 'models\[0\]\.type': unknown type 'mystery'/],
    ['{ "models": [ { "id": "x", "type": "openai" }, { "id": "x", "type": "common" } ] }', /duplicate model id 'x'/],
    ['{ "endpoint": [ { "name": "openai", "base_url": "not a url" } ] }', /endpoint\[0\]\.base_url/],
    ['{ "port": "80" }', /key 'port': expected a whole number/],
  ];
  for (const [text, pattern] of cases) {
    const file = join(home, 'bad.json');
    writeFileSync(file, text);
    const r = run(['--headless', '--config', file], { HOME: home });
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, pattern);
    assert.equal(readFileSync(file, 'utf8'), text, 'the file is never rewritten');
  }
  const missing = run(['--headless', '--config', join(home, 'none.json')], { HOME: home });
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /does not exist/);
});

test('first run creates the user config under the temporary HOME; PORT overrides the port', async () => {
  const home = tempHome();
  const free = await new Promise((resolve) => { const s = createServer(); s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)); }); });
  const app = await startListening(BIN, ['--headless'], { HOME: home, XDG_CONFIG_HOME: join(home, '.config'), PORT: String(free) });
  assert.equal(app.url, `http://127.0.0.1:${free}`);
  const info = await (await fetch(app.url + '/')).json();
  assert.equal(info.name, 'droid2api');
  assert.ok(existsSync(join(home, '.config', 'droid2api', 'config.json')));
  app.proc.kill('SIGINT');
  assert.equal(await exited(app.proc), 0);
});

test('a port in use is a clear error', async () => {
  const blocker = createServer();
  await new Promise((r) => blocker.listen(0, '127.0.0.1', r));
  const home = tempHome();
  const r = run(['--headless', '--port', String(blocker.address().port)], { HOME: home, XDG_CONFIG_HOME: join(home, '.config') });
  blocker.close();
  assert.equal(r.status, 1);
  assert.match(r.stderr, /cannot listen on 127\.0\.0\.1:\d+/);
});

test('SIGTERM waits for an in-flight stream, then exits 0', async () => {
  const stack = await startStack({ env: { FACTORY_API_KEY: 'fk-cli-test-0123456789' } });
  try {
  const res = await fetch(`${stack.url}/v1/messages`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'claude-opus-4-6', max_tokens: 5, stream: true, messages: [], fake: { delay_ms: 150, deltas: 4 } }),
  });
  assert.equal(res.status, 200);
  const reader = res.body.getReader();
  await reader.read(); // the stream has started
  stack.proxy.proc.kill('SIGTERM');
  let text = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    text += Buffer.from(value).toString();
  }
  assert.match(text, /message_stop/);
  } finally {
    assert.equal(await stack.stop(), 0);
  }
});
