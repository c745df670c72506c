// Symbol.dispose and Symbol.asyncDispose exist, as Node 20's, and disposing of a
// timer clears it.
'use strict';
console.log(typeof Symbol.dispose, String(Symbol.dispose), Symbol.dispose === Symbol.for('nodejs.dispose'));
console.log(typeof Symbol.asyncDispose, String(Symbol.asyncDispose));
const timer = setTimeout(() => console.log('never'), 10);
const interval = setInterval(() => console.log('never'), 10);
const immediate = setImmediate(() => console.log('never'));
timer[Symbol.dispose]();
interval[Symbol.dispose]();
immediate[Symbol.dispose]();
console.log(timer._destroyed, interval._destroyed, immediate._destroyed);
