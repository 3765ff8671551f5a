// Multi-turn sessions that switch models midway, driven by the real SDKs through droid2api, against the fake
// upstream's session models (tests/support/fakesession.h), which always apply what each vendor documents it
// checks about reasoning state and tool history (tests/support/vendorchecks.h): turn 1 on sess-A, turn 2 on
// sess-B, turn 3 on sess-A, for every client API x ordered pair of model types x scenario x stream/whole, each
// client keeping its history the way the real client does. Then Gemini -> another Gemini -> Gemini from the
// other client APIs (signatures do not carry across Gemini models), and direct requests to the fake proving that
// its checks bite. SESSIONS_REPORT=<file> writes each session's outcome as JSON.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import { GoogleGenAI } from '@google/genai';
import { startStack } from './harness.mjs';

const TYPES = ['anthropic', 'openai', 'common', 'google'];
const CLIENTS = ['chat', 'responses', 'messages', 'gemini'];
const SCENARIOS = ['reasoning', 'tools', 'parallel'];
const MODES = ['stream', 'whole'];
const models = [...TYPES.map((type) => ({ id: `sess-${type}`, type, reasoning: 'high' })),
  { id: 'sess-google-b', type: 'google', reasoning: 'high' }];
const runSchema = { type: 'object', properties: { step: { type: 'integer' }, part: { type: 'integer' } }, required: ['step'] };
const DESCRIPTION = 'Runs the next step';

let stack;
let openai;
let anthropic;
let gemini;
const outcomes = [];

before(async () => {
  stack = await startStack({ env: { FACTORY_API_KEY: 'fk-sessions-0123456789abcdef' },
    config: { models, timeouts: { first_byte_ms: 5000, idle_ms: 5000, shutdown_ms: 5000 } } });
  openai = new OpenAI({ baseURL: `${stack.url}/v1`, apiKey: 'x', maxRetries: 0, timeout: 20000 });
  anthropic = new Anthropic({ baseURL: stack.url, apiKey: 'x', maxRetries: 0, timeout: 20000 });
  gemini = new GoogleGenAI({ apiKey: 'x', httpOptions: { baseUrl: stack.url, timeout: 20000 } });
});

after(async () => {
  if (process.env.SESSIONS_REPORT) writeFileSync(process.env.SESSIONS_REPORT, JSON.stringify(outcomes, null, 1));
  assert.equal(await stack.stop(), 0);
});

const resultOf = (call) => `result of step ${call.args.step}${call.args.part ? ` part ${call.args.part}` : ''}`;

/** Gemini CLI's history of a streamed answer: thoughts left out, neighbouring text parts joined. */
function consolidate(parts) {
  const isText = (p) => typeof p.text === 'string' && !p.thought && !p.functionCall && !p.functionResponse
    && !p.inlineData && !p.fileData;
  const out = [];
  for (const part of parts.filter((p) => !p.thought)) {
    const last = out.at(-1);
    if (last?.text && isText(last) && isText(part)) last.text += part.text;
    else out.push({ ...part });
  }
  return out;
}

