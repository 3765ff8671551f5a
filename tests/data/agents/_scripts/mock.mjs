// Capture + mock LLM server for coding-agent CLIs (loopback only).
// Logs every request (method, path, query, redacted headers, raw body bytes) and answers in the API format
// the request path implies, with a valid streamed (SSE) answer when the request asks for a stream:
//   POST .../messages                      Anthropic Messages      (count_tokens too)
//   POST .../responses                     OpenAI Responses
//   POST .../chat/completions              OpenAI Chat Completions
//   POST .../models/X:streamGenerateContent?alt=sse / :generateContent / :countTokens   Gemini
//   GET  .../models                        model list in the matching format
// Scenarios (MOCK_SCENARIO): text  -> every turn answers "OK"
//                            tool  -> a request offering the shell tool and carrying no tool result gets a
//                                     call of that tool running MOCK_TOOL_CMD; a request carrying a tool
//                                     result gets "done"; anything else gets "OK".
// Keepalive (MOCK_KEEPALIVE): none | comment (": keepalive\n\n") | bare (":\n\n") | blank ("\n") | inline (": keepalive\n"
//   placed directly in front of the next event's lines, no blank line). Sent before the first event and
//   between all events of a stream.
// MOCK_REJECT_SYSTEM=1: answer HTTP 400 (Anthropic invalid_request_error) to a Messages request with a role:"system" message.
// Env: MOCK_PORT (default 18181), MOCK_OUT (dir for captures), MOCK_SCENARIO, MOCK_KEEPALIVE, MOCK_TOOL_CMD.
// Files per request n (3 digits): n.body (raw bytes as received), n.json (sidecar), n.resp (bytes we sent),
//   n.decoded (decompressed body, only when Content-Encoding was set).
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import crypto from 'node:crypto';

const PORT = Number(process.env.MOCK_PORT || 18181);
const OUT = process.env.MOCK_OUT || '/tmp/agents/out/default';
const SCENARIO = process.env.MOCK_SCENARIO || 'text';
const KEEPALIVE = process.env.MOCK_KEEPALIVE || 'none';
const TOOL_CMD = process.env.MOCK_TOOL_CMD || 'echo hello-from-tool > out.txt';
fs.mkdirSync(OUT, { recursive: true });
let seq = 0;

const SECRET_HEADERS = new Set(['authorization', 'x-api-key', 'x-goog-api-key', 'api-key', 'cookie', 'proxy-authorization', 'chatgpt-account-id']);
const SECRET_QUERY = new Set(['key', 'api_key', 'access_token']);
const rid = (p) => p + crypto.randomBytes(12).toString('hex');

function redactQuery(url) {
  const out = [];
  for (const [k, v] of url.searchParams) out.push([k, SECRET_QUERY.has(k.toLowerCase()) ? 'REDACTED' : v]);
  return out;
}
function redactHeaders(raw) {
  const out = [];
  for (let i = 0; i < raw.length; i += 2) {
    const k = raw[i]; let v = raw[i + 1];
    if (SECRET_HEADERS.has(k.toLowerCase())) v = /^bearer /i.test(v) ? 'Bearer REDACTED' : 'REDACTED';
    out.push([k, v]);
  }
  return out;
}
function decode(buf, enc) {
  enc = (enc || '').toLowerCase();
  if (!enc || enc === 'identity') return null;
  try {
    if (enc === 'gzip') return zlib.gunzipSync(buf);
    if (enc === 'deflate') return zlib.inflateSync(buf);
    if (enc === 'br') return zlib.brotliDecompressSync(buf);
    if (enc === 'zstd' && zlib.zstdDecompressSync) return zlib.zstdDecompressSync(buf);
  } catch (e) { return Buffer.from('DECODE ERROR: ' + e); }
  return Buffer.from('UNSUPPORTED ENCODING ' + enc);
}

