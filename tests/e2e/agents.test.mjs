// The real coding-agent CLIs from npm (pinned in package-lock.json) through droid2api to every model type:
// Claude Code (Anthropic Messages), Codex (OpenAI Responses), Gemini CLI (Gemini), opencode and Qwen Code
// (Chat Completions), each against an anthropic, openai, common and google model, with a text turn and a tool
// round trip in which "the model" (the fake upstream) asks the agent to run a harmless shell command, the
// agent runs it in a temporary directory and sends the result back. Streams are slowed so droid2api sends
// keepalives in every client's grammar, and the Anthropic upstream sends pings, as the real one does.
// Isolation: a temporary HOME, telemetry and updates off, every proxy variable pointing at a trap that
// records and refuses; under isolated.sh (CTest runs it so) loopback is the only network and every DNS
// lookup is recorded too. Anything recorded fails the test.
// AGENTS_DIR (default: this folder) is where node_modules/.bin holds the agents: `make test-latest-clients`
// points it at the newest published versions.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BIN, FAKE, startListening, exited } from './harness.mjs';
import { startTrap } from './trap.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const AGENTS_DIR = process.env.AGENTS_DIR || HERE;
const BIN_DIR = join(AGENTS_DIR, 'node_modules', '.bin');
const NODE_DIR = dirname(process.execPath);
const COMMAND = 'echo hello-from-tool > out.txt';
const PROMPTS = {
  text: 'Reply with exactly: PONG',
  tool: `Run this exact shell command with your shell tool: ${COMMAND}`,
};
const TEXT = 'PONG-d2a';
const AFTER_TOOL = 'DONE-d2a';

// One model of each type, with the ids the agents know best.
const MODELS = {
  anthropic: 'claude-opus-4-8',
  openai: 'gpt-5.5',
  common: 'glm-5.2',
  google: 'gemini-3-flash-preview',
};