// Each client: a fresh history, a user text, one turn (returns the answer's text and calls), the tool results.
const clients = {
  chat: {
    start: () => ({ messages: [] }),
    user(s, text) { s.messages.push({ role: 'user', content: text }); },
    async turn(s, model, stream) {
      const body = { model, messages: s.messages,
        tools: [{ type: 'function', function: { name: 'run', description: DESCRIPTION, parameters: runSchema } }] };
      let message;
      if (stream) {
        // As agents on Chat accumulate a stream (opencode, Qwen Code): content, reasoning_content, tool calls by index.
        let content = null;
        let reasoning = null;
        const calls = [];
        for await (const chunk of await openai.chat.completions.create({ ...body, stream: true,
          stream_options: { include_usage: true } })) {
          const d = chunk.choices[0]?.delta;
          if (!d) continue;
          if (typeof d.content === 'string') content = (content ?? '') + d.content;
          if (typeof d.reasoning_content === 'string') reasoning = (reasoning ?? '') + d.reasoning_content;
          for (const tc of d.tool_calls ?? []) {
            calls[tc.index] ??= { id: '', type: 'function', function: { name: '', arguments: '' } };
            if (tc.id) calls[tc.index].id = tc.id;
            if (tc.function?.name) calls[tc.index].function.name += tc.function.name;
            calls[tc.index].function.arguments += tc.function?.arguments ?? '';
          }
        }
        message = { role: 'assistant', content };
        if (reasoning !== null) message.reasoning_content = reasoning;
        if (calls.length) message.tool_calls = calls;
      } else {
        message = (await openai.chat.completions.create(body)).choices[0].message;
      }
      s.messages.push(message);
      return { text: message.content ?? '',
        calls: (message.tool_calls ?? []).map((c) => ({ id: c.id, name: c.function.name, args: JSON.parse(c.function.arguments) })) };
    },
    results(s, calls) {
      for (const c of calls) s.messages.push({ role: 'tool', tool_call_id: c.id, content: resultOf(c) });
    },
  },
  responses: {
    start: () => ({ input: [] }),
    user(s, text) { s.input.push({ type: 'message', role: 'user', content: [{ type: 'input_text', text }] }); },
    async turn(s, model, stream) {
      // As Codex: store false, encrypted reasoning asked for, every output item replayed as received.
      const body = { model, input: s.input, store: false, include: ['reasoning.encrypted_content'],
        reasoning: { effort: 'medium', summary: 'auto' }, parallel_tool_calls: true,
        tools: [{ type: 'function', name: 'run', description: DESCRIPTION, parameters: runSchema, strict: false }] };
      let output;
      if (stream) {
        output = [];
        let completed = false;
        for await (const ev of await openai.responses.create({ ...body, stream: true })) {
          if (ev.type === 'response.output_item.done') output.push(ev.item);
          if (ev.type === 'response.completed') completed = true;
          if (ev.type === 'response.failed' || ev.type === 'error') throw new Error(`stream event ${ev.type}: ${JSON.stringify(ev)}`);
        }
        assert.ok(completed, 'response.completed');
      } else {
        output = (await openai.responses.create(body)).output;
      }
      s.input.push(...output);
      return {
        text: output.filter((o) => o.type === 'message').flatMap((o) => o.content)
          .filter((c) => c.type === 'output_text').map((c) => c.text).join(''),
        calls: output.filter((o) => o.type === 'function_call')
          .map((o) => ({ id: o.call_id, name: o.name, args: JSON.parse(o.arguments) })),
      };
    },
    results(s, calls) {
      for (const c of calls) s.input.push({ type: 'function_call_output', call_id: c.id, output: resultOf(c) });
    },
  },
  messages: {
    start: () => ({ messages: [] }),
    user(s, text) { s.messages.push({ role: 'user', content: text }); },
    async turn(s, model, stream) {
      const body = { model, max_tokens: 8192, messages: s.messages, thinking: { type: 'enabled', budget_tokens: 4096 },
        tools: [{ name: 'run', description: DESCRIPTION, input_schema: runSchema }] };
      const message = stream ? await anthropic.messages.stream(body).finalMessage() : await anthropic.messages.create(body);
      s.messages.push({ role: 'assistant', content: message.content });
      return {
        text: message.content.filter((b) => b.type === 'text').map((b) => b.text).join(''),
        calls: message.content.filter((b) => b.type === 'tool_use').map((b) => ({ id: b.id, name: b.name, args: b.input })),
      };
    },
    results(s, calls) {
      s.messages.push({ role: 'user',
        content: calls.map((c) => ({ type: 'tool_result', tool_use_id: c.id, content: resultOf(c) })) });
    },
  },
  gemini: {
    start: () => ({ contents: [] }),
    user(s, text) { s.contents.push({ role: 'user', parts: [{ text }] }); },
    async turn(s, model, stream) {
      const params = { model, contents: s.contents, config: { thinkingConfig: { includeThoughts: true },
        tools: [{ functionDeclarations: [{ name: 'run', description: DESCRIPTION, parametersJsonSchema: runSchema }] }] } };
      let content;
      if (stream) {
        const parts = [];
        for await (const chunk of await gemini.models.generateContentStream(params)) {
          parts.push(...(chunk.candidates?.[0]?.content?.parts ?? []));
        }
        content = { role: 'model', parts: consolidate(parts) };
      } else {
        content = (await gemini.models.generateContent(params)).candidates[0].content;
      }
      s.contents.push(content);
      const parts = content.parts ?? [];
      return {
        text: parts.filter((p) => typeof p.text === 'string' && !p.thought).map((p) => p.text).join(''),
        calls: parts.filter((p) => p.functionCall)
          .map((p) => ({ id: p.functionCall.id, name: p.functionCall.name, args: p.functionCall.args })),
      };
    },
    results(s, calls) {
      s.contents.push({ role: 'user',
        parts: calls.map((c) => ({ functionResponse: { name: c.name, response: { result: resultOf(c) } } })) });
    },
  },
};

