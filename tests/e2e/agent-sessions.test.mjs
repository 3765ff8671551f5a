// The real coding agents keep one session across the four model types: each step resumes the session on disk
// with another model (Claude Code `-p --continue --model X`, Codex `exec resume --last -m X`, opencode
// `run --continue -m droid2api/X`), and each step is a tool round trip: "the model" (the fake upstream's agent
// rule) reads "step N" from the user's text and asks for `echo step-N > stepN.txt` with the agent's shell tool,
// then answers DONE-step-N-d2a once the result is back. The fake applies each vendor's documented checks of
// reasoning state and tool history (tests/support/vendorchecks.h) and signs the reasoning state of its own
// answers as the vendor would, so a signature droid2api loses, forges or sends to the wrong model fails the
// step with the vendor's 400. After each step: the file is there, the agent printed the step's answer, the fake
// refused nothing, the step's requests carried the earlier steps' tool results (the session really continued),
// droid2api answered every request 200, and nothing tried to leave the machine (agentkit.mjs, isolated.sh).
// AGENTS_DIR as in agents.test.mjs; AGENT_SESSIONS_LOG_DIR=<dir> keeps droid2api's log of each session there.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { exited } from './harness.mjs';
import { AGENTS, BIN_DIR, MODELS, agentEnv, knob, run, servedLines, startAgentStack, useTrap } from './agentkit.mjs';

// The model type of each step, every type at least once, starting and ending on the agent's own API's type.
const SESSIONS = {
  'claude-code': ['anthropic', 'openai', 'common', 'google', 'anthropic'],
  codex: ['openai', 'anthropic', 'google', 'common', 'openai'],
  opencode: ['common', 'google', 'anthropic', 'openai', 'common'],
};
const prompt = (n) => `This is step ${n} of the session. Run the shell command you are asked for with your shell tool.`;
const AFTER_TOOL = 'DONE-step-{step}-d2a';

const trapOf = useTrap();

describe('agent sessions across models', { concurrency: 3 }, () => {
  for (const [agentName, types] of Object.entries(SESSIONS)) {
    const agent = AGENTS[agentName];
    test(`${agentName}: ${types.length} steps, ${types.join(' -> ')}`, { timeout: 600000 }, async (t) => {
      const agentBin = join(BIN_DIR, agent.bin);
      assert.ok(existsSync(agentBin), `${agent.bin} is installed from npm`);
      const trap = trapOf();
      const { fake, proxy, home, work } = await startAgentStack(`d2a-session-${agent.bin}-`);
      try {
        await knob(fake.url, {
          vendor_checks: true,
          agent: { tool: agent.tool, arguments: JSON.stringify(agent.args('echo step-{step} > step{step}.txt', 'Write step{step}.txt')),
            text: 'TEXT-step-{step}-d2a', after_tool: AFTER_TOOL, delay_ms: 50 },
        });
        let answered = 0; // the fake's agent answers before this step
        let served = 0; // droid2api's served requests before this step
        for (const [i, type] of types.entries()) {
          const n = i + 1;
          const model = MODELS[type];
          const started = Date.now();
          const { env, argv } = agent.setup({ home, url: proxy.url, model, session: n === 1 ? 'start' : 'continue' });
          const before = trap.attempts.length;
          const result = await run(agentBin, [...argv, prompt(n)], { env: agentEnv(home, trap.proxyUrl, env), cwd: work,
            timeoutMs: 180000 });
          const state = await knob(fake.url, {});
          const requests = state.agent_requests.slice(answered);
          const lines = servedLines(proxy.stderr()).slice(served);
          answered = state.agent_requests.length;
          served += lines.length;
          const context = `step ${n} (${type}, ${model}): exit ${result.code}\nstdout: ${result.stdout.slice(-1500)}\n` +
            `stderr: ${result.stderr.slice(-2500)}\nrejections: ${JSON.stringify(state.vendor_rejection_messages)}\n` +
            `answers: ${JSON.stringify(requests)}\ndroid2api:\n${lines.join('\n')}`;
          assert.equal(result.code, 0, context);
          assert.equal(state.vendor_rejections, 0, `the vendor checks passed\n${context}`);
          assert.equal(readFileSync(join(work, `step${n}.txt`), 'utf8'), `step-${n}\n`, context);
          assert.match(result.stdout, new RegExp(AFTER_TOOL.replace('{step}', n)), context);
          const calls = requests.filter((r) => r.answer === 'tool');
          assert.ok(calls.length >= 1 && calls.every((r) => r.step === n), `the model asked for step ${n}'s command\n${context}`);
          assert.ok(requests.some((r) => r.answer === 'after_tool' && r.step === n), `step ${n}'s result came back\n${context}`);
          // The session continued: the step's first call came with every earlier step's tool result in its history.
          assert.ok(calls[0].history_results >= n - 1 && calls[0].user_turns >= n,
            `step ${n} carried the earlier steps' history\n${context}`);
          assert.ok(requests.every((r) => r.model === model), `step ${n} went to ${model} only\n${context}`);
          assert.ok(lines.length >= 2, context);
          for (const line of lines) assert.match(line, / status=200 /, `${line}\n${context}`);
          assert.deepEqual(trap.attempts.slice(before), [], `nothing may try to leave the machine\n${context}`);
          t.diagnostic(`step ${n} ${type} (${model}): ${lines.length} requests, ${requests.length} answers ` +
            `(${requests.map((r) => `${r.answer}${r.thinking ? '+reasoning' : ''}`).join(', ')}), ` +
            `${calls[0].history_results} earlier tool results, ${Date.now() - started} ms`);
        }
        const end = await knob(fake.url, {});
        t.diagnostic(`fake: ${end.llm_requests} requests, ${end.agent_tool_calls} tool calls, ${end.agent_after_tool} after-tool ` +
          `answers, ${end.agent_texts} texts, ${end.vendor_rejections} vendor rejections`);
        proxy.proc.kill('SIGTERM');
        assert.equal(await exited(proxy.proc), 0);
      } finally {
        if (process.env.AGENT_SESSIONS_LOG_DIR)
          writeFileSync(join(process.env.AGENT_SESSIONS_LOG_DIR, `${agentName}-droid2api.log`), proxy.stderr());
        proxy.proc.kill('SIGKILL');
        fake.proc.kill('SIGKILL');
        await exited(fake.proc);
        rmSync(home, { recursive: true, force: true });
      }
    });
  }
});
