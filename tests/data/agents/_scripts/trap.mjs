// Outbound-traffic trap for an isolated network namespace (loopback only).
//  - DNS logger on 127.0.0.1:53 (UDP+TCP): logs every query; answers A queries with 127.0.0.9, everything else empty.
//  - Proxy trap on 127.0.0.1:$TRAP_PORT (default 18080): what HTTP_PROXY/HTTPS_PROXY/ALL_PROXY point at.
//    Logs HTTP CONNECT targets, absolute-form HTTP requests, SOCKS4/5 targets; always refuses.
//  - Sink on 127.0.0.9:80 and :443: logs the TLS SNI / HTTP Host of any direct connection, then closes.
// Usage: node trap.mjs <log.jsonl>
import dgram from 'node:dgram';
import net from 'node:net';
import fs from 'node:fs';

const logFile = process.argv[2] || '/tmp/agents/trap.jsonl';
const TRAP_PORT = Number(process.env.TRAP_PORT || 18080);
const log = (o) => fs.appendFileSync(logFile, JSON.stringify({ t: new Date().toISOString(), ...o }) + '\n');

// ---------- DNS ----------
function parseQuestion(msg) {
  let off = 12; const labels = [];
  while (off < msg.length) {
    const len = msg[off];
    if (len === 0) { off++; break; }
    labels.push(msg.slice(off + 1, off + 1 + len).toString('latin1'));
    off += 1 + len;
  }
  const qtype = msg.readUInt16BE(off); const qclass = msg.readUInt16BE(off + 2);
  return { name: labels.join('.'), qtype, qclass, end: off + 4 };
}
const QT = { 1: 'A', 28: 'AAAA', 5: 'CNAME', 65: 'HTTPS', 33: 'SRV', 16: 'TXT', 12: 'PTR' };
function dnsAnswer(msg, via) {
  try {
    const q = parseQuestion(msg);
    log({ kind: 'dns', via, name: q.name, qtype: QT[q.qtype] || q.qtype });
    const header = Buffer.alloc(12);
    msg.copy(header, 0, 0, 2);             // id
    header.writeUInt16BE(0x8180, 2);        // response, RD, RA, NOERROR
    header.writeUInt16BE(1, 4);             // qdcount
    const isA = q.qtype === 1 && q.qclass === 1;
    header.writeUInt16BE(isA ? 1 : 0, 6);   // ancount
    const question = msg.slice(12, q.end);
    const parts = [header, question];
    if (isA) {
      const ans = Buffer.alloc(16);
      ans.writeUInt16BE(0xc00c, 0); ans.writeUInt16BE(1, 2); ans.writeUInt16BE(1, 4);
      ans.writeUInt32BE(5, 6); ans.writeUInt16BE(4, 10);
      Buffer.from([127, 0, 0, 9]).copy(ans, 12);
      parts.push(ans);
    }
    return Buffer.concat(parts);
  } catch (e) { log({ kind: 'dns-error', via, error: String(e) }); return null; }
}
const udp = dgram.createSocket('udp4');
udp.on('message', (msg, rinfo) => { const r = dnsAnswer(msg, 'udp'); if (r) udp.send(r, rinfo.port, rinfo.address); });
udp.bind(53, '127.0.0.1');
net.createServer((s) => {
  let buf = Buffer.alloc(0);
  s.on('data', (d) => {
    buf = Buffer.concat([buf, d]);
    while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
      const len = buf.readUInt16BE(0); const m = buf.slice(2, 2 + len); buf = buf.slice(2 + len);
      const r = dnsAnswer(m, 'tcp');
      if (r) { const l = Buffer.alloc(2); l.writeUInt16BE(r.length); s.write(Buffer.concat([l, r])); }
    }
  });
  s.on('error', () => {});
}).listen(53, '127.0.0.1');

// ---------- proxy trap ----------
net.createServer((s) => {
  s.once('data', (d) => {
    if (d[0] === 5) { // SOCKS5 greeting
      s.write(Buffer.from([5, 0]));
      s.once('data', (r) => {
        let host = '?', port = 0;
        try {
          const at = r[3];
          if (at === 1) { host = [...r.slice(4, 8)].join('.'); port = r.readUInt16BE(8); }
          else if (at === 3) { const l = r[4]; host = r.slice(5, 5 + l).toString(); port = r.readUInt16BE(5 + l); }
          else if (at === 4) { host = r.slice(4, 20).toString('hex'); port = r.readUInt16BE(20); }
        } catch {}
        log({ kind: 'proxy', proto: 'socks5', target: `${host}:${port}` });
        s.end(Buffer.from([5, 2, 0, 1, 0, 0, 0, 0, 0, 0]));
      });
      return;
    }
    if (d[0] === 4) { log({ kind: 'proxy', proto: 'socks4', raw: d.toString('hex') }); s.end(Buffer.from([0, 0x5b, 0, 0, 0, 0, 0, 0])); return; }
    const text = d.toString('latin1');
    const first = text.split('\r\n')[0];
    const host = (/^host:\s*(.*)$/im.exec(text) || [])[1];
    log({ kind: 'proxy', proto: 'http', requestLine: first, host });
    s.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
  });
  s.on('error', () => {});
}).listen(TRAP_PORT, '127.0.0.1');

// ---------- direct-connection sink ----------
function sni(buf) {
  try {
    if (buf[0] !== 0x16) return null;
    let p = 5 + 4 + 2 + 32; // record hdr, handshake hdr, version, random
    p += 1 + buf[p];                        // session id
    p += 2 + buf.readUInt16BE(p);           // cipher suites
    p += 1 + buf[p];                        // compression
    const extEnd = p + 2 + buf.readUInt16BE(p); p += 2;
    while (p + 4 <= extEnd) {
      const type = buf.readUInt16BE(p); const len = buf.readUInt16BE(p + 2);
      if (type === 0) return buf.slice(p + 9, p + 9 + buf.readUInt16BE(p + 7)).toString();
      p += 4 + len;
    }
  } catch {}
  return null;
}
for (const port of [80, 443]) {
  net.createServer((s) => {
    s.once('data', (d) => {
      if (d[0] === 0x16) log({ kind: 'direct', port, tls: true, sni: sni(d) });
      else { const t = d.toString('latin1'); log({ kind: 'direct', port, requestLine: t.split('\r\n')[0], host: (/^host:\s*(.*)$/im.exec(t) || [])[1] }); }
      s.destroy();
    });
    s.on('error', () => {});
  }).listen(port, '127.0.0.9');
}
log({ kind: 'trap-start', trapPort: TRAP_PORT });
