#!/bin/bash
# Runs every agent against every keepalive form (text scenario, plus the tool scenario with ": keepalive\n\n")
# and prints one line per run: rc, out.txt, request count, and the first error line of the agent.
cd /tmp/agents
for agent in ${AGENTS:-claude codex gemini opencode qwen}; do
  for ka in comment bare blank inline; do
    AGENT_TIMEOUT=150 ./run.sh $agent text $ka quiet > /dev/null
  done
  AGENT_TIMEOUT=150 ./run.sh $agent tool comment quiet > /dev/null
done
bash ./summarize.sh
