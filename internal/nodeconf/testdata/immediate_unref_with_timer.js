// An unref'd immediate still runs when something else keeps the loop alive. Queued
// from an I/O callback, it runs in the check phase right after, before the timer.
const fs = require('fs');
fs.readFile(__filename, () => {
  setImmediate(() => console.log('unref immediate')).unref();
  setTimeout(() => console.log('timeout 5 ms'), 5);
  console.log('read callback');
});
