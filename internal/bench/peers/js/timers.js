'use strict';
// N one-shot setTimeout timers (argv[2], default 1,000,000) created up front and run
// to completion, one millisecond more of delay every 1,000 timers as in the loop's own
// timers benchmark. The wall time cannot fall below the last delay; the CPU time is
// the cost of creating, ordering and firing the timers.
//
// Prints: RESULT name=js_timers impl=IMPL ops=N ns=WALL cpu_ns=CPU version=V
const peer = require('./peer.js');

const n = peer.ops(1_000_000);
let fired = 0;
const t = peer.start();

function onTimeout() {
  if (++fired === n) peer.result('js_timers', n, t);
}

for (let i = 0; i < n; i++) setTimeout(onTimeout, 1 + Math.floor(i / 1000));
