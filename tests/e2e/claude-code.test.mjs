// The real Claude Code CLI (npm @anthropic-ai/claude-code) set up by `droid2api connect claude-code` and run
// against droid2api in front of the fake upstream: the one-click setup works end to end.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync, readFileSync, existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BIN, FAKE, startListening, exited } from './harness.mjs';
import { startTrap } from './trap.mjs';

const CLAUDE = join(dirname(fileURLToPath(import.meta.url)), 'node_modules', '.bin', 'claude');

test('connect claude-code, then Claude Code answers through droid2api', { timeout: 120000 }, async () => {
  assert.ok(existsSync(CLAUDE), 'the Claude Code CLI is installed from npm');
  const fake = await startListening(FAKE, []);
  const port = await new Promise((resolve) => { const s = createServer(); s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)); }); });
  const home = mkdtempSync(join(tmpdir(), 'droid2api-claude-'));
  const config = join(home, 'droid2api.json');
  writeFileSync(config, JSON.stringify({ port, user_agent_update_url: '', token_store: 'file',
    endpoint: [{ name: 'anthropic', base_url: `${fake.url}/api/llm/a/v1/messages` }] }));
  const env = { ...process.env, HOME: home, XDG_CONFIG_HOME: join(home, '.config'), XDG_DATA_HOME: join(home, '.local/share') };
  const proxy = await startListening(BIN, ['--headless', '--config', config], { ...env, FACTORY_API_KEY: 'fk-claude-e2e-0123456789' });
  try {
    const connect = spawnSync(BIN, ['connect', 'claude-code', '--yes', '--model', 'claude-sonnet-4-6', '--config', config], { env, encoding: 'utf8' });
    assert.equal(connect.status, 0, connect.stderr);
    assert.match(connect.stdout, /\+\s+"ANTHROPIC_BASE_URL": "http:\/\/127\.0\.0\.1:\d+"/, 'the diff was shown');
    // The probe goes all the way: droid2api, its sign-in, and Factory (the fake) answering a token count.
    assert.match(connect.stdout, /probe: ✓ reaches droid2api\nprobe: ✓ droid2api is signed in\nprobe: ✓ Factory answered\nprobe: claude-code will work through droid2api/);
    const settings = JSON.parse(readFileSync(join(home, '.claude', 'settings.json'), 'utf8'));
    assert.equal(settings.env.ANTHROPIC_BASE_URL, `http://127.0.0.1:${port}`);

    const claude = spawnSync(CLAUDE, ['-p', 'Say hi', '--output-format', 'json'], {
      cwd: home, encoding: 'utf8', timeout: 90000,
      env: { ...env, CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1', DISABLE_AUTOUPDATER: '1', DISABLE_TELEMETRY: '1' },
    });
    assert.equal(claude.status, 0, claude.stderr);
    const result = JSON.parse(claude.stdout);
    assert.equal(result.result, 'Hello from the'); // the fake's three streamed words
    const disconnect = spawnSync(BIN, ['disconnect', 'claude-code', '--yes', '--config', config], { env, encoding: 'utf8' });
    assert.equal(disconnect.status, 0, disconnect.stderr);
    assert.ok(!existsSync(join(home, '.claude', 'settings.json')), 'the file droid2api created is gone');
    // Once droid2api has exited, every line it logged is in hand: the request went through it.
    proxy.proc.kill('SIGTERM');
    assert.equal(await exited(proxy.proc), 0);
    assert.match(proxy.stderr(), /POST \/v1\/messages model=claude-sonnet-4-6 status=200/, 'the request went through droid2api');
  } finally {
    proxy.proc.kill('SIGTERM');
    await exited(proxy.proc);
    fake.proc.kill('SIGKILL');
  }
});

