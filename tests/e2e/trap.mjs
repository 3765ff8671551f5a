// A trap for traffic that tries to leave the machine, for the tests that run real agent CLIs.
//  - proxy: what HTTP_PROXY / HTTPS_PROXY / ALL_PROXY point at. Records the target of every HTTP CONNECT,
//    absolute-form request or SOCKS greeting, and refuses it.
//  - dns (only inside the tests' network namespace, see isolated.sh, where /etc/resolv.conf names
//    127.0.0.1): records every name looked up and answers "no such name".
// The tests fail if anything was recorded: nothing may try to reach beyond loopback.
import dgram from 'node:dgram';
import net from 'node:net';

function questionName(msg) {
  const labels = [];
  let off = 12;
  while (off < msg.length && msg[off] !== 0) {
    labels.push(msg.subarray(off + 1, off + 1 + msg[off]).toString('latin1'));
    off += 1 + msg[off];
  }
  return { name: labels.join('.'), end: off + 5 };
}

function nxdomain(msg) {
  const { end } = questionName(msg);
  const out = Buffer.from(msg.subarray(0, end));
  out.writeUInt16BE(0x8183, 2); // a response, recursion available, NXDOMAIN
  out.writeUInt16BE(0, 6); // no answers
  out.writeUInt16BE(0, 8);
  out.writeUInt16BE(0, 10);
  return out;
}

/** Starts the trap; resolves to { proxyUrl, attempts, dns, close() }. */
export async function startTrap({ dns = false } = {}) {
  const attempts = [];
  const sockets = new Set();
  const proxy = net.createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => {});
    s.once('data', (d) => {
      if (d[0] === 5) { // SOCKS5: accept no-auth, then refuse the request after reading its target
        s.write(Buffer.from([5, 0]));
        s.once('data', (r) => {
          const type = r[3];
          const host = type === 3 ? r.subarray(5, 5 + r[4]).toString() : type === 1 ? [...r.subarray(4, 8)].join('.') : 'ipv6';
          attempts.push({ via: 'socks5', target: host });
          s.end(Buffer.from([5, 2, 0, 1, 0, 0, 0, 0, 0, 0]));
        });
        return;
      }
      if (d[0] === 4) {
        attempts.push({ via: 'socks4', target: [...d.subarray(4, 8)].join('.') });
        s.end(Buffer.from([0, 0x5b, 0, 0, 0, 0, 0, 0]));
        return;
      }
      const line = d.toString('latin1').split('\r\n')[0];
      attempts.push({ via: 'http-proxy', target: line.split(' ').slice(0, 2).join(' ') });
      s.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
    });
  });
  await new Promise((resolve) => proxy.listen(0, '127.0.0.1', resolve));

  let udp = null;
  let tcp = null;
  if (dns) {
    const record = (msg) => {
      const { name } = questionName(msg);
      if (name !== 'localhost') attempts.push({ via: 'dns', target: name });
      return nxdomain(msg);
    };
    udp = dgram.createSocket('udp4');
    udp.on('message', (msg, peer) => udp.send(record(msg), peer.port, peer.address));
    await new Promise((resolve, reject) => { udp.once('error', reject); udp.bind(53, '127.0.0.1', resolve); });
    tcp = net.createServer((s) => {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => {});
      let buf = Buffer.alloc(0);
      s.on('data', (d) => {
        buf = Buffer.concat([buf, d]);
        while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
          const answer = record(buf.subarray(2, 2 + buf.readUInt16BE(0)));
          buf = buf.subarray(2 + buf.readUInt16BE(0));
          const len = Buffer.alloc(2);
          len.writeUInt16BE(answer.length);
          s.write(Buffer.concat([len, answer]));
        }
      });
    });
    await new Promise((resolve) => tcp.listen(53, '127.0.0.1', resolve));
  }

  return {
    proxyUrl: `http://127.0.0.1:${proxy.address().port}`,
    attempts,
    dns,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => proxy.close(resolve));
      if (tcp) await new Promise((resolve) => tcp.close(resolve));
      if (udp) udp.close();
    },
  };
}
