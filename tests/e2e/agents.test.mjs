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
// points it at the newest published versions. What the agent tests share is in agentkit.mjs.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { exited } from './harness.mjs';
import { AGENTS, BIN_DIR, MODELS, agentEnv, knob, run, servedLines, startAgentStack, useTrap } from './agentkit.mjs';

const COMMAND = 'echo hello-from-tool > out.txt';
const PROMPTS = {
  text: 'Reply with exactly: PONG',
  tool: `Run this exact shell command with your shell tool: ${COMMAND}`,
};
const TEXT = 'PONG-d2a';
const AFTER_TOOL = 'DONE-d2a';

const trapOf = useTrap();

for (const [agentName, agent] of Object.entries(AGENTS)) {
  describe(agentName, { concurrency: 2 }, () => {
    for (const [type, model] of Object.entries(MODELS)) {
      for (const scenario of ['text', 'tool']) {
        test(`${agentName} -> ${type} model (${model}): ${scenario}`, { timeout: 240000 }, async () => {
          const agentBin = join(BIN_DIR, agent.bin);
          assert.ok(existsSync(agentBin), `${agent.bin} is installed from npm`);
          const trap = trapOf();
          // Events come 150 ms apart (below): keepalives every 50 ms reach every client mid-stream.
          const { fake, proxy, home, work } = await startAgentStack(`d2a-${agent.bin}-`);
          try {
            await knob(fake.url, { agent: scenario === 'tool'
              ? { tool: agent.tool, arguments: JSON.stringify(agent.args(COMMAND, 'Write out.txt')), text: TEXT,
                after_tool: AFTER_TOOL, delay_ms: 150 }
              : { tool: '', text: TEXT, delay_ms: 150 } });
            const { env, argv } = agent.setup({ home, url: proxy.url, model });
            const before = trap.attempts.length;
            const result = await run(agentBin, [...argv, PROMPTS[scenario]], { env: agentEnv(home, trap.proxyUrl, env), cwd: work,
              timeoutMs: 180000 });
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
            const served = servedLines(proxy.stderr());
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
