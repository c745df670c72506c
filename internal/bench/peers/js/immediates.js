'use strict';
// N chained setImmediate callbacks (argv[2], default 1,000,000), each queued by the
// one before it: every turn is one iteration of the loop.
//
// Prints: RESULT name=js_immediates impl=IMPL ops=N ns=WALL cpu_ns=CPU version=V
const peer = require('./peer.js');

const n = peer.ops(1_000_000);
let turns = 0;
const t = peer.start();

function chain() {
  if (++turns < n) {
    setImmediate(chain);
    return;
  }
  peer.result('js_immediates', n, t);
}

setImmediate(chain);