// ---------- tool helpers ----------
const SHELL_NAMES = ['Bash', 'bash', 'shell', 'shell_command', 'exec_command', 'run_shell_command', 'local_shell', 'execute_command'];
function pickShell(cands) {
  for (const n of SHELL_NAMES) { const t = cands.find((c) => c.name === n); if (t) return t; }
  return cands.find((c) => c.schema && c.schema.properties && (c.schema.properties.command || c.schema.properties.cmd)) || null;
}
function flattenResponsesTools(tools, ns) {
  const out = [];
  for (const t of tools || []) {
    if (t.type === 'function') out.push({ name: t.name, schema: t.parameters, namespace: ns });
    else if (t.type === 'namespace' && Array.isArray(t.tools)) out.push(...flattenResponsesTools(t.tools, t.name));
    else if (t.type === 'local_shell') out.push({ name: 'local_shell', schema: null, local: true });
  }
  return out;
}
function shellToolFor(api, body) {
  if (!body || !Array.isArray(body.tools)) return null;
  if (api === 'anthropic') return pickShell(body.tools.filter((t) => t.name).map((t) => ({ name: t.name, schema: t.input_schema })));
  if (api === 'chat') return pickShell(body.tools.filter((t) => t.function).map((t) => ({ name: t.function.name, schema: t.function.parameters })));
  if (api === 'responses') return pickShell(flattenResponsesTools(body.tools));
  if (api === 'gemini') {
    const c = [];
    for (const t of body.tools) for (const f of t.functionDeclarations || []) c.push({ name: f.name, schema: f.parametersJsonSchema || f.parameters });
    return pickShell(c);
  }
  return null;
}
function lower(s) { return s && typeof s === 'object' && s.type ? { ...s, type: String(s.type).toLowerCase() } : s; }
function buildArgs(schema) {
  schema = lower(schema) || {};
  const props = schema.properties || {};
  const args = {};
  const cmdKey = props.command ? 'command' : props.cmd ? 'cmd' : 'command';
  const ct = lower(props[cmdKey]) || {};
  args[cmdKey] = ct.type === 'array' ? ['bash', '-lc', TOOL_CMD] : TOOL_CMD;
  for (const r of schema.required || []) {
    if (r in args) continue;
    const p = lower(props[r]) || {};
    if (r === 'description') args[r] = 'Write out.txt';
    else if (p.enum) args[r] = p.enum[0];
    else if (p.type === 'boolean') args[r] = false;
    else if (p.type === 'integer' || p.type === 'number') args[r] = 10000;
    else if (p.type === 'array') args[r] = [];
    else args[r] = '';
  }
  return args;
}
function hasToolResult(api, body) {
  const s = JSON.stringify(body || {});
  if (api === 'anthropic') return s.includes('"tool_result"');
  if (api === 'chat') return (body.messages || []).some((m) => m.role === 'tool');
  if (api === 'responses') return (Array.isArray(body.input) ? body.input : []).some((i) => /_call_output$/.test(i.type || ''));
  if (api === 'gemini') return s.includes('"functionResponse"');
  return false;
}
// JSON text for structured-output side requests
function fakeFromSchema(schema, depth = 0) {
  schema = lower(schema) || {};
  if (depth > 6) return null;
  if (schema.enum) return schema.enum[0];
  if (schema.anyOf) return fakeFromSchema(schema.anyOf[0], depth + 1);
  switch (schema.type) {
    case 'object': { const o = {}; for (const [k, v] of Object.entries(schema.properties || {})) o[k] = fakeFromSchema(v, depth + 1); return o; }
    case 'array': return [];
    case 'boolean': return false;
    case 'integer': case 'number': return 0;
    case 'string': return 'OK';
    default: return 'OK';
  }
}
function jsonSchemaOf(api, body) {
  if (!body) return null;
  if (api === 'gemini') { const g = body.generationConfig || {}; return g.responseJsonSchema || g.responseSchema || (g.responseMimeType === 'application/json' ? { type: 'object' } : null); }
  if (api === 'chat') { const rf = body.response_format; if (rf && rf.type === 'json_schema') return rf.json_schema.schema; if (rf && rf.type === 'json_object') return { type: 'object' }; }
  if (api === 'responses') { const f = body.text && body.text.format; if (f && f.type === 'json_schema') return f.schema; }
  if (api === 'anthropic') { const f = (body.output_config && body.output_config.format) || body.output_format; if (f && f.schema) return f.schema; }
  return null;
}
function decide(api, body) {
  const js = jsonSchemaOf(api, body);
  if (hasToolResult(api, body)) return { kind: 'text', text: 'done' };
  const tool = shellToolFor(api, body);
  if (SCENARIO === 'tool' && tool) return { kind: 'tool', tool, args: tool.local ? null : buildArgs(tool.schema) };
  if (js) return { kind: 'text', text: JSON.stringify(fakeFromSchema(js)) };
  return { kind: 'text', text: 'OK' };
}

