// Clearing the last timer of a list makes the list go when the timer kept the
// process alive; an unref'd timer's list stays, empty, with its old expiry, and the
// next timer of that delay joins it. When the loop is late, the 20 ms list (kept,
// expiring at 20) runs first, then the 30 ms list, then the 25 ms list made anew at
// 15 (expiring at 40).
function busy(ms) {
  const end = performance.now() + ms;
  while (performance.now() < end) {}
}
const u = setTimeout(() => console.log('u'), 20);
u.unref();
clearTimeout(u);
const r = setTimeout(() => console.log('r'), 25);
clearTimeout(r);
setTimeout(() => console.log('b: 30 ms, started at 0'), 30);
busy(15);
setTimeout(() => console.log('u2: 20 ms, started at 15'), 20);
setTimeout(() => console.log('r2: 25 ms, started at 15'), 25);
busy(45);
console.log('main');
