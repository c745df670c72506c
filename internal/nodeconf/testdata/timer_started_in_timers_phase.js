// A timer started during the timers phase never runs in that phase, whatever its
// delay: the check phase comes first.
setTimeout(() => {
  console.log('timeout a');
  setTimeout(() => console.log('timeout from a'), 0);
  setImmediate(() => console.log('immediate from a'));
  process.nextTick(() => console.log('tick from a'));
}, 1);
console.log('main');
