// All 16 client-format x model-type pairs, driven by the real SDKs through droid2api and the fake upstream:
// a streamed tool-call turn with two parallel calls, the follow-up turn carrying both tool results, and a
// whole (non-streamed) answer with reasoning. Models: tools-<type> and think-<type> (see tests/support).
// Gemini runs with @google/genai 1.30 (what Gemini CLI bundles) and 2.x; slow-<type> streams pause 400 ms
// between events, so both parse droid2api's Gemini keepalives.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import { GoogleGenAI } from '@google/genai';
import { GoogleGenAI as GoogleGenAI2 } from 'genai2';
import { startStack } from './harness.mjs';

const TYPES = ['anthropic', 'openai', 'common', 'google'];
const models = TYPES.flatMap((type) => [{ id: `tools-${type}`, type }, { id: `think-${type}`, type }, { id: `slow-${type}`, type }]);
const weatherSchema = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false };
const RESULTS = { Paris: 'sunny, 21C', London: 'rain, 14C' };

let stack;
let openai;
let anthropic;
let gemini;
let gemini2;

before(async () => {
  stack = await startStack({ env: { FACTORY_API_KEY: 'fk-matrix-0123456789abcdef' },
    config: { models, timeouts: { first_byte_ms: 3000, idle_ms: 3000, shutdown_ms: 5000, keepalive_ms: 100 } } });
  openai = new OpenAI({ baseURL: `${stack.url}/v1`, apiKey: 'x', maxRetries: 0 });
  anthropic = new Anthropic({ baseURL: stack.url, apiKey: 'x', maxRetries: 0 });
  gemini = new GoogleGenAI({ apiKey: 'x', httpOptions: { baseUrl: stack.url } });
  gemini2 = new GoogleGenAI2({ apiKey: 'x', httpOptions: { baseUrl: stack.url } });
});

after(async () => { assert.equal(await stack.stop(), 0); });

const expectResults = (text) => {
  assert.match(text, /sunny, 21C/);
  assert.match(text, /rain, 14C/);
};

