#!/usr/bin/env node
// Loopback stand-in for Factory's API (and telemetry, WorkOS, downloads hosts) that lets
// `droid exec` (@factory/cli 0.225.x) run to completion and records what it sends.
//
//   node capture-server.js --port 18080 --out DIR
//
// Every request is appended to DIR/requests.jsonl as
//   {seq, label, time, method, path, headers (authorization / x-api-key values redacted), body (raw text)}.
// LLM requests are also written as DIR/llm/<label>.<n>.body (raw bytes, exactly as received) and
// DIR/llm/<label>.<n>.headers.json ({method, path, headers}).
// The label is set by the run script with `POST /__ctl/label` (body = label text) before each CLI run.
//
// The four LLM routes answer with a valid SSE stream saying "OK" in that API's grammar:
//   POST /api/llm/a/v1/messages            Anthropic Messages events
//   POST /api/llm/o/v1/responses           OpenAI Responses events
//   POST /api/llm/o/v1/chat/completions    OpenAI Chat Completions chunks + [DONE]
//   POST /api/llm/g/v1/generate            Gemini streamGenerateContent (alt=sse) chunks
// Everything else answers with minimal JSON (see `nonLlm`).
'use strict';
const http = require('http');
const fs = require('fs');
const path = require('path');
const crypto = require('crypto');

const args = process.argv.slice(2);
function arg(name, def) {
    const i = args.indexOf(name);
    return i >= 0 && i + 1 < args.length ? args[i + 1] : def;
}
const port = Number(arg('--port', '18080'));
const host = arg('--host', '127.0.0.1');
const outDir = path.resolve(arg('--out', 'capture-out'));
fs.mkdirSync(path.join(outDir, 'llm'), { recursive: true });
const logFile = path.join(outDir, 'requests.jsonl');

let label = 'unlabelled';
let seq = 0;
const perLabel = new Map();

const REDACT = new Set(['authorization', 'x-api-key', 'proxy-authorization', 'cookie']);
function redactHeaders(raw) {
    // rawHeaders keeps the order and the case the client used
    const out = [];
    for (let i = 0; i < raw.length; i += 2) {
        const k = raw[i];
        let v = raw[i + 1];
        if (REDACT.has(k.toLowerCase())) {
            if (k.toLowerCase() === 'x-api-key' && v === 'placeholder') {
                // the CLI sends the literal "placeholder": not a secret, keep it visible
            } else {
                const m = /^(\S+)\s+(\S+)$/.exec(v);
                const scheme = m ? m[1] + ' ' : '';
                const tok = m ? m[2] : v;
                const kind = tok.startsWith('fk-') ? 'fk-…' : tok.split('.').length === 3 ? 'JWT…' : '…';
                v = `${scheme}<redacted ${kind}>`;
            }
        }
        out.push([k, v]);
    }
    return out;
}

const OK = 'OK';
const now = () => Math.floor(Date.now() / 1000);
const rid = (p) => p + crypto.randomBytes(12).toString('hex');

function sse(res, events, { named = true, done = false } = {}) {
    res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache',
        connection: 'keep-alive',
    });
    for (const ev of events) {
        if (named && ev.type) res.write(`event: ${ev.type}\n`);
        res.write(`data: ${JSON.stringify(ev)}\n\n`);
    }
    if (done) res.write('data: [DONE]\n\n');
    res.end();
}

function parseJson(text) {
    try { return JSON.parse(text); } catch { return {}; }
}

function anthropic(res, body) {
    const id = rid('msg_');
    const model = body.model || 'claude';
    const usage0 = { input_tokens: 10, output_tokens: 1, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 };
    sse(res, [
        { type: 'message_start', message: { id, type: 'message', role: 'assistant', model, content: [], stop_reason: null, stop_sequence: null, usage: usage0 } },
        { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
        { type: 'ping' },
        { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: OK } },
        { type: 'content_block_stop', index: 0 },
        { type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 2 } },
        { type: 'message_stop' },
    ]);
}

