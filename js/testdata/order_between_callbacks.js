// Ticks and microtasks drain after every callback, between the timers of one phase
// and between the immediates of one check phase.
setTimeout(() => {
  console.log('t1');
  process.nextTick(() => console.log('t1 tick'));
  Promise.resolve().then(() => console.log('t1 promise'));
}, 1);
setTimeout(() => {
  console.log('t2');
  Promise.resolve().then(() => console.log('t2 promise'));
}, 1);
setTimeout(() => {
  setImmediate(() => {
    console.log('i1');
    process.nextTick(() => console.log('i1 tick'));
  });
  setImmediate(() => console.log('i2'));
}, 10);
