// Inside an I/O callback, setImmediate always runs before setTimeout(0): the check
// phase follows the poll phase, the timers phase starts the next tick.
const fs = require('fs');
fs.readFile(__filename, () => {
  setTimeout(() => console.log('timeout 0'), 0);
  setImmediate(() => console.log('immediate'));
  process.nextTick(() => console.log('tick'));
  console.log('read callback');
});
console.log('main');
