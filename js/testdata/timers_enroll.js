// The deprecated timers.enroll, unenroll, active and _unrefActive time an object
// of the script's own through its _idleTimeout and _onTimeout, each warning once.
'use strict';
const timers = require('timers');

const item = { _onTimeout() { console.log('item fired, destroyed:', item._destroyed); } };
timers.enroll(item, 5);
console.log('idleTimeout:', item._idleTimeout);
timers.enroll(item, 2);
timers.active(item);
console.log('active:', Number.isInteger(item._idleStart), Boolean(item._idleNext), item._destroyed);

const gone = { _onTimeout() { console.log('never'); } };
timers.enroll(gone, 1);
timers.active(gone);
timers.unenroll(gone);
console.log('unenrolled:', gone._idleTimeout, gone._destroyed);
timers.active(gone);

const bogus = { _idleTimeout: -1 };
timers.active(bogus);
console.log('bogus untouched:', Object.keys(bogus).join(','));
timers.active({ _idleTimeout: 1 });

let n = 0;
const again = {
  _onTimeout() {
    n++;
    if (n < 3) timers._unrefActive(again);
    else console.log('again fired', n, 'times');
  },
};
timers.enroll(again, 1);
timers._unrefActive(again);
setTimeout(() => console.log('after:', item._destroyed, n), 50);

for (const v of ['1', -1, Infinity]) {
  try {
    timers.enroll({}, v);
  } catch (err) {
    console.log(err.name, err.code, err.message);
  }
}
timers.enroll({}, 2 ** 31);
