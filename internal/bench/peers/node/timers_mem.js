'use strict';
// The memory of N one-shot setTimeout timers (argv[2], default 1,000,000): the timers
// workload (timers.js) in a process of its own, reporting its peak resident set size
// (VmHWM on Linux, process.resourceUsage().maxRSS elsewhere) before the first timer is
// started and when the last has fired.
//
// Prints: RESULT name=timers_mem impl=node ops=N ns=WALL cpu_ns=CPU version=V uv=U
//         base_kib=PEAK_BEFORE rss_kib=PEAK bytes_per_timer=(PEAK-PEAK_BEFORE)*1024/N
const fs = require('fs');
const peer = require('./peer.js');

// peakRSS returns the peak resident set size in KiB: on Linux VmHWM of
// /proc/self/status, since maxRSS there starts at the size the parent had when it
// forked; elsewhere process.resourceUsage().maxRSS.
function peakRSS() {
  if (process.platform === 'linux') {
    const m = /^VmHWM:\s*(\d+) kB$/m.exec(fs.readFileSync('/proc/self/status', 'latin1'));
    if (m === null) peer.fail('timers_mem: /proc/self/status has no VmHWM line');
    return Number(m[1]);
  }
  return process.resourceUsage().maxRSS;
}

const n = peer.ops(1_000_000);
let fired = 0;
const base = peakRSS();
const t = peer.start();

function onTimeout() {
  if (++fired !== n) return;
  const rss = peakRSS();
  peer.result('timers_mem', n, t, {
    base_kib: base,
    bytes_per_timer: Math.floor(Math.max(0, rss - base) * 1024 / n),
    rss_kib: rss,
  });
}

for (let i = 0; i < n; i++) setTimeout(onTimeout, 1 + Math.floor(i / 1000));
