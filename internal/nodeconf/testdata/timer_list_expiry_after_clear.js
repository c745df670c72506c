// Clearing the first timer of a list leaves the list's expiry at that timer's
// deadline. When the loop is late, the 20 ms list, which expires at 20, runs before
// the 30 ms list, although its only timer left is due at 35 and b at 30.
function busy(ms) {
  const end = performance.now() + ms;
  while (performance.now() < end) {}
}
const a1 = setTimeout(() => console.log('a1'), 20);
setTimeout(() => console.log('b: 30 ms, started at 0'), 30);
busy(15);
setTimeout(() => console.log('a2: 20 ms, started at 15'), 20);
clearTimeout(a1);
busy(35);
console.log('main');