// ---------- SSE writer with keepalive injection ----------
function sseStart(res, extraHeaders = {}) {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive', ...extraHeaders });
  res.sent = [];
}
function sseWrite(res, chunk) {
  let ka = '';
  if (KEEPALIVE === 'comment') ka = ': keepalive\n\n';
  else if (KEEPALIVE === 'bare') ka = ':\n\n';
  else if (KEEPALIVE === 'inline') ka = ': keepalive\n';
  else if (KEEPALIVE === 'blank') ka = '\n';
  // MOCK_KA_WHERE=between: no keepalive before the first event, only between events
  if (ka && !(process.env.MOCK_KA_WHERE === 'between' && res.sent.length === 0)) res.sent.push(ka);
  res.sent.push(chunk);
}
// Writes the queued pieces one by one, STEP_MS apart, so each keepalive and each event reaches the client in
// its own TCP write (as a real upstream's would), then ends the response.
const STEP_MS = Number(process.env.MOCK_STEP_MS || 15);
function sseEnd(res) {
  const parts = res.sent.slice();
  let i = 0;
  const next = () => {
    if (i >= parts.length || res.destroyed) { res.end(); return; }
    res.write(parts[i++]);
    setTimeout(next, STEP_MS);
  };
  next();
}
function ev(name, data) { return (name ? `event: ${name}\n` : '') + `data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`; }

