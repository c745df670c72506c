// A due timer refreshed by an earlier timer of the same phase does not run in that
// phase: it restarts from now, and the check phase comes first.
function busy(ms) {
  const end = performance.now() + ms;
  while (performance.now() < end) {}
}
let b;
setTimeout(() => {
  console.log('a refreshes b');
  b.refresh();
  setImmediate(() => console.log('immediate from a'));
}, 1);
b = setTimeout(() => console.log('b'), 1);
setTimeout(() => console.log('c'), 1);
busy(5);
console.log('main');
