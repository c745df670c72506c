// A timer cleared by a microtask of an earlier timer of the same phase does not
// run.
function busy(ms) {
  const end = performance.now() + ms;
  while (performance.now() < end) {}
}
let b;
setTimeout(() => {
  console.log('a');
  queueMicrotask(() => {
    console.log('microtask from a clears b');
    clearTimeout(b);
  });
}, 1);
b = setTimeout(() => console.log('b'), 1);
setTimeout(() => console.log('c'), 1);
busy(5);
