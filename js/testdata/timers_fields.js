// A Timeout's _repeat, _idleTimeout and _onTimeout, set in its callback, decide
// what it does next, as Node's timers read them after each call.
'use strict';
// Each of the three reports when it is done; the last one prints the end.
let finished = 0;
function finish() {
  if (++finished === 3) setImmediate(() => console.log('done', n, m, k, t._destroyed, i._destroyed, j._destroyed));
}
let n = 0;
const t = setTimeout(() => {
  n++;
  console.log('timeout call', n, 'repeat', t._repeat);
  if (n === 3) { clearInterval(t); finish(); }
  else t._repeat = 20; // far from the interval's 1 ms, so that a slow machine keeps the order
}, 1);

let m = 0;
const i = setInterval(() => {
  m++;
  console.log('interval call', m, 'idle', i._idleTimeout);
  if (m === 2) { i._idleTimeout = -1; finish(); }
}, 1);

let k = 0;
const j = setInterval(() => {
  k++;
  console.log('dropped after', k);
  j._onTimeout = null;
  setTimeout(finish, 5);
}, 1);

const c = setTimeout(() => {}, 5);
clearTimeout(c);
console.log('cleared idle', c._idleTimeout, 'destroyed', c._destroyed);
