// A timer cleared by an earlier timer of the same timers phase does not run, even
// though it was already due. Clearing twice or clearing null does nothing.
function busy(ms) {
  const end = performance.now() + ms;
  while (performance.now() < end) {}
}
let b;
setTimeout(() => {
  console.log('a clears b');
  clearTimeout(b);
  clearTimeout(b);
  clearTimeout(null);
}, 1);
b = setTimeout(() => console.log('b'), 1);
setTimeout(() => console.log('c'), 1);
busy(5);
console.log('main');