const AGENTS = {
  'claude-code': {
    bin: 'claude',
    tool: 'Bash',
    args: { command: COMMAND, description: 'Write out.txt' },
    setup({ home, url, model }) {
      return {
        env: {
          ANTHROPIC_BASE_URL: url, ANTHROPIC_API_KEY: 'sk-ant-agents-test', ANTHROPIC_MODEL: model,
          ANTHROPIC_DEFAULT_HAIKU_MODEL: model, ANTHROPIC_SMALL_FAST_MODEL: model,
          CLAUDE_CONFIG_DIR: join(home, '.claude'), IS_SANDBOX: '1',
          CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1', DISABLE_TELEMETRY: '1', DISABLE_ERROR_REPORTING: '1',
          DISABLE_AUTOUPDATER: '1', DISABLE_UPDATES: '1', DISABLE_GROWTHBOOK: '1', CLAUDE_CODE_DISABLE_FEEDBACK_SURVEY: '1',
          // Mid-conversation system messages, which Claude Code sends to Opus 4.8 and later, for every model.
          CLAUDE_CODE_FORCE_MID_CONVERSATION_SYSTEM: '1',
        },
        argv: ['--model', model, '--dangerously-skip-permissions', '--output-format', 'text', '-p'],
      };
    },
  },
  codex: {
    bin: 'codex',
    tool: 'exec_command',
    args: { cmd: COMMAND },
    setup({ home, url, model }) {
      const codexHome = join(home, '.codex');
      mkdirSync(codexHome, { recursive: true });
      writeFileSync(join(codexHome, 'config.toml'), [
        `model = "${model}"`, 'model_provider = "droid2api"', 'check_for_update_on_startup = false', '',
        '[model_providers.droid2api]', 'name = "droid2api"', `base_url = "${url}/v1"`, 'env_key = "DROID2API_KEY"',
        'wire_api = "responses"', '', '[analytics]', 'enabled = false', '', '[feedback]', 'enabled = false', '',
        '[otel]', 'exporter = "none"', '', '[history]', 'persistence = "none"', '', '[features]', 'plugins = false', '',
      ].join('\n'));
      return {
        env: { CODEX_HOME: codexHome, DROID2API_KEY: 'sk-agents-test' },
        argv: ['exec', '--skip-git-repo-check', '--dangerously-bypass-approvals-and-sandbox', '--ephemeral', '--color', 'never', '-m', model],
      };
    },
  },
  'gemini-cli': {
    bin: 'gemini',
    tool: 'run_shell_command',
    args: { command: COMMAND },
    setup({ home, url, model }) {
      mkdirSync(join(home, '.gemini'), { recursive: true });
      writeFileSync(join(home, '.gemini', 'settings.json'), JSON.stringify({
        general: { enableAutoUpdate: false, enableAutoUpdateNotification: false },
        privacy: { usageStatisticsEnabled: false },
        telemetry: { enabled: false },
        security: { auth: { selectedType: 'gemini-api-key' } },
      }));
      return { env: { GEMINI_API_KEY: 'agents-test-key', GOOGLE_GEMINI_BASE_URL: url }, argv: ['-m', model, '--yolo', '--skip-trust', '-p'] };
    },
  },
  opencode: {
    bin: 'opencode',
    tool: 'bash',
    args: { command: COMMAND, description: 'Write out.txt' },
    setup({ home, url, model }) {
      const dir = join(home, '.config', 'opencode');
      // opencode installs @opencode-ai/plugin into its config folder unless this lock already lists it.
      mkdirSync(join(dir, 'node_modules'), { recursive: true });
      writeFileSync(join(dir, 'package-lock.json'), '{"lockfileVersion":3,"packages":{"":{"dependencies":{"@opencode-ai/plugin":"*"}}}}');
      writeFileSync(join(dir, 'opencode.json'), JSON.stringify({
        $schema: 'https://opencode.ai/config.json',
        autoupdate: false, share: 'disabled', model: `droid2api/${model}`, small_model: `droid2api/${model}`,
        permission: { bash: 'allow', edit: 'allow', external_directory: 'allow' },
        provider: { droid2api: { npm: '@ai-sdk/openai-compatible', name: 'droid2api',
          options: { baseURL: `${url}/v1`, apiKey: 'sk-agents-test' }, models: { [model]: { name: model, tool_call: true } } } },
      }));
      return {
        env: {
          OPENCODE_DISABLE_AUTOUPDATE: '1', OPENCODE_DISABLE_MODELS_FETCH: '1', OPENCODE_DISABLE_LSP_DOWNLOAD: '1',
          OPENCODE_DISABLE_DEFAULT_PLUGINS: '1', OPENCODE_DISABLE_SHARE: '1', OPENCODE_DISABLE_CLAUDE_CODE: '1',
          OPENCODE_DISABLE_EXTERNAL_SKILLS: '1',
        },
        argv: ['run', '-m', `droid2api/${model}`, '--auto'],
      };
    },
  },
  'qwen-code': {
    bin: 'qwen',
    tool: 'run_shell_command',
    args: { command: COMMAND },
    setup({ home, url, model }) {
      mkdirSync(join(home, '.qwen'), { recursive: true });
      writeFileSync(join(home, '.qwen', 'settings.json'), JSON.stringify({
        general: { enableAutoUpdate: false }, privacy: { usageStatisticsEnabled: false }, telemetry: { enabled: false },
        security: { auth: { selectedType: 'openai' } },
      }));
      return {
        env: { OPENAI_API_KEY: 'sk-agents-test', OPENAI_BASE_URL: `${url}/v1`, OPENAI_MODEL: model },
        argv: ['-m', model, '--yolo', '--auth-type', 'openai', '-p'],
      };
    },
  },
};

