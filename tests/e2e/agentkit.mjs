// What the tests that drive the real coding-agent CLIs share (agents.test.mjs, agent-sessions.test.mjs): where
// the agents are, the four models, each agent's isolated setup, the fake upstream with droid2api in front of it,
// the trap for traffic that tries to leave the machine, and running an agent.
// AGENTS_DIR (default: this folder) is where node_modules/.bin holds the agents: `make test-latest-clients`
// points it at the newest published versions.
import { before, after } from 'node:test';
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BIN, FAKE, startListening } from './harness.mjs';
import { startTrap } from './trap.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
export const AGENTS_DIR = process.env.AGENTS_DIR || HERE;
export const BIN_DIR = join(AGENTS_DIR, 'node_modules', '.bin');
const NODE_DIR = dirname(process.execPath);

// One model of each type, with the ids the agents know best.
export const MODELS = {
  anthropic: 'claude-opus-4-8',
  openai: 'gpt-5.5',
  common: 'glm-5.2',
  google: 'gemini-3-flash-preview',
};

// Each agent: its binary, its shell tool and the arguments "the model" gives it for `command`, and its setup
// under a temporary HOME for a model. `session`: undefined for one run on its own, 'start' for the first step
// of a session that later steps continue (kept on disk), 'continue' for those steps (the most recent session in
// the working directory, on `model`).
export const AGENTS = {
  'claude-code': {
    bin: 'claude',
    tool: 'Bash',
    args: (command, description) => ({ command, description }),
    setup({ home, url, model, session }) {
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
        argv: ['--model', model, '--dangerously-skip-permissions', '--output-format', 'text', '-p',
          ...(session === 'continue' ? ['--continue'] : [])],
      };
    },
  },
  codex: {
    bin: 'codex',
    tool: 'exec_command',
    args: (command) => ({ cmd: command }),
    setup({ home, url, model, session }) {
      const codexHome = join(home, '.codex');
      mkdirSync(codexHome, { recursive: true });
      writeFileSync(join(codexHome, 'config.toml'), [
        `model = "${model}"`, 'model_provider = "droid2api"', 'check_for_update_on_startup = false', '',
        '[model_providers.droid2api]', 'name = "droid2api"', `base_url = "${url}/v1"`, 'env_key = "DROID2API_KEY"',
        'wire_api = "responses"', '', '[analytics]', 'enabled = false', '', '[feedback]', 'enabled = false', '',
        '[otel]', 'exporter = "none"', '', '[history]', 'persistence = "none"', '', '[features]', 'plugins = false', '',
      ].join('\n'));
      const flags = ['--skip-git-repo-check', '--dangerously-bypass-approvals-and-sandbox'];
      return {
        env: { CODEX_HOME: codexHome, DROID2API_KEY: 'sk-agents-test' },
        // A session's steps stay in CODEX_HOME/sessions (no --ephemeral); `exec resume --last` takes the newest.
        argv: session === 'continue' ? ['exec', 'resume', '--last', ...flags, '-m', model]
          : ['exec', ...flags, ...(session ? [] : ['--ephemeral']), '--color', 'never', '-m', model],
      };
    },
  },
  'gemini-cli': {
    bin: 'gemini',
    tool: 'run_shell_command',
    args: (command) => ({ command }),
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
    args: (command, description) => ({ command, description }),
    setup({ home, url, model, session }) {
      const dir = join(home, '.config', 'opencode');
      // opencode installs @opencode-ai/plugin into its config folder unless this lock already lists it.
      mkdirSync(join(dir, 'node_modules'), { recursive: true });
      writeFileSync(join(dir, 'package-lock.json'), '{"lockfileVersion":3,"packages":{"":{"dependencies":{"@opencode-ai/plugin":"*"}}}}');
      // Every model is in the provider, so a session can switch between them (-m on each step).
      const models = Object.fromEntries(Object.values(MODELS).map((id) => [id, { name: id, tool_call: true }]));
      writeFileSync(join(dir, 'opencode.json'), JSON.stringify({
        $schema: 'https://opencode.ai/config.json',
        autoupdate: false, share: 'disabled', model: `droid2api/${model}`, small_model: `droid2api/${model}`,
        permission: { bash: 'allow', edit: 'allow', external_directory: 'allow' },
        provider: { droid2api: { npm: '@ai-sdk/openai-compatible', name: 'droid2api',
          options: { baseURL: `${url}/v1`, apiKey: 'sk-agents-test' }, models } },
      }));
      return {
        env: {
          OPENCODE_DISABLE_AUTOUPDATE: '1', OPENCODE_DISABLE_MODELS_FETCH: '1', OPENCODE_DISABLE_LSP_DOWNLOAD: '1',
          OPENCODE_DISABLE_DEFAULT_PLUGINS: '1', OPENCODE_DISABLE_SHARE: '1', OPENCODE_DISABLE_CLAUDE_CODE: '1',
          OPENCODE_DISABLE_EXTERNAL_SKILLS: '1',
        },
        argv: ['run', ...(session === 'continue' ? ['--continue'] : []), '-m', `droid2api/${model}`, '--auto'],
      };
    },
  },
  'qwen-code': {
    bin: 'qwen',
    tool: 'run_shell_command',
    args: (command) => ({ command }),
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

/** Sets knobs of the fake upstream (an empty body only reads its state). */
export async function knob(fakeUrl, body) {
  const r = await fetch(`${fakeUrl}/fake/knobs`, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
  return r.json();
}

/** Runs an agent to its end (killed after timeoutMs); resolves to { code, stdout, stderr }. */
export function run(cmd, argv, { env, cwd, timeoutMs }) {
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

/** The trap (trap.mjs) for the whole file, started before its tests and closed after; call at top level. */
export function useTrap() {
  const holder = {};
  before(async () => {
    holder.trap = await startTrap({ dns: process.env.DROID2API_ISOLATED === '1' });
    if (!holder.trap.dns) console.log('# not in a network namespace: only proxy-aware traffic is trapped');
  });
  after(async () => { await holder.trap.close(); });
  return () => holder.trap;
}

/**
 * A temporary HOME (with work/ and tmp/), the fake upstream and droid2api in front of it serving MODELS with
 * reasoning as the agent tests set it; events the fake streams 150 ms apart get keepalives every 50 ms.
 */
export async function startAgentStack(prefix) {
  const fake = await startListening(FAKE, []);
  const home = mkdtempSync(join(tmpdir(), prefix));
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
    timeouts: { keepalive_ms: 50, first_byte_ms: 30000, idle_ms: 30000 },
  }));
  const droidEnv = { ...process.env, HOME: home, XDG_CONFIG_HOME: join(home, '.config'), XDG_DATA_HOME: join(home, '.local/share'),
    FACTORY_API_KEY: 'fk-agents-test-0123456789' };
  let proxy;
  try {
    proxy = await startListening(BIN, ['--headless', '--config', config, '--port', '0'], droidEnv);
  } catch (e) {
    fake.proc.kill('SIGKILL');
    throw e;
  }
  return { fake, proxy, home, work };
}

/** The agent's environment: the temporary HOME, nothing of the user's, and every proxy variable at the trap. */
export function agentEnv(home, trapUrl, env) {
  return {
    PATH: `${NODE_DIR}:${BIN_DIR}:/usr/local/bin:/usr/bin:/bin`, HOME: home, TMPDIR: join(home, 'tmp'),
    XDG_CONFIG_HOME: join(home, '.config'), XDG_DATA_HOME: join(home, '.local/share'), XDG_CACHE_HOME: join(home, '.cache'),
    TERM: 'dumb', LANG: 'C.UTF-8', SHELL: '/bin/bash', USER: 'agent', LOGNAME: 'agent', CI: '1', NO_COLOR: '1',
    HTTP_PROXY: trapUrl, HTTPS_PROXY: trapUrl, ALL_PROXY: trapUrl, http_proxy: trapUrl, https_proxy: trapUrl, all_proxy: trapUrl,
    NO_PROXY: '127.0.0.1,localhost,::1', no_proxy: '127.0.0.1,localhost,::1',
    ...env,
  };
}

/** droid2api's log lines of served requests (" status=NNN "). */
export function servedLines(stderr) {
  return stderr.split('\n').filter((l) => / status=\d+/.test(l));
}
