'use strict';
// N chained setImmediate callbacks (argv[2], default 10,000,000): each one queues the
// next, so every turn is one full iteration of Node's loop (the immediate's idle
// handle keeps poll from blocking, its check handle runs the queue).
//
// Prints: RESULT name=immediates impl=node ops=N ns=WALL cpu_ns=CPU version=V uv=U
const peer = require('./peer.js');

const n = peer.ops(10_000_000);
let turns = 0;
const t = peer.start();

function chain() {
  if (++turns < n) {
    setImmediate(chain);
    return;
  }
  peer.result('immediates', n, t);
}

setImmediate(chain);
