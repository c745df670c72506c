'use strict';
// Shared helpers of the Node.js peers: the operation count from argv, wall and CPU
// clocks, and the one RESULT line each peer prints on stdout.

// ops returns process.argv[2] (the program's first argument) as a positive integer,
// or def when it is absent; it exits with status 2 on anything else.
function ops(def) {
  const arg = process.argv[2];
  if (arg === undefined) return def;
  if (!/^[0-9]+$/.test(arg) || Number(arg) <= 0 || !Number.isSafeInteger(Number(arg))) {
    process.stderr.write(`${process.argv[1]}: operation count must be a positive integer, got ${arg}\n`);
    process.exit(2);
  }
  return Number(arg);
}

// start reads both clocks: process.hrtime.bigint() (monotonic) and process.cpuUsage()
// (user plus system time of the whole process, the threadpool's included).
function start() {
  return { wall: process.hrtime.bigint(), cpu: process.cpuUsage() };
}

// result prints the RESULT line for the interval since t (from start). extra holds
// more key=value fields; values must not contain spaces.
function result(name, n, t, extra = {}) {
  const wall = process.hrtime.bigint() - t.wall;
  const cpu = process.cpuUsage(t.cpu);
  const cpuNs = BigInt(cpu.user + cpu.system) * 1000n;
  let line = `RESULT name=${name} impl=node ops=${n} ns=${wall} cpu_ns=${cpuNs} version=${process.versions.node} uv=${process.versions.uv}`;
  for (const [k, v] of Object.entries(extra)) line += ` ${k}=${v}`;
  process.stdout.write(line + '\n');
}

// fail reports a broken run on stderr and exits with status 1.
function fail(msg) {
  process.stderr.write(`${msg}\n`);
  process.exit(1);
}

module.exports = { ops, start, result, fail };
