// Node keeps one list of timers per duration and, in a timers phase, runs every
// due timer of the list with the earliest expiry before the next list. When the
// loop is late, a 10 ms timer started 6 ms after another 10 ms timer runs before
// a 5 ms timer started at the same time as it, although its deadline is later.
function busy(ms) {
  const end = performance.now() + ms;
  while (performance.now() < end) {}
}
setTimeout(() => console.log('a: 10 ms, started at 0'), 10);
busy(6);
setTimeout(() => console.log('b: 5 ms, started at 6'), 5);
setTimeout(() => console.log('c: 10 ms, started at 6'), 10);
busy(30);
console.log('main');
