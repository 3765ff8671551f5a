// The SDKs' whole surface, with the versions today's agents bundle (the lockfile's openai 5, @anthropic-ai/sdk 0.60,
// @google/genai 1 and 2) and the newest majors (openai 7, @anthropic-ai/sdk 1, @google/genai 3, also pinned in the
// lockfile; `make test-latest-clients` sets SDK_LATEST_DIR to what npm serves today instead): Google's routes on
// v1 and v1beta, token counting on every route, model lists, structured output between every client format and
// every model type (whole and streamed, the JSON text exact), the Anthropic SDK's default tool runner over
// message threads, and the refusals in the shape each SDK parses. The fake upstream checks what the vendors
// check (vendor_checks) and answers schema-following JSON when asked for structured output.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { startStack } from './harness.mjs';

const TYPES = ['anthropic', 'openai', 'common', 'google'];
const models = TYPES.map((type) => ({ id: `so-${type}`, type }));
const SCHEMA = {
  type: 'object',
  properties: { city: { type: 'string' }, temperature_c: { type: 'number' }, sunny: { type: 'boolean' } },
  required: ['city', 'temperature_c', 'sunny'],
  additionalProperties: false,
};
// What "the model" answers (the fake writes a value that follows the schema, in the schema's key order).
const ANSWER = '{"city":"x","temperature_c":2.5,"sunny":true}';

/** Loads an SDK: `spec` from tests/e2e/node_modules, or `name` from SDK_LATEST_DIR for the newest ones. */
async function loadSdk(name, spec, newest) {
  const latest = newest ? process.env.SDK_LATEST_DIR : undefined;
  const root = latest ?? fileURLToPath(new URL('.', import.meta.url));
  const id = latest ? name : spec;
  const req = createRequire(join(root, 'package.json'));
  const load = async (sub) => import(pathToFileURL(req.resolve(sub ? `${id}/${sub}` : id)).href);
  const version = JSON.parse(readFileSync(join(root, 'node_modules', id, 'package.json'), 'utf8')).version;
  return { version, mod: await load(), load, label: `${name} ${version}` };
}

/** Resolves once `cond()` holds: the proxy logs a request's line as it ends, which may follow the answer. */
async function waitFor(cond, describe, ms = 10000) {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) assert.fail(describe());
    await new Promise((r) => setImmediate(r));
  }
}

const pick = (mod, name) => mod[name] ?? mod.default?.[name] ?? mod.default;

let stack;
let sdks;

async function knobs(body) {
  const r = await fetch(`${stack.fake.url}/fake/knobs`, { method: 'POST', body: JSON.stringify(body) });
  return r.json();
}

before(async () => {
  delete process.env.GOOGLE_GENAI_API_VERSION; // genai 2-3 would otherwise take their API version from it
  stack = await startStack({ env: { FACTORY_API_KEY: 'fk-surface-0123456789abcdef' }, config: { models } });
  await knobs({ vendor_checks: true });
  const openai = [await loadSdk('openai', 'openai', false), await loadSdk('openai', 'openai7', true)];
  const anthropic = [await loadSdk('@anthropic-ai/sdk', '@anthropic-ai/sdk', false), await loadSdk('@anthropic-ai/sdk', 'anthropic1', true)];
  const genai = [await loadSdk('@google/genai', '@google/genai', false), await loadSdk('@google/genai', 'genai2', false),
    await loadSdk('@google/genai', 'genai3', true)];
  sdks = { openai, anthropic, genai };
  for (const s of [...openai, ...anthropic, ...genai]) console.log(`# ${s.label}`);
});

after(async () => {
  const state = await knobs({});
  assert.equal(state.vendor_rejections, 0, `no vendor refused a request: ${JSON.stringify(state.vendor_rejection_messages)}`);
  assert.equal(await stack.stop(), 0);
});

const geminiClient = (sdk, apiVersion) => new (pick(sdk.mod, 'GoogleGenAI'))({ apiKey: 'x',
  httpOptions: { baseUrl: stack.url, ...(apiVersion ? { apiVersion } : {}) } });

