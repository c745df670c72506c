'use strict';
// N one-shot setTimeout timers (argv[2], default 1,000,000) started up front and run
// to completion, with the same delays as the libuv peer: one millisecond more every
// 1,000 timers. The wall time cannot fall below the last delay; the CPU time is the
// cost of starting, ordering and firing the timers. Node keeps one list per distinct
// delay, so its cost depends on how many delays there are (N/1000 here).
//
// Prints: RESULT name=timers impl=node ops=N ns=WALL cpu_ns=CPU version=V uv=U
//         start_ns=WALL_TO_START_ALL
const peer = require('./peer.js');

const n = peer.ops(1_000_000);
let fired = 0;
let startNs;
const t = peer.start();

function onTimeout() {
  if (++fired === n) peer.result('timers', n, t, { start_ns: startNs });
}

for (let i = 0; i < n; i++) setTimeout(onTimeout, 1 + Math.floor(i / 1000));
startNs = process.hrtime.bigint() - t.wall;
