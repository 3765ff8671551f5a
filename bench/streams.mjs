// Streaming figures for one target: time to first byte and the gaps between events of one 64-event stream
// (5 ms apart upstream), and the wall time of N concurrent streams.
import http from 'node:http';
import https from 'node:https';

const [url, body, concurrent] = [process.argv[2], process.argv[3], Number(process.argv[4] || 64)];
const proto = url.startsWith('https:') ? https : http; // https trusts NODE_EXTRA_CA_CERTS
const agent = new proto.Agent({ keepAlive: true, maxSockets: 1000 });

function oneStream() {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    let first = null;
    const arrivals = [];
    let buf = '';
    const req = proto.request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json' } }, (res) => {
      res.setEncoding('utf8');
      res.on('data', (chunk) => {
        const now = performance.now();
        if (first === null) first = now - t0;
        buf += chunk;
        let i;
        while ((i = buf.indexOf('\n\n')) >= 0) { buf = buf.slice(i + 2); arrivals.push(now); }
      });
      res.on('end', () => resolve({ ttfb: first, arrivals, total: performance.now() - t0 }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const median = (a) => { const s = [...a].sort((x, y) => x - y); return s[Math.floor(s.length / 2)]; };
// Warm up the connection, then one measured stream.
await oneStream();
const one = await oneStream();
const gaps = one.arrivals.slice(1).map((t, i) => t - one.arrivals[i]);
const t0 = performance.now();
await Promise.all(Array.from({ length: concurrent }, () => oneStream()));
const wall = performance.now() - t0;
console.log(JSON.stringify({ ttfb: one.ttfb, events: one.arrivals.length, medianGap: median(gaps), maxGap: Math.max(...gaps), wall }));
agent.destroy();
