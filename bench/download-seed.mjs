// Seeds bench:download's attachment from its own process, so the bench's peak RSS is the
// download's alone: streams SIZE random bytes to the emulator's admin upload route and prints
// their sha256. Usage: node bench/download-seed.mjs URL SIZE
import { createHash, randomFillSync } from 'node:crypto';
import http from 'node:http';

const [url, sizeArg] = process.argv.slice(2);
const size = Number(sizeArg);
const hash = createHash('sha256');
const buffer = Buffer.allocUnsafe(1024 * 1024);
const req = http.request(url, { method: 'POST', headers: { 'content-type': 'application/octet-stream', 'content-length': size } });
const answered = new Promise((resolve, reject) => {
  req.on('error', reject);
  req.on('response', (res) => {
    res.resume();
    res.on('end', () => (res.statusCode === 201 ? resolve() : reject(new Error(`upload: ${res.statusCode}`))));
  });
});
for (let sent = 0; sent < size; ) {
  const chunk = randomFillSync(buffer.subarray(0, Math.min(buffer.length, size - sent)));
  hash.update(chunk);
  sent += chunk.length;
  // The buffer is refilled only once this write has been flushed.
  await new Promise((resolve, reject) => req.write(chunk, (err) => (err ? reject(err) : resolve())));
}
req.end();
await answered;
process.stdout.write(`${hash.digest('hex')}\n`);
