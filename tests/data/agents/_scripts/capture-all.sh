#!/bin/bash
# Re-runs every capture scenario that export.mjs copies into tests/data/agents (quiet mode, no keepalive).
# Each run replaces its out/<agent>-<scenario>-none-quiet[-TAG] dir.
cd /tmp/agents
./run.sh claude text none quiet
./run.sh claude tool none quiet
CLAUDE_MODEL=claude-opus-5 TAG=opus5 ./run.sh claude tool none quiet
CLAUDE_MODEL=claude-opus-5 TAG=opus5-rejectsys MOCK_REJECT_SYSTEM=1 ./run.sh claude tool none quiet
./run.sh codex text none quiet
./run.sh codex tool none quiet
CODEX_MODEL=gpt-5.5 TAG=gpt55 ./run.sh codex text none quiet
CODEX_MODEL=gpt-5.5 TAG=gpt55 ./run.sh codex tool none quiet
./run.sh gemini text none quiet
./run.sh gemini tool none quiet
for a in opencode opencode-anthropic opencode-google opencode-openai; do
  ./run.sh $a text none quiet
  ./run.sh $a tool none quiet
done
./run.sh qwen text none quiet
./run.sh qwen tool none quiet
