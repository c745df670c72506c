// An interval cleared by an earlier timer of the same phase stops before running
// again; a timeout cleared by an interval's callback never runs.
function busy(ms) {
  const end = performance.now() + ms;
  while (performance.now() < end) {}
}
let iv, t;
let n = 0;
setTimeout(() => {
  console.log('a clears the interval');
  clearInterval(iv);
}, 1);
iv = setInterval(() => console.log('interval'), 1);
const iv2 = setInterval(() => {
  n++;
  console.log('interval 2 run ' + n);
  if (n === 1) clearTimeout(t);
  if (n === 2) clearInterval(iv2);
}, 1);
t = setTimeout(() => console.log('t'), 1);
busy(5);
console.log('main');
