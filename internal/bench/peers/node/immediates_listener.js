'use strict';
// immediates.js's chain of N setImmediate callbacks (argv[2], default 10,000,000)
// with one TCP server listening on 127.0.0.1 and idle the whole time.
//
// Prints: RESULT name=immediates_listener impl=node ops=N ns=WALL cpu_ns=CPU version=V uv=U
const net = require('net');
const peer = require('./peer.js');

const n = peer.ops(10_000_000);
const server = net.createServer((c) => c.destroy());

server.listen(0, '127.0.0.1', () => {
  let turns = 0;
  const t = peer.start();
  function chain() {
    if (++turns < n) {
      setImmediate(chain);
      return;
    }
    peer.result('immediates_listener', n, t);
    server.close();
  }
  setImmediate(chain);
});
