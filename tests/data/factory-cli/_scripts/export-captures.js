#!/usr/bin/env node
// Copies the raw captures of run-captures.sh into the test-data layout:
//   <label>.json          the LLM request body, byte for byte as the CLI sent it
//   <label>.headers.json  {method, path, headers: [[name, value], ...]} in the order and case sent, secrets redacted
// A run that made more than one LLM call keeps the first as above and the others as <label>.call<N>.json.
'use strict';
const fs = require('fs');
const path = require('path');
const [src, dest] = process.argv.slice(2);
fs.mkdirSync(dest, { recursive: true });
const byLabel = new Map();
for (const f of fs.readdirSync(src)) {
    const m = /^(.*)\.(\d+)\.body$/.exec(f);
    if (!m) continue;
    if (!byLabel.has(m[1])) byLabel.set(m[1], []);
    byLabel.get(m[1]).push(Number(m[2]));
}
for (const [label, ns] of [...byLabel].sort()) {
    ns.sort((a, b) => a - b);
    ns.forEach((n, i) => {
        const suffix = i === 0 ? '' : `.call${n}`;
        fs.copyFileSync(path.join(src, `${label}.${n}.body`), path.join(dest, `${label}${suffix}.json`));
        fs.copyFileSync(path.join(src, `${label}.${n}.headers.json`), path.join(dest, `${label}${suffix}.headers.json`));
    });
    console.log(`${label}: ${ns.length} call(s)`);
}