// ---------- Anthropic ----------
function anthropic(req, res, body, d) {
  const model = body.model || 'claude-sonnet-4-6';
  const id = rid('msg_');
  const usage = { input_tokens: 120, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 5 };
  const block = d.kind === 'tool'
    ? { type: 'tool_use', id: rid('toolu_'), name: d.tool.name, input: d.args }
    : { type: 'text', text: d.text };
  const stop = d.kind === 'tool' ? 'tool_use' : 'end_turn';
  if (!body.stream) {
    const j = JSON.stringify({ id, type: 'message', role: 'assistant', model, content: [block], stop_reason: stop, stop_sequence: null, usage });
    res.writeHead(200, { 'content-type': 'application/json', 'request-id': rid('req_') }); res.end(j); return j;
  }
  sseStart(res, { 'request-id': rid('req_') });
  sseWrite(res, ev('message_start', { type: 'message_start', message: { id, type: 'message', role: 'assistant', model, content: [], stop_reason: null, stop_sequence: null, usage: { ...usage, output_tokens: 1 } } }));
  if (block.type === 'tool_use') {
    sseWrite(res, ev('content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'tool_use', id: block.id, name: block.name, input: {} } }));
    sseWrite(res, ev('ping', { type: 'ping' }));
    const js = JSON.stringify(block.input);
    const mid = Math.floor(js.length / 2);
    for (const part of [js.slice(0, mid), js.slice(mid)]) sseWrite(res, ev('content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: part } }));
  } else {
    sseWrite(res, ev('content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }));
    sseWrite(res, ev('ping', { type: 'ping' }));
    sseWrite(res, ev('content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: block.text } }));
  }
  sseWrite(res, ev('content_block_stop', { type: 'content_block_stop', index: 0 }));
  sseWrite(res, ev('message_delta', { type: 'message_delta', delta: { stop_reason: stop, stop_sequence: null }, usage: { output_tokens: 5 } }));
  sseWrite(res, ev('message_stop', { type: 'message_stop' }));
  sseEnd(res);
  return res.sent.join('');
}

// ---------- OpenAI Responses ----------
function responses(req, res, body, d) {
  const model = body.model || 'gpt-5.4';
  const respId = rid('resp_');
  const created = Math.floor(Date.now() / 1000);
  let item;
  if (d.kind === 'tool' && d.tool.local) item = { type: 'local_shell_call', id: rid('lsh_'), call_id: rid('call_'), status: 'completed', action: { type: 'exec', command: ['bash', '-lc', TOOL_CMD], env: {} } };
  else if (d.kind === 'tool') { item = { type: 'function_call', id: rid('fc_'), call_id: rid('call_'), name: d.tool.name, arguments: JSON.stringify(d.args), status: 'completed' }; if (d.tool.namespace) item.namespace = d.tool.namespace; }
  else item = { type: 'message', id: rid('msg_'), role: 'assistant', status: 'completed', content: [{ type: 'output_text', text: d.text, annotations: [] }] };
  const usage = { input_tokens: 120, input_tokens_details: { cached_tokens: 0 }, output_tokens: 5, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: 125 };
  const base = { id: respId, object: 'response', created_at: created, model, status: 'in_progress', output: [], usage: null, error: null, incomplete_details: null };
  const final = { ...base, status: 'completed', output: [item], usage };
  if (body.stream === false) { const j = JSON.stringify(final); res.writeHead(200, { 'content-type': 'application/json' }); res.end(j); return j; }
  sseStart(res, { 'x-request-id': rid('req_') });
  let n = 0;
  const e = (type, o) => sseWrite(res, ev(type, { type, sequence_number: n++, ...o }));
  e('response.created', { response: base });
  e('response.in_progress', { response: base });
  if (item.type === 'message') {
    const empty = { ...item, status: 'in_progress', content: [] };
    e('response.output_item.added', { output_index: 0, item: empty });
    e('response.content_part.added', { item_id: item.id, output_index: 0, content_index: 0, part: { type: 'output_text', text: '', annotations: [] } });
    e('response.output_text.delta', { item_id: item.id, output_index: 0, content_index: 0, delta: d.text, logprobs: [] });
    e('response.output_text.done', { item_id: item.id, output_index: 0, content_index: 0, text: d.text, logprobs: [] });
    e('response.content_part.done', { item_id: item.id, output_index: 0, content_index: 0, part: item.content[0] });
  } else if (item.type === 'function_call') {
    e('response.output_item.added', { output_index: 0, item: { ...item, arguments: '', status: 'in_progress' } });
    e('response.function_call_arguments.delta', { item_id: item.id, output_index: 0, delta: item.arguments });
    e('response.function_call_arguments.done', { item_id: item.id, output_index: 0, arguments: item.arguments });
  } else {
    e('response.output_item.added', { output_index: 0, item });
  }
  e('response.output_item.done', { output_index: 0, item });
  e('response.completed', { response: final });
  sseEnd(res);
  return res.sent.join('');
}

// ---------- OpenAI Chat Completions ----------
function chat(req, res, body, d) {
  const model = body.model || 'glm-5';
  const id = rid('chatcmpl-');
  const created = Math.floor(Date.now() / 1000);
  const usage = { prompt_tokens: 120, completion_tokens: 5, total_tokens: 125 };
  const tc = d.kind === 'tool' ? { index: 0, id: rid('call_'), type: 'function', function: { name: d.tool.name, arguments: JSON.stringify(d.args) } } : null;
  const finish = tc ? 'tool_calls' : 'stop';
  if (!body.stream) {
    const msg = tc ? { role: 'assistant', content: null, tool_calls: [{ id: tc.id, type: 'function', function: tc.function }] } : { role: 'assistant', content: d.text };
    const j = JSON.stringify({ id, object: 'chat.completion', created, model, choices: [{ index: 0, message: msg, finish_reason: finish }], usage });
    res.writeHead(200, { 'content-type': 'application/json' }); res.end(j); return j;
  }
  sseStart(res);
  const chunk = (delta, fr = null, extra = {}) => sseWrite(res, ev(null, { id, object: 'chat.completion.chunk', created, model, choices: [{ index: 0, delta, finish_reason: fr }], ...extra }));
  chunk({ role: 'assistant', content: '' });
  if (tc) {
    const a = tc.function.arguments; const mid = Math.floor(a.length / 2);
    chunk({ tool_calls: [{ index: 0, id: tc.id, type: 'function', function: { name: tc.function.name, arguments: '' } }] });
    chunk({ tool_calls: [{ index: 0, function: { arguments: a.slice(0, mid) } }] });
    chunk({ tool_calls: [{ index: 0, function: { arguments: a.slice(mid) } }] });
  } else chunk({ content: d.text });
  chunk({}, finish);
  if (body.stream_options && body.stream_options.include_usage) sseWrite(res, ev(null, { id, object: 'chat.completion.chunk', created, model, choices: [], usage }));
  sseWrite(res, 'data: [DONE]\n\n');
  sseEnd(res);
  return res.sent.join('');
}

// ---------- Gemini ----------
const THOUGHT_SIG = 'c2tpcF90aG91Z2h0X3NpZ25hdHVyZV92YWxpZGF0b3I='; // "skip_thought_signature_validator"
function gemini(req, res, body, d, stream, modelName) {
  const usageMetadata = { promptTokenCount: 120, candidatesTokenCount: 5, totalTokenCount: 125 };
  const responseId = rid('');
  const part = d.kind === 'tool' ? { functionCall: { name: d.tool.name, args: d.args }, thoughtSignature: THOUGHT_SIG } : { text: d.text };
  const mk = (parts, finish) => ({ candidates: [{ content: { parts, role: 'model' }, ...(finish ? { finishReason: finish } : {}), index: 0 }], usageMetadata, modelVersion: modelName, responseId });
  if (!stream) { const j = JSON.stringify(mk([part], 'STOP')); res.writeHead(200, { 'content-type': 'application/json; charset=UTF-8' }); res.end(j); return j; }
  sseStart(res);
  const line = (o) => `data: ${JSON.stringify(o)}\r\n\r\n`;
  if (part.text) {
    sseWrite(res, line(mk([{ text: part.text }])));
    sseWrite(res, line(mk([{ text: '' }], 'STOP')));
  } else {
    sseWrite(res, line(mk([part], 'STOP')));
  }
  sseEnd(res);
  return res.sent.join('');
}

// ---------- model lists ----------
const MODELS = ['claude-sonnet-4-6', 'gpt-5.4', 'glm-5', 'gemini-3-flash-preview'];
function modelList(kind) {
  if (kind === 'anthropic') return { data: MODELS.map((id) => ({ type: 'model', id, display_name: id, created_at: '2026-01-01T00:00:00Z' })), has_more: false, first_id: MODELS[0], last_id: MODELS.at(-1) };
  if (kind === 'gemini') return { models: MODELS.map((id) => ({ name: 'models/' + id, displayName: id, supportedGenerationMethods: ['generateContent', 'countTokens'] })) };
  return { object: 'list', data: MODELS.map((id) => ({ id, object: 'model', created: 1767225600, owned_by: 'mock' })) };
}

// ---------- server ----------
function record(req, url, raw, info) {
  const n = String(++seq).padStart(3, '0');
  fs.writeFileSync(path.join(OUT, n + '.body'), raw);
  const dec = decode(raw, req.headers['content-encoding']);
  if (dec) fs.writeFileSync(path.join(OUT, n + '.decoded'), dec);
  const side = { seq: Number(n), time: new Date().toISOString(), method: req.method, path: url.pathname, query: redactQuery(url), httpVersion: req.httpVersion, headers: redactHeaders(req.rawHeaders), bodyBytes: raw.length, ...info };
  fs.writeFileSync(path.join(OUT, n + '.json'), JSON.stringify(side, null, 2) + '\n');
  return n;
}

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const raw = Buffer.concat(chunks);
    const url = new URL(req.url, 'http://127.0.0.1');
    const p = url.pathname;
    let body = null;
    const dec = decode(raw, req.headers['content-encoding']);
    try { if ((dec || raw).length) body = JSON.parse((dec || raw).toString('utf8')); } catch { body = null; }
    let handledAs = 'unknown', decision = null, sent = '';
    const n = () => record(req, url, raw, { handledAs, decision, keepalive: KEEPALIVE, scenario: SCENARIO });
    try {
      if (req.method === 'HEAD' || (req.method === 'GET' && (p === '/' || p === ''))) { handledAs = 'root'; res.writeHead(200); res.end(); }
      else if (req.method === 'GET' && /\/models\/?$/.test(p)) {
        const kind = p.includes('v1beta') ? 'gemini' : req.headers['anthropic-version'] ? 'anthropic' : 'openai';
        handledAs = 'models-' + kind; sent = JSON.stringify(modelList(kind));
        res.writeHead(200, { 'content-type': 'application/json' }); res.end(sent);
      }
      else if (req.method === 'POST' && /\/messages\/count_tokens$/.test(p)) { handledAs = 'anthropic-count_tokens'; sent = JSON.stringify({ input_tokens: 120 }); res.writeHead(200, { 'content-type': 'application/json' }); res.end(sent); }
      else if (req.method === 'POST' && /\/messages$/.test(p) && process.env.MOCK_REJECT_SYSTEM === '1' && body && (body.messages || []).some((m) => m.role === 'system')) {
        handledAs = 'anthropic-reject-system-400';
        const i = body.messages.findIndex((m) => m.role === 'system');
        sent = JSON.stringify({ type: 'error', error: { type: 'invalid_request_error', message: `messages.${i}.role: Input should be 'user' or 'assistant'` }, request_id: rid('req_') });
        res.writeHead(400, { 'content-type': 'application/json' }); res.end(sent);
      }
      else if (req.method === 'POST' && /\/messages$/.test(p)) { handledAs = 'anthropic-messages' + (body && body.stream ? '-stream' : ''); decision = decide('anthropic', body); sent = anthropic(req, res, body || {}, decision); }
      else if (req.method === 'POST' && /\/responses$/.test(p)) { handledAs = 'openai-responses'; decision = decide('responses', body); sent = responses(req, res, body || {}, decision); }
      else if (req.method === 'POST' && /\/chat\/completions$/.test(p)) { handledAs = 'openai-chat' + (body && body.stream ? '-stream' : ''); decision = decide('chat', body); sent = chat(req, res, body || {}, decision); }
      else if (req.method === 'POST' && /:(streamGenerateContent|generateContent)$/.test(p)) {
        const stream = p.endsWith(':streamGenerateContent');
        const modelName = decodeURIComponent(p.split('/').pop().split(':')[0]);
        handledAs = 'gemini-' + (stream ? 'stream' : 'generate'); decision = decide('gemini', body); sent = gemini(req, res, body || {}, decision, stream, modelName);
      }
      else if (req.method === 'POST' && /:countTokens$/.test(p)) { handledAs = 'gemini-countTokens'; sent = JSON.stringify({ totalTokens: 120 }); res.writeHead(200, { 'content-type': 'application/json' }); res.end(sent); }
      else { handledAs = 'not-found'; sent = JSON.stringify({ error: { message: 'mock: unknown endpoint ' + p, type: 'not_found' } }); res.writeHead(404, { 'content-type': 'application/json' }); res.end(sent); }
    } catch (e) {
      handledAs = 'mock-error: ' + e.stack; if (!res.headersSent) { res.writeHead(500); } res.end();
    }
    if (decision && decision.tool) decision = { kind: decision.kind, tool: decision.tool.name, namespace: decision.tool.namespace, args: decision.args };
    const k = n();
    fs.writeFileSync(path.join(OUT, k + '.resp'), sent || '');
    process.stdout.write(`${k} ${req.method} ${req.url} -> ${handledAs} ${decision ? JSON.stringify(decision) : ''}\n`);
  });
});
server.on('upgrade', (req, socket) => {
  const url = new URL(req.url, 'http://127.0.0.1');
  record(req, url, Buffer.alloc(0), { handledAs: 'websocket-upgrade-refused' });
  process.stdout.write(`UPGRADE ${req.url} refused\n`);
  socket.end('HTTP/1.1 426 Upgrade Required\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
});
server.listen(PORT, '127.0.0.1', () => process.stdout.write(`mock listening on 127.0.0.1:${PORT} scenario=${SCENARIO} keepalive=${KEEPALIVE} out=${OUT}\n`));
