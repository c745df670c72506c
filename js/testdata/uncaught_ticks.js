// A nextTick that throws, once an 'uncaughtException' listener handled it, leaves
// the ticks and microtasks queued after it for the next callback, which runs
// first: in the main script's drain and in a callback's.
process.on('uncaughtException', (e) => console.log('caught', e.message));
setImmediate(() => {
  console.log('imm 1');
  process.nextTick(() => console.log('tick of imm 1'));
});
process.nextTick(() => {
  process.nextTick(() => console.log('tick 2 of main'));
  throw new Error('main tick');
});
process.nextTick(() => console.log('tick 3 of main'));
Promise.resolve().then(() => console.log('micro of main'));
setTimeout(() => {
  process.nextTick(() => {
    Promise.resolve().then(() => console.log('micro of the tick'));
    throw new Error('timer tick');
  });
  process.nextTick(() => console.log('tick 2 of the timer'));
  setImmediate(() => console.log('imm after the timer'));
}, 1);
// The timer is due when the first timers phase begins.
const start = Date.now();
while (Date.now() - start < 5);
// The main script's own throw leaves its drain as it is.
process.nextTick(() => console.log('tick before the throw'));
throw new Error('main');
