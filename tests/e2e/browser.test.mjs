// A real browser against droid2api: Debian's Chromium, driven by puppeteer-core (pinned in package-lock.json).
// Web pages the user did not allow (another loopback address, localhost on another port, a file:// page, a
// DNS-rebinding page whose name now resolves to 127.0.0.1) try every kind of request a page can make: simple
// POSTs that need no preflight, preflighted JSON POSTs with API-key headers, GET /. None of them may reach the
// upstream, and none may read an answer. The one origin in allowed_origins works, and learns no account details.
// Isolation: run by isolated.sh (loopback-only network namespace, DNS trap: any name droid2api, the fake or the
// browser looks up fails the test). Chromium's proxy is a second trap: Chromium itself calls Google's update,
// time and sign-in services whatever flags it gets (update.googleapis.com, clients2.google.com,
// accounts.google.com), so those are recorded apart; any other target fails the test.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { mkdtempSync, writeFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer from 'puppeteer-core';
import { startStack } from './harness.mjs';
import { startTrap } from './trap.mjs';

const CHROMIUM = process.env.CHROMIUM_BIN || '/usr/bin/chromium';
const PAGE = '<!doctype html><meta charset="utf-8"><title>probe</title><p>probe</p>';

function servePage(host) {
  return new Promise((resolve) => {
    const server = http.createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(PAGE);
    });
    server.listen(0, host, () => resolve({ port: server.address().port, close: () => new Promise((r) => server.close(r)) }));
  });
}

// DNS rebinding, played by a relay: rebind.test maps to 127.0.0.3, where this serves the attacker's page once
// on droid2api's port number; then the name "flips": every later connection is piped to droid2api on
// 127.0.0.1. droid2api sees what it would see after a real flip: same-origin requests with Host rebind.test.
function rebindRelay(port) {
  return new Promise((resolve, reject) => {
    let flipped = false;
    const sockets = new Set();
    const server = net.createServer((client) => {
      sockets.add(client);
      client.on('close', () => sockets.delete(client));
      client.on('error', () => {});
      if (!flipped) {
        flipped = true;
        client.once('data', () => client.end(`HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: ${PAGE.length}\r\nConnection: close\r\n\r\n${PAGE}`));
        return;
      }
      const upstream = net.connect(port, '127.0.0.1');
      sockets.add(upstream);
      upstream.on('close', () => sockets.delete(upstream));
      upstream.on('error', () => client.destroy());
      client.pipe(upstream).pipe(client);
    });
    server.once('error', reject);
    server.listen(port, '127.0.0.3', () => resolve({ close: () => { for (const s of sockets) s.destroy(); return new Promise((r) => server.close(r)); } }));
  });
}

// Runs in the page: every request a hostile page can make, each settled before this returns.
async function hostileRequests(base) {
  const body = JSON.stringify({ model: 'gpt-5.2', messages: [{ role: 'user', content: 'leak' }], max_tokens: 5 });
  const anthropicBody = JSON.stringify({ model: 'claude-opus-4-5-20251101', max_tokens: 5, messages: [{ role: 'user', content: 'leak' }] });
  const attempts = [
    ['simple POST /v1/chat/completions', `${base}/v1/chat/completions`, { method: 'POST', mode: 'no-cors', headers: { 'content-type': 'text/plain' }, body }],
    ['form POST /v1/messages', `${base}/v1/messages`, { method: 'POST', mode: 'no-cors', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: anthropicBody }],
    ['preflighted POST /v1/chat/completions', `${base}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer page' }, body }],
    ['preflighted POST /v1/messages', `${base}/v1/messages`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': 'page', 'anthropic-version': '2023-06-01' }, body: anthropicBody }],
    ['GET /', `${base}/`, {}],
    ['GET /v1/models', `${base}/v1/models`, {}],
  ];
  const results = [];
  for (const [name, url, init] of attempts) {
    try {
      const r = await fetch(url, init);
      let text = '';
      try { text = await r.text(); } catch { text = ''; }
      results.push({ name, settled: 'resolved', type: r.type, status: r.status, text });
    } catch (e) {
      results.push({ name, settled: 'rejected', error: String(e) });
    }
  }
  return results;
}

// Runs in the page of the allowed origin: what a legitimate web tool does.
async function allowedRequests(base) {
  const chat = await fetch(`${base}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer page' },
    body: JSON.stringify({ model: 'gpt-5.2', messages: [{ role: 'user', content: 'hello from a page' }], max_tokens: 20 }),
  });
  const info = await fetch(`${base}/`);
  return { chatStatus: chat.status, chat: await chat.json(), infoStatus: info.status, info: await info.json() };
}

let stack, trap, browserTrap, browser, pages = [], work;
const knobs = async () => (await fetch(`${stack.fake.url}/fake/knobs`, { method: 'POST', body: '{}' })).json();
const info = async () => (await fetch(`${stack.url}/`)).json();

