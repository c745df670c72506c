// A handler added to a rejection already reported unhandled emits
// 'rejectionHandled' once the microtasks queued meanwhile ran, or without a
// listener a PromiseRejectionHandledWarning; a rejection made by an
// 'unhandledRejection' listener and handled on the next tick is not reported.
'use strict';
let inner = true;
process.on('unhandledRejection', (reason) => {
  console.log('unhandledRejection', reason.message);
  if (inner) {
    inner = false;
    const again = Promise.reject(new Error('from the listener'));
    process.nextTick(() => again.catch(() => console.log('caught from the listener')));
  }
});
process.on('exit', (c) => console.log('exit', c));
const p = Promise.reject(new Error('late'));
setTimeout(() => {
  p.catch(() => console.log('caught late'));
}, 1);
const q = Promise.reject(new Error('later'));
setTimeout(() => {
  process.on('rejectionHandled', (x) => console.log('rejectionHandled', x === q));
  q.catch(() => console.log('caught later'));
  process.nextTick(() => console.log('tick after catch'));
}, 5);