async function knob(fakeUrl, body) {
  const r = await fetch(`${fakeUrl}/fake/knobs`, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
  return r.json();
}

function run(cmd, argv, { env, cwd, timeoutMs }) {
  return new Promise((resolve) => {
    const p = spawn(cmd, argv, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => { stdout += d; });
    p.stderr.on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
    p.on('exit', (code, signal) => { clearTimeout(timer); resolve({ code: code ?? signal, stdout, stderr }); });
  });
}

let trap;
before(async () => {
  trap = await startTrap({ dns: process.env.DROID2API_ISOLATED === '1' });
  if (!trap.dns) console.log('# not in a network namespace: only proxy-aware traffic is trapped');
});
after(async () => { await trap.close(); });

for (const [agentName, agent] of Object.entries(AGENTS)) {
  describe(agentName, { concurrency: 2 }, () => {
    for (const [type, model] of Object.entries(MODELS)) {
      for (const scenario of ['text', 'tool']) {
        test(`${agentName} -> ${type} model (${model}): ${scenario}`, { timeout: 240000 }, async () => {
          const agentBin = join(BIN_DIR, agent.bin);
          assert.ok(existsSync(agentBin), `${agent.bin} is installed from npm`);
          const fake = await startListening(FAKE, []);
          const home = mkdtempSync(join(tmpdir(), `d2a-${agent.bin}-`));
          const work = join(home, 'work');
          mkdirSync(work);
          mkdirSync(join(home, 'tmp'));
          const config = join(home, 'droid2api.json');
          writeFileSync(config, JSON.stringify({
            port: 0, user_agent_update_url: '', token_store: 'file', log_level: 'debug',
            endpoint: [
              { name: 'anthropic', base_url: `${fake.url}/api/llm/a/v1/messages` },
              { name: 'openai', base_url: `${fake.url}/api/llm/o/v1/responses` },
              { name: 'common', base_url: `${fake.url}/api/llm/o/v1/chat/completions` },
              { name: 'google', base_url: `${fake.url}/api/llm/g/v1/generate` },
            ],
            models: [
              { id: MODELS.anthropic, type: 'anthropic', reasoning: 'auto' },
              { id: MODELS.openai, type: 'openai', reasoning: 'auto' },
              { id: MODELS.common, type: 'common' },
              { id: MODELS.google, type: 'google', reasoning: 'auto' },
            ],
            // Events come 150 ms apart (below): keepalives every 50 ms reach every client mid-stream.
            timeouts: { keepalive_ms: 50, first_byte_ms: 30000, idle_ms: 30000 },
          }));
          const droidEnv = { ...process.env, HOME: home, XDG_CONFIG_HOME: join(home, '.config'), XDG_DATA_HOME: join(home, '.local/share'),
            FACTORY_API_KEY: 'fk-agents-test-0123456789' };
          const proxy = await startListening(BIN, ['--headless', '--config', config, '--port', '0'], droidEnv);
          try {
            await knob(fake.url, { agent: scenario === 'tool'
              ? { tool: agent.tool, arguments: JSON.stringify(agent.args), text: TEXT, after_tool: AFTER_TOOL, delay_ms: 150 }
              : { tool: '', text: TEXT, delay_ms: 150 } });
            const { env, argv } = agent.setup({ home, url: proxy.url, model });
            const trapUrl = trap.proxyUrl;
            const agentEnv = {
              PATH: `${NODE_DIR}:${BIN_DIR}:/usr/local/bin:/usr/bin:/bin`, HOME: home, TMPDIR: join(home, 'tmp'),
              XDG_CONFIG_HOME: join(home, '.config'), XDG_DATA_HOME: join(home, '.local/share'), XDG_CACHE_HOME: join(home, '.cache'),
              TERM: 'dumb', LANG: 'C.UTF-8', SHELL: '/bin/bash', USER: 'agent', LOGNAME: 'agent', CI: '1', NO_COLOR: '1',
              HTTP_PROXY: trapUrl, HTTPS_PROXY: trapUrl, ALL_PROXY: trapUrl, http_proxy: trapUrl, https_proxy: trapUrl, all_proxy: trapUrl,
              NO_PROXY: '127.0.0.1,localhost,::1', no_proxy: '127.0.0.1,localhost,::1',
              ...env,
            };
            const before = trap.attempts.length;
            const result = await run(agentBin, [...argv, PROMPTS[scenario]], { env: agentEnv, cwd: work, timeoutMs: 180000 });
            const state = await knob(fake.url, {});
            const tried = trap.attempts.slice(before);
            const context = `exit ${result.code}\nstdout: ${result.stdout.slice(-1500)}\nstderr: ${result.stderr.slice(-2500)}\n` +
              `fake: ${JSON.stringify(state)}\ndroid2api: ${proxy.stderr().split('\n').filter((l) => / status=/.test(l)).slice(-8).join('\n')}`;
            assert.equal(result.code, 0, context);
            if (scenario === 'tool') {
              assert.ok(state.agent_tool_calls >= 1, `the model asked for ${agent.tool}\n${context}`);
              assert.ok(existsSync(join(work, 'out.txt')), `the agent ran the command\n${context}`);
              assert.equal(readFileSync(join(work, 'out.txt'), 'utf8'), 'hello-from-tool\n');
              assert.ok(state.agent_after_tool >= 1, `the tool result came back to the model\n${context}`);
              assert.match(result.stdout, new RegExp(AFTER_TOOL), context);
            } else {
              assert.equal(state.agent_tool_calls, 0);
              assert.match(result.stdout, new RegExp(TEXT), context);
            }
            assert.deepEqual(tried, [], `nothing may try to leave the machine: ${JSON.stringify(tried)}`);
            // Every request droid2api served succeeded, and keepalives went out on the streams.
            proxy.proc.kill('SIGTERM');
            assert.equal(await exited(proxy.proc), 0);
            const served = proxy.stderr().split('\n').filter((l) => / status=\d+/.test(l));
            assert.ok(served.length >= 1, context);
            for (const line of served) assert.match(line, / status=200 /, `${line}\n${context}`);
            assert.match(proxy.stderr(), /keepalive sent/, 'the client got keepalives mid-stream');
          } finally {
            proxy.proc.kill('SIGKILL');
            fake.proc.kill('SIGKILL');
            await exited(fake.proc);
            rmSync(home, { recursive: true, force: true });
          }
        });
      }
    }
  });
}