function responses(res, body) {
    const id = rid('resp_');
    const msgId = rid('msg_');
    const model = body.model || 'gpt';
    const base = { id, object: 'response', created_at: now(), model, status: 'in_progress', output: [] };
    const part = { type: 'output_text', text: '', annotations: [] };
    const item = { id: msgId, type: 'message', status: 'in_progress', role: 'assistant', content: [] };
    const doneItem = { id: msgId, type: 'message', status: 'completed', role: 'assistant', content: [{ type: 'output_text', text: OK, annotations: [] }] };
    let n = 0;
    const ev = (o) => ({ ...o, sequence_number: n++ });
    sse(res, [
        ev({ type: 'response.created', response: base }),
        ev({ type: 'response.in_progress', response: base }),
        ev({ type: 'response.output_item.added', output_index: 0, item }),
        ev({ type: 'response.content_part.added', item_id: msgId, output_index: 0, content_index: 0, part }),
        ev({ type: 'response.output_text.delta', item_id: msgId, output_index: 0, content_index: 0, delta: OK }),
        ev({ type: 'response.output_text.done', item_id: msgId, output_index: 0, content_index: 0, text: OK }),
        ev({ type: 'response.content_part.done', item_id: msgId, output_index: 0, content_index: 0, part: { ...part, text: OK } }),
        ev({ type: 'response.output_item.done', output_index: 0, item: doneItem }),
        ev({
            type: 'response.completed',
            response: {
                ...base, status: 'completed', output: [doneItem],
                usage: { input_tokens: 10, input_tokens_details: { cached_tokens: 0 }, output_tokens: 2, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: 12 },
            },
        }),
    ]);
}

function chat(res, body) {
    const id = rid('chatcmpl-');
    const model = body.model || 'chat';
    const c = (delta, finish, extra) => ({ id, object: 'chat.completion.chunk', created: now(), model, choices: [{ index: 0, delta, finish_reason: finish }], ...extra });
    sse(res, [
        c({ role: 'assistant', content: '' }, null),
        c({ content: OK }, null),
        c({}, 'stop'),
        { id, object: 'chat.completion.chunk', created: now(), model, choices: [], usage: { prompt_tokens: 10, completion_tokens: 2, total_tokens: 12 } },
    ], { named: false, done: true });
}

function gemini(res, body) {
    const modelVersion = body.model || 'gemini';
    sse(res, [
        { candidates: [{ content: { parts: [{ text: OK }], role: 'model' }, index: 0 }], modelVersion, responseId: rid('') },
        { candidates: [{ content: { parts: [{ text: '' }], role: 'model' }, finishReason: 'STOP', index: 0 }], usageMetadata: { promptTokenCount: 10, candidatesTokenCount: 2, totalTokenCount: 12 }, modelVersion, responseId: rid('') },
    ], { named: false });
}

const LLM = {
    '/api/llm/a/v1/messages': anthropic,
    '/api/llm/o/v1/responses': responses,
    '/api/llm/o/v1/chat/completions': chat,
    '/api/llm/g/v1/generate': gemini,
};

function json(res, status, obj) {
    const s = JSON.stringify(obj);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(s) });
    res.end(s);
}

