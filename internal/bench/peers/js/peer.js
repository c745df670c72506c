'use strict';
// Shared helpers of the JavaScript workloads, which node and nodeloop run both run
// unchanged: the operation count from argv, wall and CPU clocks, and the one RESULT
// line each script prints on stdout, naming the runtime it ran on.

// impl is the implementation's name in the RESULT line: nodeloop's runtime says so in
// process.versions.
const impl = process.versions.nodeloop === undefined ? 'node' : 'nodeloop';

// ops returns process.argv[2] (the script's first argument) as a positive integer,
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
// (user plus system time of the whole process, every thread included).
function start() {
  return { wall: process.hrtime.bigint(), cpu: process.cpuUsage() };
}

// result prints the RESULT line of benchmark name for the interval since t (from
// start).
function result(name, n, t) {
  const wall = process.hrtime.bigint() - t.wall;
  const cpu = process.cpuUsage(t.cpu);
  const cpuNs = BigInt(cpu.user + cpu.system) * 1000n;
  process.stdout.write(`RESULT name=${name} impl=${impl} ops=${n} ns=${wall} cpu_ns=${cpuNs} version=${process.versions.node}\n`);
}

// fail reports a broken run on stderr and exits with status 1.
function fail(msg) {
  process.stderr.write(`${msg}\n`);
  process.exit(1);
}

module.exports = { ops, start, result, fail };
