'use strict';
// The server of the http benchmark: Node's http module on 127.0.0.1, answering every
// request with the header and body the nodeloop server sends (Node adds its
// keep-alive headers; the Date header is off, so that every response is the same).
// The Go load client in the bench package drives it.
//
// Prints: LISTEN 127.0.0.1:PORT once it listens; then, when stdin closes,
//         SERVED REQUESTS CPU_NS (user plus system CPU time since it listened) and
//         exits.
const http = require('http');

const body = Buffer.from('Hello, world!\n');
let served = 0;
let cpu;

const server = http.createServer((req, res) => {
  served++;
  res.sendDate = false;
  res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': body.length });
  res.end(body);
});

server.listen(0, '127.0.0.1', () => {
  const a = server.address();
  cpu = process.cpuUsage();
  process.stdout.write(`LISTEN ${a.address}:${a.port}\n`);
});

process.stdin.on('data', () => {});
process.stdin.on('end', () => {
  const used = process.cpuUsage(cpu);
  process.stdout.write(`SERVED ${served} ${BigInt(used.user + used.system) * 1000n}\n`);
  server.close();
  server.closeAllConnections();
  process.exit(0);
});
