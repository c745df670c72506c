// Timer details that Node's own tests pin: a timeout that ran is destroyed, the
// unref of a Timeout or Immediate called on another object does nothing,
// process.hrtime checks its argument, scheduler has an illegal constructor.
'use strict';
const { scheduler } = require('timers/promises');

const t = setTimeout(() => {
  console.log('in its callback, destroyed:', t._destroyed);
}, 1);
// The interval runs after t, in the same timers phase or a later one: either way t
// has run.
const i = setInterval(() => {
  console.log('after it, destroyed:', t._destroyed);
  console.log('an interval is not destroyed:', i._destroyed);
  clearInterval(i);
  console.log('until cleared:', i._destroyed);
}, 1);
console.log('before:', t._destroyed);

const other = {};
console.log(t.unref.call(other) === other);
const im = setImmediate(() => {});
console.log(im.unref.call(other) === other);

for (const v of [1, [], [1], [1, 2, 3]]) {
  try {
    process.hrtime(v);
  } catch (err) {
    console.log(err.name, err.code, err.message);
  }
}
console.log(process.hrtime([0, 0]).length);

try {
  new scheduler.constructor();
} catch (err) {
  console.log(err.name, err.code, err.message);
}
console.log(typeof scheduler.wait, typeof scheduler.yield);
