#!/usr/bin/env node
// Trap listeners: an HTTP proxy that logs every attempt (plain requests and CONNECT tunnels) and refuses it,
// and optionally a DNS server that logs every query and answers REFUSED.
//
//   node trap.js --port 18099 --log FILE [--dns-port 53]
//
// Point HTTP_PROXY/HTTPS_PROXY/ALL_PROXY (and lower-case) at http://127.0.0.1:18099 so that any request the CLI
// would send to a real host shows up here instead of leaving the machine.
'use strict';
const http = require('http');
const dgram = require('dgram');
const fs = require('fs');

const args = process.argv.slice(2);
const arg = (n, d) => { const i = args.indexOf(n); return i >= 0 ? args[i + 1] : d; };
const port = Number(arg('--port', '18099'));
const log = arg('--log', 'trap.jsonl');
const dnsPort = arg('--dns-port', null);
const rec = (o) => fs.appendFileSync(log, JSON.stringify({ time: new Date().toISOString(), ...o }) + '\n');

const srv = http.createServer((req, res) => {
    rec({ kind: 'proxy-request', method: req.method, url: req.url, host: req.headers.host });
    res.writeHead(403, { 'content-type': 'text/plain' });
    res.end('blocked by trap\n');
});
srv.on('connect', (req, sock) => {
    rec({ kind: 'proxy-connect', target: req.url });
    sock.end('HTTP/1.1 403 Forbidden\r\n\r\n');
});
srv.listen(port, '127.0.0.1', () => process.stdout.write(`trap proxy on 127.0.0.1:${port}\n`));

if (dnsPort) {
    const d = dgram.createSocket('udp4');
    d.on('message', (msg, rinfo) => {
        // parse the first question name
        let i = 12; const labels = [];
        while (i < msg.length && msg[i] !== 0) { const l = msg[i]; labels.push(msg.slice(i + 1, i + 1 + l).toString()); i += l + 1; }
        const qtype = msg.readUInt16BE(i + 1);
        rec({ kind: 'dns', name: labels.join('.'), qtype });
        const resp = Buffer.from(msg.slice(0, i + 5));
        resp[2] = 0x81; resp[3] = 0x85; // response, RD, RA, rcode 5 = REFUSED
        resp.writeUInt16BE(0, 6); resp.writeUInt16BE(0, 8); resp.writeUInt16BE(0, 10);
        d.send(resp, rinfo.port, rinfo.address);
    });
    d.bind(Number(dnsPort), '127.0.0.1', () => process.stdout.write(`trap dns on 127.0.0.1:${dnsPort}\n`));
}
