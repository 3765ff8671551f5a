// The real SDKs from npm against droid2api in front of the fake upstream: what real clients see.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import { startStack } from './harness.mjs';

const FACTORY_KEY = 'fk-e2e-secret-key-0123456789abcdef';
let stack;
let openai;
let anthropic;

before(async () => {
  stack = await startStack({ env: { FACTORY_API_KEY: FACTORY_KEY, DEBUG: '1' } });
  openai = new OpenAI({ baseURL: `${stack.url}/v1`, apiKey: 'unused-by-proxy', maxRetries: 0 });
  anthropic = new Anthropic({ baseURL: stack.url, apiKey: 'unused-by-proxy', maxRetries: 0 });
});

after(async () => {
  const code = await stack.stop();
  assert.equal(code, 0, 'SIGTERM must end droid2api with status 0');
  assert.ok(!stack.proxy.stderr().includes(FACTORY_KEY), 'the Factory key must never reach the log');
  assert.ok(stack.proxy.stderr().includes('droid2api.server'), 'the log was captured');
});

test('models list', async () => {
  const models = [];
  for await (const m of openai.models.list()) models.push(m);
  assert.ok(models.some((m) => m.id === 'claude-opus-4-6'));
  assert.ok(models.every((m) => m.created < 1e10));
});

test('openai chat, whole and streamed with usage', async () => {
  const whole = await openai.chat.completions.create({ model: 'glm-5.2', messages: [{ role: 'user', content: 'hi' }] });
  assert.equal(whole.choices[0].message.content, 'Hello from the fake upstream');
  assert.equal(whole.usage.total_tokens, 18);

  const stream = await openai.chat.completions.create({
    model: 'glm-5.2', messages: [{ role: 'user', content: 'hi' }], stream: true,
    stream_options: { include_usage: true }, fake: { delay_ms: 20, deltas: 4 },
  });
  let text = '';
  let finish = null;
  let usage = null;
  for await (const chunk of stream) {
    if (chunk.choices[0]?.delta?.content) text += chunk.choices[0].delta.content;
    if (chunk.choices[0]?.finish_reason) finish = chunk.choices[0].finish_reason;
    if (chunk.usage) usage = chunk.usage;
  }
  assert.equal(text, 'Hello from the fake');
  assert.equal(finish, 'stop');
  assert.equal(usage.completion_tokens, 4);
});

test('openai responses, whole and streamed', async () => {
  const whole = await openai.responses.create({ model: 'gpt-5.4', input: 'hi' });
  assert.equal(whole.output_text, 'Hello from the fake upstream');

  const stream = openai.responses.stream({ model: 'gpt-5.4', input: 'hi', fake: { delay_ms: 10, deltas: 3 } });
  let deltas = '';
  stream.on('response.output_text.delta', (e) => { deltas += e.delta; });
  const final = await stream.finalResponse();
  assert.equal(deltas, 'Hello from the');
  assert.equal(final.status, 'completed');
  assert.equal(final.output[0].content[0].text, 'Hello from the');
});

test('anthropic messages, whole, streamed (finalMessage) and count_tokens', async () => {
  const whole = await anthropic.messages.create({
    model: 'claude-opus-4-6', max_tokens: 64, system: 'Be brief.', messages: [{ role: 'user', content: 'hi' }],
  });
  assert.equal(whole.content[0].text, 'Hello from the fake upstream');
  assert.equal(whole.stop_reason, 'end_turn');

  const stream = anthropic.messages.stream({
    model: 'claude-sonnet-4-6', max_tokens: 64, messages: [{ role: 'user', content: 'hi' }], fake: { delay_ms: 10, deltas: 5 },
  });
  let seen = '';
  stream.on('text', (t) => { seen += t; });
  const final = await stream.finalMessage();
  assert.equal(seen, 'Hello from the fake upstream');
  assert.equal(final.content[0].text, 'Hello from the fake upstream');
  assert.equal(final.usage.output_tokens, 5);

  const count = await anthropic.messages.countTokens({ model: 'claude-opus-4-6', messages: [{ role: 'user', content: 'hi' }] });
  assert.equal(count.input_tokens, 42);
});

test('errors arrive in each SDK as its own error type with status and message', async () => {
  await assert.rejects(
    anthropic.messages.create({ model: 'claude-nope', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] }),
    (e) => e instanceof Anthropic.NotFoundError && e.status === 404 && /claude-nope/.test(e.message),
  );
  await assert.rejects(
    openai.chat.completions.create({ model: 'nope', messages: [{ role: 'user', content: 'x' }] }),
    (e) => e instanceof OpenAI.NotFoundError && e.status === 404,
  );
  await assert.rejects(
    openai.responses.create({ model: 'gpt-5.4', input: 'x', fake: { scenario: 'status', status: 429, body: '{"detail":"slow down"}' } }),
    (e) => e instanceof OpenAI.RateLimitError && /slow down/.test(e.message),
  );
  await assert.rejects(
    anthropic.messages.create({ model: 'glm-5.2', max_tokens: 5, messages: [{ role: 'user', content: [
      { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: 'JVBERi0=' } }, { type: 'text', text: 'Summarise' }] }] }),
    (e) => e instanceof Anthropic.BadRequestError && /attached file/.test(e.message),
  );
});

test('what a translation leaves out is named in x-droid2api-dropped, and the answer still comes', async () => {
  const { data, response } = await anthropic.messages.create({ model: 'glm-5.2', max_tokens: 5, messages: [{ role: 'user', content: 'x' }],
    tools: [{ type: 'web_search_20250305', name: 'web_search' }] }).withResponse();
  assert.equal(response.headers.get('x-droid2api-dropped'), 'tools[0] (web_search_20250305)');
  assert.equal(data.type, 'message');
  assert.ok(data.content.length > 0);
});

test('a stream that breaks upstream fails in the SDK instead of ending silently', async () => {
  const broken = anthropic.messages.stream({
    model: 'claude-opus-4-6', max_tokens: 64, messages: [{ role: 'user', content: 'hi' }], fake: { scenario: 'cut', delay_ms: 20 },
  });
  await assert.rejects(broken.finalMessage(), /closed the connection/);

  const chat = await openai.chat.completions.create({
    model: 'glm-5.2', messages: [{ role: 'user', content: 'hi' }], stream: true, fake: { scenario: 'cut', delay_ms: 20 },
  });
  await assert.rejects(async () => { for await (const _ of chat) { /* drain */ } }, /closed the connection/);
});