test('routing rules split a real Claude Code session as the user configured', { timeout: 120000 }, async () => {
  // The user's preset: Claude Code's background calls (no tools) to Haiku without thinking, its turns to Sonnet,
  // whatever model Claude Code asks for (here Opus).
  const fake = await startListening(FAKE, []);
  const home = mkdtempSync(join(tmpdir(), 'droid2api-claude-routing-'));
  const config = join(home, 'droid2api.json');
  writeFileSync(config, JSON.stringify({ port: 0, user_agent_update_url: '', token_store: 'file',
    endpoint: [{ name: 'anthropic', base_url: `${fake.url}/api/llm/a/v1/messages` }],
    routing: { preset: 'Split', presets: [{ name: 'Split', rules: [
      { name: 'background', match: { client: 'Claude Code', tools: 'none' }, model: 'claude-haiku-4-5-20251001', reasoning: 'off' },
      { name: 'work', match: { client: 'Claude Code' }, model: 'claude-sonnet-4-6' }] }] } }));
  const env = { ...process.env, HOME: home, XDG_CONFIG_HOME: join(home, '.config'), XDG_DATA_HOME: join(home, '.local/share') };
  const proxy = await startListening(BIN, ['--headless', '--config', config, '--port', '0'], { ...env, FACTORY_API_KEY: 'fk-claude-e2e-0123456789' });
  try {
    const knobs = async (body) => (await fetch(`${fake.url}/fake/knobs`, { method: 'POST', body: JSON.stringify(body) })).json();
    await knobs({ agent: { tool: 'Bash', arguments: '{"command":"echo routed > routed.txt","description":"Write a file"}', after_tool: 'done step {step}' } });
    const claude = spawnSync(CLAUDE, ['--model', 'claude-opus-4-6', '--dangerously-skip-permissions', '-p', 'Write routed.txt, step 1'], {
      cwd: home, encoding: 'utf8', timeout: 90000,
      env: { ...env, ANTHROPIC_BASE_URL: proxy.url, ANTHROPIC_API_KEY: 'sk-ant-routing', ANTHROPIC_MODEL: 'claude-opus-4-6',
        ANTHROPIC_SMALL_FAST_MODEL: 'claude-haiku-4-5-20251001', CLAUDE_CONFIG_DIR: join(home, '.claude'), IS_SANDBOX: '1',
        CLAUDE_CODE_DISABLE_FEATURE_FLAGS: '1', CLAUDE_CODE_DISABLE_OFFICIAL_MARKETPLACE_AUTOINSTALL: '1', DISABLE_AUTOUPDATER: '1', DISABLE_TELEMETRY: '1' },
    });
    assert.equal(claude.status, 0, claude.stderr);
    assert.match(claude.stdout, /done step 1/);
    assert.equal(readFileSync(join(home, 'routed.txt'), 'utf8').trim(), 'routed', 'Claude Code ran the tool');
    const turns = (await knobs({})).agent_requests;
    assert.deepEqual(turns.map((t) => [t.model, t.answer]), [['claude-sonnet-4-6', 'tool'], ['claude-sonnet-4-6', 'after_tool']]);
    // A background call as Claude Code sends it (its User-Agent, no tools; in print mode it makes none itself).
    const title = await fetch(`${proxy.url}/v1/messages`, { method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'claude-cli/2.1.332 (external, cli)' },
      body: JSON.stringify({ model: 'claude-opus-4-6', max_tokens: 64, messages: [{ role: 'user', content: 'Title for: write routed.txt' }] }) });
    assert.equal(title.status, 200);
    assert.equal(title.headers.get('x-droid2api-rule'), 'Split / background');
    assert.equal((await knobs({})).agent_requests.at(-1).model, 'claude-haiku-4-5-20251001');
    proxy.proc.kill('SIGTERM');
    assert.equal(await exited(proxy.proc), 0);
    const served = proxy.stderr().split('\n').filter((l) => / status=\d+/.test(l) && l.includes('/v1/messages'));
    assert.ok(served.length >= 3, served.join('\n'));
    for (const line of served.slice(0, -1))
      assert.match(line, /model=claude-sonnet-4-6 status=200 .*asked=claude-opus-4-6 rule="Split \/ work"/);
    assert.match(served.at(-1), /model=claude-haiku-4-5-20251001 status=200 .*rule="Split \/ background"/);
  } finally {
    proxy.proc.kill('SIGTERM');
    await exited(proxy.proc);
    fake.proc.kill('SIGKILL');
  }
});