before(async () => {
  assert.ok(existsSync(CHROMIUM), `Chromium not found at ${CHROMIUM} (make test-deps installs it)`);
  trap = await startTrap({ dns: process.env.DROID2API_ISOLATED === '1' });
  browserTrap = await startTrap();
  pages = [await servePage('127.0.0.2'), await servePage('127.0.0.1'), await servePage('127.0.0.1')];
  stack = await startStack({
    config: { allowed_origins: [`http://localhost:${pages[2].port}`] },
    env: { FACTORY_API_KEY: 'fk-browser-test' },
  });
  pages.push(await rebindRelay(Number(new URL(stack.url).port)));
  work = mkdtempSync(join(tmpdir(), 'droid2api-browser-'));
  writeFileSync(join(work, 'probe.html'), PAGE);
  browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    userDataDir: join(work, 'profile'),
    args: [
      '--no-sandbox', // root in CI; the page runs our own probe only
      `--proxy-server=${browserTrap.proxyUrl}`, // loopback stays direct (Chromium's implicit bypass); the rest is trapped
      '--proxy-bypass-list=rebind.test',
      '--host-resolver-rules=MAP rebind.test 127.0.0.3',
      '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run',
      '--disable-features=OptimizationHints,MediaRouter,Translate,AutofillServerCommunication',
    ],
  });
});

after(async () => {
  if (browser) await browser.close();
  for (const p of pages) await p.close();
  const code = stack ? await stack.stop() : 0;
  if (trap) await trap.close();
  if (browserTrap) await browserTrap.close();
  if (work) rmSync(work, { recursive: true, force: true });
  assert.equal(code, 0, 'droid2api exits 0');
});

async function probeFrom(url, sameOrigin) {
  const page = await browser.newPage();
  try {
    await page.goto(url);
    return { origin: await page.evaluate(() => self.origin), results: await page.evaluate(hostileRequests, sameOrigin ? new URL(url).origin : stack.url) };
  } finally {
    await page.close();
  }
}

function assertNothingLeaked(origin, results, sameOrigin) {
  for (const r of results) {
    if (sameOrigin) {
      // A rebinding page is same-origin with what its name now points at, so it reads answers: only refusals.
      assert.equal(r.settled, 'resolved', `${origin} ${r.name}: ${r.error}`);
      assert.equal(r.status, 403, `${origin} ${r.name}: ${r.text}`);
      assert.match(r.text, /is not this droid2api/);
      continue;
    }
    // A page that did not get through CORS either gets a network error or an opaque answer: no status, no bytes.
    if (r.settled === 'resolved') {
      assert.equal(r.type, 'opaque', `${origin} ${r.name}: the page read an answer: ${r.status} ${r.text}`);
      assert.equal(r.status, 0);
      assert.equal(r.text, '');
    } else {
      assert.match(r.error, /TypeError/, `${origin} ${r.name}`);
    }
  }
}

for (const [label, where] of [
  ['a page on another loopback address (127.0.0.2)', () => [`http://127.0.0.2:${pages[0].port}/`, false]],
  ['a page on localhost with another port', () => [`http://localhost:${pages[1].port}/`, false]],
  ['a file:// page', () => [`file://${join(work, 'probe.html')}`, false]],
  ['a DNS-rebinding page (its name now resolves to 127.0.0.1)', () => [`http://rebind.test:${new URL(stack.url).port}/`, true]],
]) {
  test(`${label} reaches nothing and reads nothing`, async () => {
    const [url, sameOrigin] = where();
    const llmBefore = (await knobs()).llm_requests;
    const refusedBefore = (await info()).refused_requests;
    const { origin, results } = await probeFrom(url, sameOrigin);
    assert.equal(results.length, 6);
    assertNothingLeaked(origin, results, sameOrigin);
    // Every attempt above has settled, so each request it caused was answered: count after that.
    assert.equal((await knobs()).llm_requests, llmBefore, `${origin}: a request reached the upstream`);
    const refused = (await info()).refused_requests - refusedBefore;
    assert.ok(refused >= results.length, `${origin}: droid2api refused ${refused} requests for ${results.length} attempts`);
  });
}

test('the allowed origin works, and GET / tells it no account details', async () => {
  const page = await browser.newPage();
  try {
    await page.goto(`http://localhost:${pages[2].port}/`);
    const llmBefore = (await knobs()).llm_requests;
    const r = await page.evaluate(allowedRequests, stack.url);
    assert.equal(r.chatStatus, 200, JSON.stringify(r.chat));
    assert.equal(r.chat.object, 'chat.completion');
    assert.equal(typeof r.chat.choices[0].message.content, 'string');
    assert.equal((await knobs()).llm_requests, llmBefore + 1);
    assert.equal(r.infoStatus, 200);
    assert.deepEqual(r.info, { name: 'droid2api', status: 'ok' });
  } finally {
    await page.close();
  }
});

test('nothing tried to reach beyond loopback', () => {
  assert.deepEqual(trap.attempts, []); // names looked up in the namespace
  const chromiumOwn = /^(CONNECT |[A-Z]+ https?:\/\/)([a-z0-9-]+\.)*(google\.com|googleapis\.com|gvt1\.com)[:/]/;
  assert.deepEqual(browserTrap.attempts.filter((a) => !chromiumOwn.test(a.target)), []);
});