// Minimal answers for the non-LLM calls the CLI makes. Unknown paths get {}.
function nonLlm(req, res, p) {
    if (p === '/api/cli/whoami') {
        return json(res, 200, { userId: 'user_test', orgId: 'org_test', region: 'global', isOnPrem: false, isEnterprise: false, principalKind: 'human' });
    }
    if (p === '/api/cli/org') return json(res, 200, { workosOrgIds: ['org_FAKE0000000000000000000000'] });
    if (p === '/api/feature-flags') return json(res, 200, { flags: {}, configs: {} });
    if (p === '/api/organization/managed-settings') return json(res, 200, { success: true, settings: null });
    if (p === '/api/sessions/create') return json(res, 200, { id: crypto.randomUUID(), sessionId: crypto.randomUUID() });
    if (p === '/api/billing/limits') return json(res, 200, {});
    if (p === '/api/connectors/tools/revision') return json(res, 200, { revision: 'rev-0', cacheable: true });
    if (p === '/api/connectors/tools/list') return json(res, 200, { tools: [], revision: 'rev-0', cacheable: true });
    if (p === '/api/connectors/list') return json(res, 200, { connectors: [] });
    if (p === '/factory-cli/LATEST') {
        res.writeHead(200, { 'content-type': 'text/plain' });
        return res.end('0.225.2\n');
    }
    // WorkOS stand-in (FACTORY_WORKOS_BASE_URL=http://127.0.0.1:PORT/workos/user_management)
    if (p.endsWith('/user_management/authorize/device')) {
        return json(res, 200, {
            device_code: 'FAKE-DEVICE-CODE', user_code: 'FAKE-CODE',
            verification_uri: `http://${host}:${port}/device`, verification_uri_complete: `http://${host}:${port}/device?user_code=FAKE-CODE`,
            expires_in: 300, interval: 1,
        });
    }
    if (p.endsWith('/user_management/authenticate')) return json(res, 200, fakeTokens(++tokenSerial));
    return json(res, 200, {});
}

// Fake WorkOS tokens: an unsigned-looking JWT with a far-future exp (the signature is junk).
function b64u(o) { return Buffer.from(JSON.stringify(o)).toString('base64url'); }
let tokenSerial = 0;
function fakeTokens(serial) {
    const payload = {
        iss: 'https://api.workos.com', sub: 'user_FAKE0000000000000000000000', sid: 'session_FAKE0000000000000000000000',
        jti: 'FAKEJTI', org_id: 'org_FAKE0000000000000000000000', external_org_id: 'factory-org-fake',
        email: 'fake@example.invalid', iat: now(), exp: now() + 3600 * 24 * 365,
    };
    return {
        access_token: `${b64u({ alg: 'RS256', typ: 'JWT', kid: 'fake' })}.${b64u(payload)}.RkFLRV9TSUdOQVRVUkU`,
        refresh_token: `FAKE_REFRESH_TOKEN_${String(serial).padStart(4, '0')}`,
        user: { object: 'user', id: payload.sub, email: payload.email, first_name: 'Fake', last_name: 'User', email_verified: true, created_at: '2026-01-01T00:00:00.000Z', updated_at: '2026-01-01T00:00:00.000Z' },
        organization_id: payload.org_id,
    };
}

const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
        const raw = Buffer.concat(chunks);
        const url = new URL(req.url, `http://${req.headers.host || host}`);
        const p = url.pathname;
        if (p === '/__ctl/label') {
            label = raw.toString('utf8').trim() || 'unlabelled';
            return json(res, 200, { label });
        }
        if (p === '/__ctl/ping') return json(res, 200, { ok: true });
        const n = ++seq;
        const rec = {
            seq: n, label, time: new Date().toISOString(), method: req.method, path: req.url,
            headers: redactHeaders(req.rawHeaders), bodyLength: raw.length, body: raw.toString('utf8'),
        };
        fs.appendFileSync(logFile, JSON.stringify(rec) + '\n');
        const handler = req.method === 'POST' ? LLM[p] : undefined;
        if (handler) {
            const k = (perLabel.get(label) || 0) + 1;
            perLabel.set(label, k);
            const base = path.join(outDir, 'llm', `${label}.${k}`);
            fs.writeFileSync(base + '.body', raw);
            fs.writeFileSync(base + '.headers.json', JSON.stringify({ method: req.method, path: req.url, headers: rec.headers }, null, 2) + '\n');
            return handler(res, parseJson(raw.toString('utf8')));
        }
        return nonLlm(req, res, p);
    });
});
server.listen(port, host, () => {
    process.stdout.write(`capture server on http://${host}:${port} -> ${outDir}\n`);
});
