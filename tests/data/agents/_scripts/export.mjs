// Copies the captures made by capture-all.sh into the project's test data folder:
//   <dest>/<agent>/<scenario>-<n>.json           raw request body, byte-exact as the mock received it
//   <dest>/<agent>/<scenario>-<n>.meta.json      sidecar: method, path, query, redacted headers, sizes, what the mock answered
//   <dest>/<agent>/<scenario>-<n>.response.sse   (or .response.json) the bytes the mock answered with
// and refuses to write anything that contains a key used in the runs or a path outside the neutral dirs.
// usage: node export.mjs [dest]   (default /work/main/tests/data/agents)
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';

const OUT = '/tmp/agents/out';
const DEST = process.argv[2] || '/work/main/tests/data/agents';
const V = { claude: '@anthropic-ai/claude-code 2.1.332', codex: '@openai/codex 0.171.0', gemini: '@google/gemini-cli 0.61.0', opencode: 'opencode-ai 1.18.33', qwen: '@qwen-code/qwen-code 0.24.4' };
// [run dir, agent folder, scenario name, model, how it was run]
const RUNS = [
  ['claude-text-none-quiet', 'claude', 'text', 'claude-sonnet-4-6', 'claude -p'],
  ['claude-tool-none-quiet', 'claude', 'tool', 'claude-sonnet-4-6', 'claude -p'],
  ['claude-tool-none-quiet-opus5', 'claude', 'tool-opus5', 'claude-opus-5', 'claude -p; model >= opus-4-8 turns on mid-conversation role:"system" messages'],
  ['claude-tool-none-quiet-opus5-rejectsys', 'claude', 'tool-opus5-rejectsys', 'claude-opus-5', 'claude -p; the mock answered 400 to the request with role:"system" messages'],
  ['codex-text-none-quiet', 'codex', 'text', 'gpt-5.4', 'codex exec; gpt-5.4 is not in codex 0.171 model catalog (fallback metadata)'],
  ['codex-tool-none-quiet', 'codex', 'tool', 'gpt-5.4', 'codex exec; gpt-5.4 is not in codex 0.171 model catalog (fallback metadata)'],
  ['codex-text-none-quiet-gpt55', 'codex', 'text-gpt55', 'gpt-5.5', 'codex exec; gpt-5.5 is in the bundled catalog (freeform apply_patch, tool_search)'],
  ['codex-tool-none-quiet-gpt55', 'codex', 'tool-gpt55', 'gpt-5.5', 'codex exec; gpt-5.5 is in the bundled catalog (freeform apply_patch, tool_search)'],
  ['gemini-text-none-quiet', 'gemini', 'text', 'gemini-3-flash-preview', 'gemini -p'],
  ['gemini-tool-none-quiet', 'gemini', 'tool', 'gemini-3-flash-preview', 'gemini -p'],
  ['opencode-text-none-quiet', 'opencode', 'text', 'glm-5', 'opencode run; provider @ai-sdk/openai-compatible (Chat Completions)'],
  ['opencode-tool-none-quiet', 'opencode', 'tool', 'glm-5', 'opencode run; provider @ai-sdk/openai-compatible (Chat Completions)'],
  ['opencode-anthropic-text-none-quiet', 'opencode', 'anthropic-text', 'claude-sonnet-4-6', 'opencode run; provider anthropic (@ai-sdk/anthropic)'],
  ['opencode-anthropic-tool-none-quiet', 'opencode', 'anthropic-tool', 'claude-sonnet-4-6', 'opencode run; provider anthropic (@ai-sdk/anthropic)'],
  ['opencode-google-text-none-quiet', 'opencode', 'google-text', 'gemini-3-flash-preview', 'opencode run; provider google (@ai-sdk/google)'],
  ['opencode-google-tool-none-quiet', 'opencode', 'google-tool', 'gemini-3-flash-preview', 'opencode run; provider google (@ai-sdk/google)'],
  ['opencode-openai-text-none-quiet', 'opencode', 'openai-text', 'gpt-5.4', 'opencode run; provider openai (@ai-sdk/openai, Responses API)'],
  ['opencode-openai-tool-none-quiet', 'opencode', 'openai-tool', 'gpt-5.4', 'opencode run; provider openai (@ai-sdk/openai, Responses API)'],
  ['qwen-text-none-quiet', 'qwen', 'text', 'glm-5', 'qwen -p'],
  ['qwen-tool-none-quiet', 'qwen', 'tool', 'glm-5', 'qwen -p'],
];
const FORBIDDEN = ['sk-ant-mock-key', 'sk-mock-key', 'mock-gemini-key', '/root/', '/work/main', 'droid2api'];

function purpose(agent, body) {
  const s = JSON.stringify(body || {});
  if (s.includes('You are a title generator')) return 'session title generation (side request, no tools)';
  if (s.includes('managed memory extraction subagent')) return 'memory extraction subagent (side request)';
  return 'main agent turn';
}

fs.mkdirSync(DEST, { recursive: true });
const index = [];
for (const [run, agent, scenario, model, how] of RUNS) {
  const cap = path.join(OUT, run, 'cap');
  const dir = path.join(DEST, agent);
  fs.mkdirSync(dir, { recursive: true });
  const seqs = fs.readdirSync(cap).filter((f) => f.endsWith('.body')).map((f) => f.slice(0, 3)).sort();
  seqs.forEach((seq, i) => {
    const n = i + 1;
    const raw = fs.readFileSync(path.join(cap, seq + '.body'));
    const side = JSON.parse(fs.readFileSync(path.join(cap, seq + '.json'), 'utf8'));
    const resp = fs.readFileSync(path.join(cap, seq + '.resp'));
    for (const f of FORBIDDEN) {
      if (raw.includes(f) || JSON.stringify(side.headers).includes(f)) throw new Error(`${run}/${seq}: contains ${f}`);
    }
    let body = null; try { body = JSON.parse(raw.toString('utf8')); } catch {}
    const base = `${scenario}-${n}`;
    fs.writeFileSync(path.join(dir, base + (body ? '.json' : '.bin')), raw);
    const isSse = resp.toString('utf8').startsWith('event:') || resp.toString('utf8').startsWith('data:') || resp.toString('utf8').startsWith(':');
    fs.writeFileSync(path.join(dir, `${base}.response.${isSse ? 'sse' : 'json'}`), resp);
    const meta = {
      agent: V[agent], scenario, request: n, model, how,
      purpose: purpose(agent, body),
      method: side.method, path: side.path, query: side.query, httpVersion: side.httpVersion,
      headers: side.headers,
      bodyBytes: raw.length, bodySha256: crypto.createHash('sha256').update(raw).digest('hex'),
      mockAnswered: side.handledAs, mockDecision: side.decision,
    };
    fs.writeFileSync(path.join(dir, base + '.meta.json'), JSON.stringify(meta, null, 2) + '\n');
    index.push(`${agent}/${base}: ${side.method} ${side.path}${side.query.length ? '?' + side.query.map(([k, v]) => `${k}=${v}`).join('&') : ''} ${raw.length} B -> ${side.handledAs} (${meta.purpose})`);
  });
}
fs.writeFileSync(path.join(DEST, 'INDEX.txt'), index.join('\n') + '\n');
console.log(index.join('\n'));
