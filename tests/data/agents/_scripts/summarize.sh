#!/bin/bash
# One line per run dir in out/: agent-scenario-keepalive-mode rc requests out.txt stdout(first line) stderr(first error-ish line)
cd /tmp/agents/out
for d in */; do d=${d%/}
  rc=$(head -1 $d/rc 2>/dev/null); n=$(ls $d/cap/*.body 2>/dev/null | wc -l)
  o=$( [[ -f $d/out.txt ]] && cat $d/out.txt || echo -)
  so=$(head -c 60 $d/agent.stdout | tr '\n' ' ')
  se=$(grep -iE 'error|fail|invalid|unexpected|warn' $d/agent.stderr 2>/dev/null | grep -v 'Basic terminal\|256-color' | head -1 | cut -c1-160)
  printf '%-42s rc=%-4s req=%-3s out=%-16s stdout=[%s] %s\n' "$d" "$rc" "$n" "$o" "$so" "$se"
done