test('genai: generate, stream, countTokens, list and get on the version each SDK calls (v1 for genai 3, v1beta before)', async () => {
  for (const sdk of sdks.genai) {
    for (const apiVersion of [undefined, 'v1', 'v1beta']) {
      const ai = geminiClient(sdk, apiVersion);
      for (const type of TYPES) {
        const model = `so-${type}`;
        const whole = await ai.models.generateContent({ model, contents: 'hi' });
        // (Factory's Gemini route always streams: the fake's stream there has three words.)
        assert.ok(whole.text.startsWith('Hello from the'), `${sdk.label} ${apiVersion} ${model}: ${whole.text}`);
        let streamed = '';
        for await (const chunk of await ai.models.generateContentStream({ model, contents: 'hi' })) streamed += chunk.text ?? '';
        assert.ok(streamed.startsWith('Hello from the'), `${sdk.label} ${model} stream: ${streamed}`);
        const count = await ai.models.countTokens({ model, contents: 'How many tokens is this sentence?' });
        assert.ok(count.totalTokens > 0, `${sdk.label} ${model} countTokens`);
      }
      const listed = [];
      for await (const m of await ai.models.list()) listed.push(m.name);
      assert.deepEqual(listed.filter((n) => n.startsWith('models/so-')).sort(), models.map((m) => `models/${m.id}`).sort(), sdk.label);
      const one = await ai.models.get({ model: 'so-google' });
      assert.equal(one.name, 'models/so-google');
      assert.ok((one.supportedActions ?? one.supportedGenerationMethods).includes('generateContent'));
      // An unknown model: Google's error shape, status in the ApiError.
      await assert.rejects(ai.models.generateContent({ model: 'no-such-model', contents: 'hi' }), (e) => {
        assert.equal(e.status, 404, `${sdk.label}: ${e.message}`);
        assert.match(e.message, /NOT_FOUND/);
        return true;
      });
    }
  }
});

test('token counting on every route for every model type', async () => {
  for (const sdk of sdks.anthropic) {
    const client = new (pick(sdk.mod, 'Anthropic'))({ baseURL: stack.url, apiKey: 'x', maxRetries: 0 });
    for (const type of TYPES) {
      const c = await client.messages.countTokens({ model: `so-${type}`, messages: [{ role: 'user', content: 'count me' }] });
      assert.ok(c.input_tokens > 0, `${sdk.label} so-${type}`);
    }
  }
  for (const sdk of sdks.openai) {
    const client = new (pick(sdk.mod, 'OpenAI'))({ baseURL: `${stack.url}/v1`, apiKey: 'x', maxRetries: 0 });
    if (!client.responses.inputTokens) {
      assert.ok(sdk.version.startsWith('5.'), `${sdk.label} lacks responses.inputTokens`);
      continue; // openai 5 has no such method; the route is exercised by the newer SDK
    }
    for (const type of TYPES) {
      const c = await client.responses.inputTokens.count({ model: `so-${type}`, input: 'count me', instructions: 'Be brief.' });
      assert.equal(c.object, 'response.input_tokens');
      assert.ok(c.input_tokens > 0, `${sdk.label} so-${type}`);
    }
  }
});

test('model lists: OpenAI and Anthropic SDKs read GET /v1/models, Google SDKs their own shape', async () => {
  for (const sdk of sdks.openai) {
    const client = new (pick(sdk.mod, 'OpenAI'))({ baseURL: `${stack.url}/v1`, apiKey: 'x', maxRetries: 0 });
    const ids = [];
    for await (const m of client.models.list()) ids.push(m.id);
    assert.ok(ids.includes('so-openai'), sdk.label);
    const one = await client.models.retrieve('so-anthropic');
    assert.equal(one.id, 'so-anthropic');
  }
});

