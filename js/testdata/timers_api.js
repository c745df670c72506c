// The timer functions: extra arguments, this, ids, ref and unref, refresh, close.
const t = setTimeout(function (a, b) {
  console.log('timeout args', a, b, this === t, typeof this.ref);
}, 30, 'a', 2);
console.log('hasRef', t.hasRef(), t.unref().hasRef(), t.ref().hasRef());
console.log('id is a number', typeof +t, `${t}` === String(+t));
const byId = setTimeout(() => console.log('never: cleared by id'), 1);
clearTimeout(+byId);
const byString = setTimeout(() => console.log('never: cleared by string id'), 1);
clearTimeout(String(+byString));
const closed = setTimeout(() => console.log('never: closed'), 1);
console.log('close returns the timeout', closed.close() === closed);
let n = 0;
const iv = setInterval(function (x) {
  n++;
  console.log('interval', n, x, this === iv);
  if (n === 3) {
    clearInterval(this);
    console.log(immediateSaw);
  }
}, 30, 'arg');
let immediateSaw = 'never: immediate did not run';
const im = setImmediate(function (x) {
  immediateSaw = ['immediate', x, this === im, this.hasRef()].join(' ');
}, 'imm');
const imCleared = setImmediate(() => console.log('never: cleared immediate'));
clearImmediate(imCleared);
clearTimeout(undefined);
clearTimeout(null);
clearTimeout({});
clearImmediate(undefined);
const timers = require('timers');
console.log('timers module', timers.setTimeout === setTimeout, typeof timers.clearImmediate);
for (const bad of [undefined, null, 5, 'str', {}]) {
  try {
    setTimeout(bad, 1);
  } catch (e) {
    console.log(e.name, e.code, e.message);
  }
}
try {
  process.nextTick(42);
} catch (e) {
  console.log(e.code, e.message);
}
try {
  queueMicrotask('x');
} catch (e) {
  console.log(e.code, e.message);
}
