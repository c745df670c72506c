'use strict';
// N steps (argv[2], default 1,000,000) of one chain that alternates a
// process.nextTick callback and a promise reaction: each step queues the next, so
// the run goes back and forth between the tick queue and the microtask queue.
//
// Prints: RESULT name=js_ticks impl=IMPL ops=N ns=WALL cpu_ns=CPU version=V
const peer = require('./peer.js');

const n = peer.ops(1_000_000);
let steps = 0;
const t = peer.start();

function step() {
  if (++steps >= n) {
    peer.result('js_ticks', n, t);
    return;
  }
  if (steps % 2) process.nextTick(step);
  else Promise.resolve().then(step);
}

step();