test('structured output from every client format to every model type, whole and streamed, the JSON text exact', async () => {
  for (const type of TYPES) {
    const model = `so-${type}`;
    for (const sdk of sdks.openai) {
      const client = new (pick(sdk.mod, 'OpenAI'))({ baseURL: `${stack.url}/v1`, apiKey: 'x', maxRetries: 0 });
      const response_format = { type: 'json_schema', json_schema: { name: 'weather', strict: true, schema: SCHEMA } };
      const messages = [{ role: 'user', content: 'Weather in Paris?' }];
      const chat = await client.chat.completions.create({ model, messages, response_format });
      assert.equal(chat.choices[0].message.content, ANSWER, `${sdk.label} chat -> ${model}`);
      let streamed = '';
      for await (const c of await client.chat.completions.create({ model, messages, response_format, stream: true })) {
        streamed += c.choices[0]?.delta?.content ?? '';
      }
      assert.equal(streamed, ANSWER, `${sdk.label} chat stream -> ${model}`);
      // The documented helper: parse() with zod's response format.
      const { zodResponseFormat, zodTextFormat } = await sdk.load('helpers/zod');
      const { z } = await import('zod');
      const Weather = z.object({ city: z.string(), temperature_c: z.number(), sunny: z.boolean() });
      const parsed = await client.chat.completions.parse({ model, messages, response_format: zodResponseFormat(Weather, 'weather') });
      assert.deepEqual(parsed.choices[0].message.parsed, JSON.parse(ANSWER), `${sdk.label} parse -> ${model}`);

      const text = { format: { type: 'json_schema', name: 'weather', strict: true, schema: SCHEMA } };
      const resp = await client.responses.create({ model, input: 'Weather in Paris?', text });
      assert.equal(resp.output_text ?? resp.output.find((o) => o.type === 'message').content[0].text, ANSWER,
        `${sdk.label} responses -> ${model}`);
      const stream = client.responses.stream({ model, input: 'Weather in Paris?', text });
      let deltas = '';
      stream.on('response.output_text.delta', (e) => { deltas += e.delta; });
      await stream.finalResponse();
      assert.equal(deltas, ANSWER, `${sdk.label} responses stream -> ${model}`);
      if (client.responses.parse && zodTextFormat) {
        const rp = await client.responses.parse({ model, input: 'Weather in Paris?', text: { format: zodTextFormat(Weather, 'weather') } });
        assert.deepEqual(rp.output_parsed, JSON.parse(ANSWER), `${sdk.label} responses.parse -> ${model}`);
      }
    }
    for (const sdk of sdks.anthropic) {
      const client = new (pick(sdk.mod, 'Anthropic'))({ baseURL: stack.url, apiKey: 'x', maxRetries: 0 });
      const params = { model, max_tokens: 256, messages: [{ role: 'user', content: 'Weather in Paris?' }],
        output_config: { format: { type: 'json_schema', schema: SCHEMA } } };
      const whole = await client.messages.create(params);
      assert.equal(whole.content.find((b) => b.type === 'text').text, ANSWER, `${sdk.label} -> ${model}`);
      let streamed = '';
      const s = client.messages.stream(params);
      s.on('text', (t) => { streamed += t; });
      await s.finalMessage();
      assert.equal(streamed, ANSWER, `${sdk.label} stream -> ${model}`);
    }
    for (const sdk of sdks.genai) {
      const ai = geminiClient(sdk);
      for (const config of [{ responseMimeType: 'application/json', responseJsonSchema: SCHEMA },
        { responseMimeType: 'application/json', responseSchema: { type: 'OBJECT', properties: SCHEMA.properties, propertyOrdering: ['city', 'temperature_c', 'sunny'] } }]) {
        const whole = await ai.models.generateContent({ model, contents: 'Weather in Paris?', config });
        assert.equal(whole.text, ANSWER, `${sdk.label} ${Object.keys(config)[1]} -> ${model}`);
        let streamed = '';
        for await (const chunk of await ai.models.generateContentStream({ model, contents: 'Weather in Paris?', config })) {
          streamed += chunk.text ?? '';
        }
        assert.equal(streamed, ANSWER, `${sdk.label} stream -> ${model}`);
      }
    }
  }
});