for (const type of TYPES) {
  test(`openai chat -> ${type}: tools, results, reasoning`, async () => {
    const model = `tools-${type}`;
    const tools = [{ type: 'function', function: { name: 'get_weather', description: 'Weather', parameters: weatherSchema } }];
    const messages = [{ role: 'user', content: 'Weather in Paris and London?' }];
    const stream = await openai.chat.completions.create({ model, messages, tools, stream: true, stream_options: { include_usage: true } });
    const calls = [];
    let finish;
    let usage;
    for await (const chunk of stream) {
      for (const tc of chunk.choices[0]?.delta?.tool_calls ?? []) {
        calls[tc.index] ??= { id: tc.id, name: tc.function?.name, args: '' };
        calls[tc.index].args += tc.function?.arguments ?? '';
      }
      finish = chunk.choices[0]?.finish_reason ?? finish;
      usage = chunk.usage ?? usage;
    }
    assert.equal(finish, 'tool_calls');
    assert.ok(usage && usage.completion_tokens > 0, 'usage chunk');
    assert.deepEqual(calls.map((c) => [c.name, JSON.parse(c.args).city]), [['get_weather', 'Paris'], ['get_weather', 'London']]);
    assert.ok(calls.every((c) => c.id));
    messages.push({ role: 'assistant', content: null, tool_calls: calls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: c.args } })) });
    for (const c of calls) messages.push({ role: 'tool', tool_call_id: c.id, content: RESULTS[JSON.parse(c.args).city] });
    const second = await openai.chat.completions.create({ model, messages, tools });
    expectResults(second.choices[0].message.content);
    const think = await openai.chat.completions.create({ model: `think-${type}`, messages: [{ role: 'user', content: 'q' }] });
    assert.equal(think.choices[0].message.content, 'The answer is 42.');
    assert.equal(think.choices[0].message.reasoning_content, 'Let me think about it.');
  });

  test(`openai responses -> ${type}: tools, results, reasoning`, async () => {
    const model = `tools-${type}`;
    const tools = [{ type: 'function', name: 'get_weather', description: 'Weather', parameters: weatherSchema, strict: false }];
    const input = [{ role: 'user', content: 'Weather in Paris and London?' }];
    const final = await openai.responses.stream({ model, input, tools }).finalResponse();
    const calls = final.output.filter((o) => o.type === 'function_call');
    assert.deepEqual(calls.map((c) => JSON.parse(c.arguments).city), ['Paris', 'London']);
    for (const c of calls) input.push({ type: 'function_call', call_id: c.call_id, name: c.name, arguments: c.arguments });
    for (const c of calls) input.push({ type: 'function_call_output', call_id: c.call_id, output: RESULTS[JSON.parse(c.arguments).city] });
    const second = await openai.responses.create({ model, input, tools });
    expectResults(second.output_text);
    const think = await openai.responses.stream({ model: `think-${type}`, input: 'q' }).finalResponse();
    const reasoning = think.output.find((o) => o.type === 'reasoning');
    assert.equal(reasoning?.summary?.[0]?.text, 'Let me think about it.');
    assert.equal(think.output.find((o) => o.type === 'message').content[0].text, 'The answer is 42.');
  });

  test(`anthropic messages -> ${type}: tools, results, thinking`, async () => {
    const model = `tools-${type}`;
    const tools = [{ name: 'get_weather', description: 'Weather', input_schema: weatherSchema }];
    const messages = [{ role: 'user', content: 'Weather in Paris and London?' }];
    const first = await anthropic.messages.stream({ model, max_tokens: 1024, messages, tools }).finalMessage();
    assert.equal(first.stop_reason, 'tool_use');
    const uses = first.content.filter((b) => b.type === 'tool_use');
    assert.deepEqual(uses.map((u) => u.input.city), ['Paris', 'London']);
    messages.push({ role: 'assistant', content: first.content });
    messages.push({ role: 'user', content: uses.map((u) => ({ type: 'tool_result', tool_use_id: u.id, content: RESULTS[u.input.city] })) });
    const second = await anthropic.messages.create({ model, max_tokens: 1024, messages, tools });
    expectResults(second.content.find((b) => b.type === 'text').text);
    const think = await anthropic.messages.stream({ model: `think-${type}`, max_tokens: 1024, messages: [{ role: 'user', content: 'q' }] }).finalMessage();
    const thinking = think.content.find((b) => b.type === 'thinking');
    if (type === 'anthropic' || type === 'openai') assert.ok(thinking.signature, 'a signature that can find its way back');
    assert.equal(thinking.thinking, 'Let me think about it.');
    assert.equal(think.content.find((b) => b.type === 'text').text, 'The answer is 42.');
  });

  test(`gemini (genai 1.30 and 2.x) -> ${type}: a slow stream with keepalives`, async () => {
    for (const client of [gemini, gemini2]) {
      let text = '';
      for await (const chunk of await client.models.generateContentStream({ model: `slow-${type}`, contents: 'hi' })) text += chunk.text ?? '';
      assert.equal(text, 'Hello from');
    }
  });

  for (const [sdk, client] of [['1.30', () => gemini], ['2.x', () => gemini2]]) test(`gemini ${sdk} -> ${type}: tools, results, thoughts`, async () => {
    const gemini = client();
    const model = `tools-${type}`;
    const config = { tools: [{ functionDeclarations: [{ name: 'get_weather', description: 'Weather', parametersJsonSchema: weatherSchema }] }] };
    const contents = [{ role: 'user', parts: [{ text: 'Weather in Paris and London?' }] }];
    const calls = [];
    for await (const chunk of await gemini.models.generateContentStream({ model, contents, config })) {
      for (const fc of chunk.functionCalls ?? []) calls.push(fc);
    }
    assert.deepEqual(calls.map((c) => c.args.city), ['Paris', 'London']);
    contents.push({ role: 'model', parts: calls.map((c) => ({ functionCall: c })) });
    contents.push({ role: 'user', parts: calls.map((c) => ({ functionResponse: { name: c.name, id: c.id, response: { output: RESULTS[c.args.city] } } })) });
    const second = await gemini.models.generateContent({ model, contents, config });
    expectResults(second.text);
    const think = await gemini.models.generateContent({ model: `think-${type}`, contents: 'q' });
    const parts = think.candidates[0].content.parts;
    assert.equal(parts.find((p) => p.thought)?.text, 'Let me think about it.');
    assert.equal(parts.filter((p) => !p.thought).map((p) => p.text).join(''), 'The answer is 42.');
  });
}
