// The nextTicks of a timer's callback run after the loop has found the next timer
// of the list due and taken it for running: a restart from one of them comes too
// late, and the timer runs at once (its restart dropped), before a timer due at 20.
function busy(ms) {
  const end = performance.now() + ms;
  while (performance.now() < end) {}
}
let b;
setTimeout(() => {
  console.log('a');
  process.nextTick(() => b.refresh());
}, 10);
b = setTimeout(() => console.log('b'), 10);
setTimeout(() => console.log('m: 20 ms'), 20);
busy(15);
console.log('main');
