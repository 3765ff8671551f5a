// Mixed traffic for the soak: whole answers, streams, clients that leave mid-stream, translated requests and
// a backend that refuses connections, `concurrency` at a time, for `seconds`.
import http from 'node:http';

const [base, seconds, concurrency] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4] || 16)];
const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
const counts = { whole: 0, stream: 0, aborted: 0, translated: 0, faults: 0, errors: 0 };
const end = Date.now() + seconds * 1000;

function request(path, body, { abortAfterFirstChunk = false } = {}) {
  return new Promise((resolve) => {
    const req = http.request(base + path, { method: 'POST', agent, headers: { 'content-type': 'application/json' } }, (res) => {
      res.on('data', () => { if (abortAfterFirstChunk) { req.destroy(); resolve(res.statusCode); } });
      res.on('end', () => resolve(res.statusCode));
      res.on('error', () => resolve(0));
    });
    req.on('error', () => resolve(0));
    req.end(JSON.stringify(body));
  });
}

async function worker() {
  const msgs = [{ role: 'user', content: 'hi' }];
  while (Date.now() < end) {
    const r = Math.random();
    if (r < 0.35) { await request('/v1/chat/completions', { model: 'bench-real', messages: msgs }); counts.whole++; }
    else if (r < 0.6) { await request('/v1/chat/completions', { model: 'bench-real', stream: true, messages: msgs }); counts.stream++; }
    else if (r < 0.75) { await request('/v1/chat/completions', { model: 'bench-real', stream: true, messages: msgs }, { abortAfterFirstChunk: true }); counts.aborted++; }
    else if (r < 0.9) { await request('/v1/messages', { model: 'bench-real', max_tokens: 32, stream: r < 0.82, messages: msgs }); counts.translated++; }
    else { const s = await request('/v1/chat/completions', { model: 'bench-dead', messages: msgs }); counts.faults++; if (s !== 502 && s !== 503) counts.errors++; }
  }
}
await Promise.all(Array.from({ length: concurrency }, worker));
console.log(JSON.stringify(counts));
agent.destroy();
