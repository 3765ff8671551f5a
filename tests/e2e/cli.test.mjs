// The command-line contract of the droid2api binary (scripts and services rely on it). CTest runs it against
// droid2api and again against droid2api-nox, which must keep the same contract.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, existsSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { BIN, FAKE, startListening, startStack, exited, makeHome } from './harness.mjs';

const NOX = basename(BIN).startsWith('droid2api-nox');

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
  assert.match(r.stderr, /port \d+ on 127\.0\.0\.1 is in use by another program/);
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

test('--sign-in (device code), then --sign-out, with the file token store', async () => {
  const fake = await startListening(FAKE, []);
  try {
    const home = tempHome();
    const configPath = join(home, 'config.json');
    writeFileSync(configPath, JSON.stringify({ workos: { base_url: fake.url }, user_agent_update_url: '' }));
    const env = { HOME: home, XDG_DATA_HOME: join(home, 'data'), XDG_CONFIG_HOME: join(home, 'config') };
    const runAsync = (args) => new Promise((resolve) => {
      const p = spawn(BIN, args, { env: { ...process.env, ...env } });
      let out = ''; let err = '';
      p.stdout.on('data', (d) => { out += d; });
      p.stderr.on('data', (d) => { err += d; });
      p.on('exit', (status) => resolve({ status, stdout: out, stderr: err }));
    });
    const signIn = await runAsync(['--sign-in', '--config', configPath, '--token-store', 'file']);
    assert.equal(signIn.status, 0, signIn.stderr);
    assert.match(signIn.stdout, /enter the code WXYZ-1234/);
    assert.match(signIn.stdout, /signed in as dev@example\.com; tokens stored in a file readable only by you/);
    const tokenFile = join(home, 'data', 'droid2api', 'tokens.json');
    assert.equal(statSync(tokenFile).mode & 0o777, 0o600);
    assert.match(readFileSync(tokenFile, 'utf8'), /"source":"device"/);
    assert.ok(!signIn.stdout.includes('rt-fake') && !signIn.stderr.includes('rt-fake'), 'no token on the terminal');

    const signOut = await runAsync(['--sign-out', '--config', configPath, '--token-store', 'file']);
    assert.equal(signOut.status, 0, signOut.stderr);
    assert.ok(!existsSync(tokenFile));

    await fetch(`${fake.url}/fake/knobs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ device_script: ['access_denied'] }) });
    const denied = await runAsync(['--sign-in', '--config', configPath, '--token-store', 'file']);
    assert.equal(denied.status, 1);
    assert.match(denied.stderr, /sign-in failed: sign-in was denied in the browser/);

    const badStore = run(['--sign-in', '--token-store', 'cloud'], env);
    assert.equal(badStore.status, 2);
  } finally {
    fake.proc.kill('SIGKILL');
  }
});

test('--backend-key stores a third-party key in the token store (from stdin), never in the config', () => {
  const home = tempHome();
  const config = join(home, 'c.json');
  writeFileSync(config, JSON.stringify({ backends: [{ name: 'glm', kind: 'anthropic', base_url: 'https://open.example/api/anthropic' }], user_agent_update_url: '' }));
  const env = { ...process.env, HOME: home, XDG_DATA_HOME: join(home, 'data') };
  const r = spawnSync(BIN, ['--backend-key', 'glm', '--config', config, '--token-store', 'file'], { env, input: 'glm-key-0123456789abcdef\n', encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const store = join(home, 'data', 'droid2api', 'tokens.json');
  assert.equal(statSync(store).mode & 0o777, 0o600);
  assert.match(readFileSync(store, 'utf8'), /"glm":"glm-key-0123456789abcdef"/);
  assert.ok(!readFileSync(config, 'utf8').includes('glm-key'));
  assert.ok(!r.stdout.includes('glm-key') && !r.stderr.includes('glm-key'));
  const bad = spawnSync(BIN, ['--backend-key', 'nope', '--config', config], { env, input: 'x\n', encoding: 'utf8' });
  assert.equal(bad.status, 2);
});

test('log_level applies headless: warning hides request lines, debug shows forwarding details', async () => {
  for (const [level, present, absent] of [['warning', null, /status=200/], ['debug', /forwarding \/v1\/messages model claude-opus-4-6/, null]]) {
    const stack = await startStack({ env: { FACTORY_API_KEY: 'fk-cli-test-0123456789' }, config: { log_level: level } });
    const res = await fetch(`${stack.url}/v1/messages`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'claude-opus-4-6', max_tokens: 5, messages: [{ role: 'user', content: 'hi' }] }),
    });
    assert.equal(res.status, 200);
    await res.text();
    // The process has exited: every line it would have written is in stderr.
    assert.equal(await stack.stop(), 0);
    const log = stack.proxy.stderr();
    if (present) assert.match(log, present, log);
    if (absent) assert.doesNotMatch(log, absent, log);
  }
});

test('droid2api-nox serves without --headless, never looks at the DISPLAY, and answers through the upstream', { skip: !NOX && 'droid2api-nox only' }, async () => {
  const fake = await startListening(FAKE, []);
  const home = makeHome(fake.url);
  try {
    const env = { HOME: home.home, XDG_CONFIG_HOME: join(home.home, '.config'), FACTORY_API_KEY: 'fk-cli-test-0123456789',
                  DISPLAY: ':99', WAYLAND_DISPLAY: undefined, QT_QPA_PLATFORM: undefined }; // a display that leads nowhere
    const app = await startListening(BIN, ['--config', home.configPath, '--port', '0'], env);
    const res = await fetch(`${app.url}/v1/messages`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'claude-opus-4-6', max_tokens: 5, messages: [{ role: 'user', content: 'hi' }] }),
    });
    assert.equal(res.status, 200);
    const answer = await res.json();
    assert.equal(answer.type, 'message');
    assert.ok(answer.content.length > 0, JSON.stringify(answer));
    app.proc.kill('SIGTERM');
    assert.equal(await exited(app.proc), 0);
    // droid2api without a display says it runs headless instead of the tray app; droid2api-nox has nothing to explain.
    assert.doesNotMatch(app.stdout(), /no display found/);
    assert.match(app.stdout(), /^droid2api \d+\.\d+\.\d+ listening on http:\/\/127\.0\.0\.1:\d+$/m);
  } finally {
    fake.proc.kill('SIGKILL');
    await exited(fake.proc);
    home.cleanup();
  }
});