/** The vendor's message inside an SDK error (or the error's own message). */
function errorText(e) {
  const raw = String(e?.message ?? e);
  const m = raw.match(/"message"\s*:\s*"((?:[^"\\]|\\.)*)"/);
  const text = m ? JSON.parse(`"${m[1]}"`) : raw.replace(/^\d{3} /, '');
  return `${e?.status ?? ''} ${text}`.trim();
}

async function runSession(client, sequence, scenario, stream) {
  const c = clients[client];
  const s = c.start();
  for (let t = 1; t <= 3; ++t) {
    const model = sequence[t - 1];
    if (t === 1) c.user(s, `scenario:${scenario} Let us begin.`);
    else if (scenario === 'reasoning') c.user(s, `Turn ${t}: and now?`);
    let answer;
    try {
      answer = await c.turn(s, model, stream);
    } catch (e) {
      throw new Error(`turn ${t} on ${model}: ${errorText(e)}`);
    }
    const where = `turn ${t} on ${model}`;
    if (scenario === 'reasoning' || t === 3) {
      assert.deepEqual(answer.calls, [], `${where}: no tool calls`);
      assert.equal(answer.text.trim(), scenario === 'reasoning' ? `Answer ${t}` : 'Done after 2 steps', `${where}: text`);
    } else {
      const expected = scenario === 'tools' ? [{ step: t }] : [{ step: t, part: 1 }, { step: t, part: 2 }];
      assert.deepEqual(answer.calls.map((x) => x.name), expected.map(() => 'run'), `${where}: calls of run`);
      assert.deepEqual(answer.calls.map((x) => x.args), expected, `${where}: call arguments`);
      c.results(s, answer.calls);
    }
  }
}

function sessionTest(name, client, sequence, scenario, mode) {
  test(name, async () => {
    try {
      await runSession(client, sequence, scenario, mode === 'stream');
      outcomes.push({ name, client, sequence, scenario, mode, ok: true });
    } catch (e) {
      outcomes.push({ name, client, sequence, scenario, mode, ok: false, error: String(e.message ?? e) });
      throw e;
    }
  });
}

describe('sessions switching models', { concurrency: 12 }, () => {
  for (const client of CLIENTS)
    for (const a of TYPES)
      for (const b of TYPES) {
        if (a === b) continue;
        for (const scenario of SCENARIOS)
          for (const mode of MODES)
            sessionTest(`${client} client: sess-${a} -> sess-${b} -> sess-${a}, ${scenario}, ${mode}`, client,
              [`sess-${a}`, `sess-${b}`, `sess-${a}`], scenario, mode);
      }
  for (const client of ['chat', 'responses', 'messages'])
    sessionTest(`${client} client: sess-google -> sess-google-b -> sess-google, tools, stream`, client,
      ['sess-google', 'sess-google-b', 'sess-google'], 'tools', 'stream');
});

