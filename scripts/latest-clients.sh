#!/usr/bin/env bash
# make test-latest-clients: the SDK surface (tests/e2e/sdk-surface.test.mjs) with the newest openai,
# @anthropic-ai/sdk and @google/genai, then the agent matrix (tests/e2e/agents.test.mjs) and the agents' sessions across models
# (tests/e2e/agent-sessions.test.mjs, one after the other) with the newest published version of every coding-agent
# CLI instead of the ones pinned in tests/e2e/package-lock.json, so drift shows before users hit it. Not part of
# `make test` (it depends on what npm serves today).
# Usage: scripts/latest-clients.sh BUILD_DIR
set -euo pipefail
build=$(realpath "$1")
here=$(cd "$(dirname "$0")/.." && pwd)
node=$(bash "$here/scripts/node.sh")
dir="$build/latest-clients"
rm -rf "$dir"
mkdir -p "$dir"
cat >"$dir/package.json" <<'JSON'
{ "name": "droid2api-latest-clients", "private": true, "type": "module",
  "dependencies": { "@anthropic-ai/claude-code": "latest", "@openai/codex": "latest", "@google/gemini-cli": "latest",
                    "opencode-ai": "latest", "@qwen-code/qwen-code": "latest",
                    "openai": "latest", "@anthropic-ai/sdk": "latest", "@google/genai": "latest", "zod": "3.25.76" } }
JSON
echo "latest-clients: installing the newest agents from npm into $dir"
(cd "$dir" && npm install --no-audit --no-fund --loglevel=error >/dev/null)
for p in @anthropic-ai/claude-code @openai/codex @google/gemini-cli opencode-ai @qwen-code/qwen-code openai @anthropic-ai/sdk \
    @google/genai; do
    echo "  $p $("$node" -p "require('$dir/node_modules/$p/package.json').version")"
done
cd "$build"
# The SDKs' whole surface with the newest SDKs in place of the lockfile's newest majors.
SDK_LATEST_DIR="$dir" DROID2API_BIN="$build/app/droid2api" FAKE_FACTORY_BIN="$build/tests/fake_factory" no_proxy='*' \
    NO_PROXY='*' "$node" --test "$here/tests/e2e/sdk-surface.test.mjs"
AGENTS_DIR="$dir" DROID2API_BIN="$build/app/droid2api" FAKE_FACTORY_BIN="$build/tests/fake_factory" \
    "$here/tests/e2e/isolated.sh" "$node" --test --test-concurrency=1 "$here/tests/e2e/agents.test.mjs" \
    "$here/tests/e2e/agent-sessions.test.mjs"