test('a real interactive Claude Code session: its own small-model call and its turn go where the rules say', { timeout: 120000 }, async () => {
  // Claude Code's interactive UI (print mode makes no background call) in a real terminal, from util-linux's
  // `script`: the user types one prompt; Claude Code sends its own small-model call (asked for Haiku, no tools)
  // and the turn (asked for Opus, with tools). The preset sends the first to Haiku and the second to Sonnet.
  const fake = await startListening(FAKE, []);
  const trap = await startTrap();
  const home = mkdtempSync(join(tmpdir(), 'droid2api-claude-tty-'));
  const config = join(home, 'droid2api.json');
  writeFileSync(config, JSON.stringify({ port: 0, user_agent_update_url: '', token_store: 'file',
    endpoint: [{ name: 'anthropic', base_url: `${fake.url}/api/llm/a/v1/messages` }],
    routing: { preset: 'Split', presets: [{ name: 'Split', rules: [
      { name: 'background', match: { client: 'Claude Code', tools: 'none' }, model: 'claude-haiku-4-5-20251001', reasoning: 'off' },
      { name: 'work', match: { client: 'Claude Code' }, model: 'claude-sonnet-4-6' }] }] } }));
  const env = { ...process.env, HOME: home, XDG_CONFIG_HOME: join(home, '.config'), XDG_DATA_HOME: join(home, '.local/share') };
  const proxy = await startListening(BIN, ['--headless', '--config', config, '--port', '0'], { ...env, FACTORY_API_KEY: 'fk-claude-e2e-0123456789' });
  // A user who has been through Claude Code's first-run screens and trusts this folder.
  mkdirSync(join(home, '.claude'), { recursive: true });
  writeFileSync(join(home, '.claude', '.claude.json'), JSON.stringify({ hasCompletedOnboarding: true, theme: 'dark',
    bypassPermissionsModeAccepted: true, autoUpdates: false, lastReleaseNotesSeen: '99.0.0', projects: { [home]: { hasTrustDialogAccepted: true, hasCompletedProjectOnboarding: true } } }));
  const claudeEnv = { ...env, ANTHROPIC_BASE_URL: proxy.url, ANTHROPIC_AUTH_TOKEN: 'sk-ant-routing', ANTHROPIC_MODEL: 'claude-opus-4-6',
    ANTHROPIC_SMALL_FAST_MODEL: 'claude-haiku-4-5-20251001', CLAUDE_CONFIG_DIR: join(home, '.claude'), IS_SANDBOX: '1',
    DISABLE_AUTOUPDATER: '1', DISABLE_TELEMETRY: '1', DISABLE_ERROR_REPORTING: '1', TERM: 'xterm-256color',
    CLAUDE_CODE_DISABLE_FEATURE_FLAGS: '1', CLAUDE_CODE_DISABLE_OFFICIAL_MARKETPLACE_AUTOINSTALL: '1',
    HTTP_PROXY: trap.proxyUrl, HTTPS_PROXY: trap.proxyUrl, ALL_PROXY: trap.proxyUrl, NO_PROXY: '127.0.0.1,localhost',
    no_proxy: '127.0.0.1,localhost', http_proxy: trap.proxyUrl, https_proxy: trap.proxyUrl };
  const tty = spawn('script', ['-qfec', `stty cols 120 rows 40; exec ${CLAUDE} --model claude-opus-4-6 --dangerously-skip-permissions`, '/dev/null'],
    { cwd: home, env: claudeEnv, stdio: ['pipe', 'pipe', 'pipe'] });
  let screen = '';
  const waiters = [];
  tty.stdout.on('data', (d) => {
    const text = d.toString('utf8');
    screen += text;
    if (text.includes('\x1b[6n')) tty.stdin.write('\x1b[1;1R'); // a terminal answers where its cursor is
    for (const w of [...waiters]) if (w.test(screen)) { waiters.splice(waiters.indexOf(w), 1); w.resolve(); }
  });
  // What the screen reads, without escapes and spaces (the UI moves the cursor rather than write blanks).
  const plain = () => screen.replace(/\x1b\[[0-9;?>]*[a-zA-Z]/g, '').replace(/\s+/g, '');
  // A guard, not a wait: a screen that never comes fails with what the terminal did show.
  const shows = (re) => new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the terminal never showed ${re}:\n${plain().slice(-3000)}`)), 40000);
    const w = { test: () => re.test(plain()), resolve: () => { clearTimeout(timer); resolve(); } };
    if (w.test()) w.resolve(); else waiters.push(w);
  });
  try {
    await shows(/bypasspermissionson/); // the prompt box is up
    tty.stdin.write('Write a haiku about rivers');
    await shows(/Writeahaikuaboutrivers/);
    tty.stdin.write('\r');
    await shows(/Hellofromthe.*for\d+m?s·done/); // the fake's answer, then Claude Code's "<verb> for 0s · done" line
    tty.kill('SIGKILL');
    await exited(tty);
    proxy.proc.kill('SIGTERM');
    assert.equal(await exited(proxy.proc), 0);
    const served = proxy.stderr().split('\n').filter((l) => / status=\d+/.test(l) && l.includes('POST /v1/messages'));
    const small = served.filter((l) => /asked=claude-haiku-4-5-20251001/.test(l));
    const turns = served.filter((l) => /asked=claude-opus-4-6/.test(l));
    assert.ok(small.length >= 1, `Claude Code's own small-model call was made:\n${served.join('\n')}`);
    for (const line of small) assert.match(line, /model=claude-haiku-4-5-20251001 status=200 .*rule="Split \/ background"/);
    assert.ok(turns.length >= 1, served.join('\n'));
    for (const line of turns) assert.match(line, /model=claude-sonnet-4-6 status=200 .*rule="Split \/ work"/);
    // Nothing left the machine: the trap refused every attempt. Claude Code's interactive UI fetches its own
    // things (the plugin list on GitHub, Anthropic's account checks) unless all its non-essential traffic is off,
    // which also turns off the small-model call this test is about; nothing else may try.
    const known = new Set(['CONNECT raw.githubusercontent.com:443', 'CONNECT api.anthropic.com:443']);
    assert.deepEqual(trap.attempts.filter((a) => !known.has(a.target)), [], 'nothing else tried to leave the machine');
  } finally {
    tty.kill('SIGKILL');
    proxy.proc.kill('SIGTERM');
    await exited(proxy.proc);
    fake.proc.kill('SIGKILL');
    trap.close();
  }
});