// The fake's checks, asked directly (not through droid2api): each must refuse with the vendor's exact text.
describe('the fake upstream enforces the vendor checks', () => {
  async function post(path, body) {
    const res = await fetch(`${stack.fake.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body) });
    return { status: res.status, json: await res.json() };
  }
  const state = async () => (await fetch(`${stack.fake.url}/fake/state`)).json();

  test('anthropic: a forged or altered thinking signature', async () => {
    const messages = [{ role: 'user', content: 'scenario:tools Let us begin.' }];
    const body = { model: 'sess-anthropic', max_tokens: 8192, thinking: { type: 'enabled', budget_tokens: 4096 }, messages };
    const first = await post('/api/llm/a/v1/messages', body);
    assert.equal(first.status, 200);
    const [thinking, use] = first.json.content;
    assert.equal(thinking.type, 'thinking');
    const history = (block) => [...messages, { role: 'assistant', content: [block, use] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: use.id, content: 'ok' }] }];
    assert.equal((await post('/api/llm/a/v1/messages', { ...body, messages: history(thinking) })).status, 200, 'the real one passes');
    const before = (await state()).vendor_rejections;
    for (const forged of [{ ...thinking, signature: 'EqQBCkYIBxgCKkD0forgedsignature==' },
      { ...thinking, thinking: `${thinking.thinking} (edited)` }]) {
      const res = await post('/api/llm/a/v1/messages', { ...body, messages: history(forged) });
      assert.equal(res.status, 400);
      assert.deepEqual(res.json, { type: 'error', error: { type: 'invalid_request_error',
        message: 'messages.1.content.0: Invalid `signature` in `thinking` block' } });
    }
    const after = await state();
    assert.equal(after.vendor_rejections, before + 2);
    assert.equal(after.last_vendor_rejection, 'messages.1.content.0: Invalid `signature` in `thinking` block');
  });

  test('responses: a reasoning item without encrypted_content under store:false', async () => {
    const res = await post('/api/llm/o/v1/responses', { model: 'sess-openai', store: false, input: [
      { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'scenario:reasoning hi' }] },
      { type: 'reasoning', id: 'rs_0123456789abcdef', summary: [{ type: 'summary_text', text: 'Thinking about turn 1.' }] },
      { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Answer 1' }] },
      { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'and now?' }] }] });
    assert.equal(res.status, 400);
    assert.deepEqual(res.json, { error: { message: "Item with id 'rs_0123456789abcdef' not found. Items are not persisted "
      + 'when `store` is set to false. Try again with `store` set to true, or remove this item from your input.',
    type: 'invalid_request_error', param: null, code: null } });
  });

  test('gemini: a function call of the current turn without a thought signature', async () => {
    const res = await post('/api/llm/g/v1/generate', { model: 'sess-google', contents: [
      { role: 'user', parts: [{ text: 'scenario:tools Let us begin.' }] },
      { role: 'model', parts: [{ functionCall: { name: 'run', args: { step: 1 } } }] },
      { role: 'user', parts: [{ functionResponse: { name: 'run', response: { result: 'ok' } } }] }] });
    assert.equal(res.status, 400);
    assert.deepEqual(res.json, { error: { code: 400, message: 'Function call is missing a thought_signature in functionCall '
      + 'parts. This is required for tools to work correctly, and missing thought_signature may lead to degraded model '
      + 'performance. Additional data, function call `default_api:run` , position 2. Please refer to '
      + 'https://ai.google.dev/gemini-api/docs/thought-signatures for more details.', status: 'INVALID_ARGUMENT' } });
  });
});