test('what needs server-side state is refused in the shape each SDK parses', async () => {
  for (const sdk of sdks.openai) {
    const client = new (pick(sdk.mod, 'OpenAI'))({ baseURL: `${stack.url}/v1`, apiKey: 'x', maxRetries: 0 });
    for (const [field, value] of [['conversation', 'conv_1'], ['previous_response_id', 'resp_1'], ['background', true]]) {
      await assert.rejects(client.responses.create({ model: 'so-anthropic', input: 'next', [field]: value }), (e) => {
        assert.equal(e.status, 400, `${sdk.label} ${field}`);
        assert.equal(e.param, field);
        assert.match(e.message, new RegExp(`'${field}'`));
        return true;
      });
    }
    if (client.responses.compact) {
      const compacted = await client.responses.compact({ model: 'so-openai', input: 'a long history' });
      assert.equal(compacted.object, 'response.compaction');
      await assert.rejects(client.responses.compact({ model: 'so-common', input: 'a long history' }), (e) => {
        assert.equal(e.status, 400);
        assert.equal(e.code, 'unsupported_model');
        return true;
      });
    }
    // A path nothing serves: 404 named by the path.
    await assert.rejects(client.embeddings.create({ model: 'so-openai', input: 'x' }), (e) => {
      assert.equal(e.status, 404);
      assert.equal(e.code, 'unknown_route');
      return true;
    });
  }
});

test('the Anthropic SDK default tool runner over message threads: refused once, then the whole history every turn', async (t) => {
  const runnable = sdks.anthropic.filter((s) => pick(s.mod, 'Anthropic').prototype && new (pick(s.mod, 'Anthropic'))({ apiKey: 'x' }).beta.messages.toolRunner);
  assert.ok(runnable.length >= 1, 'the newest Anthropic SDK has beta.messages.toolRunner');
  for (const sdk of runnable) {
    const { betaTool } = await sdk.load('helpers/beta/json-schema');
    const client = new (pick(sdk.mod, 'Anthropic'))({ baseURL: stack.url, apiKey: 'x', maxRetries: 0 });
    for (const type of TYPES) {
      await knobs({ agent: { tool: 'get_weather', arguments: '{"city":"Paris"}', after_tool: 'Paris is sunny (step {step})' } });
      const refusals = () => stack.proxy.stderr().split('\n').filter((l) => l.includes("'thread' is not supported")).length;
      const refusedBefore = refusals();
      const ran = [];
      const tools = [betaTool({ name: 'get_weather', description: 'The weather in a city',
        inputSchema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
        run: async ({ city }) => { ran.push(city); return `sunny, 21C in ${city}`; } })];
      const runner = client.beta.messages.toolRunner({ model: `so-${type}`, max_tokens: 256, system: 'Answer briefly.', tools,
        messages: [{ role: 'user', content: 'Weather in Paris? step 1' }] });
      const seen = [];
      for await (const message of runner) seen.push(message.content.map((b) => b.type).join('+'));
      assert.deepEqual(ran, ['Paris'], `${sdk.label} so-${type}: the tool ran once`);
      assert.ok(seen.at(-1).endsWith('text'), `${sdk.label} so-${type}: ${seen}`);
      // The thread was refused once (its create turn); the SDK then sent every turn whole and unthreaded.
      await waitFor(() => refusals() === refusedBefore + 1, () => `thread refusals logged: ${refusals() - refusedBefore}`);
      const state = await knobs({});
      // Every turn the upstream saw holds the whole conversation: the second carries the first turn and its result.
      assert.deepEqual(state.agent_requests.map((r) => [r.user_turns, r.history_results]), [[1, 0], [1, 1]],
        `${sdk.label} so-${type}: ${JSON.stringify(state.agent_requests)}`);
    }
  }
  t.diagnostic(`tool runner checked with ${runnable.map((s) => s.label).join(', ')}`);
});
