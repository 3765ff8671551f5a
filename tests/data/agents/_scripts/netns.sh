#!/bin/bash
# Creates (idempotently) the network namespace "agents": loopback only, no other interface.
# `ip netns exec agents ...` bind-mounts /etc/netns/agents/resolv.conf over /etc/resolv.conf, so every
# DNS lookup inside goes to 127.0.0.1:53, where trap.mjs logs it.
set -e
if ! ip netns list | grep -qw agents; then ip netns add agents; fi
ip netns exec agents ip link set lo up
mkdir -p /etc/netns/agents
echo 'nameserver 127.0.0.1' > /etc/netns/agents/resolv.conf
