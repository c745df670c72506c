// After a timer threw and an 'uncaughtException' listener handled it, Node runs
// the next due timer, of its list or of the next list, with no drain before it;
// the ticks and microtasks left run after it, or when the timers phase ends.
process.on('uncaughtException', (e) => console.log('caught', e.message));
setTimeout(() => {
  process.nextTick(() => console.log('tick of t1'));
  Promise.resolve().then(() => console.log('micro of t1'));
  throw new Error('t1');
}, 1);
setTimeout(() => console.log('t2'), 1);
setTimeout(() => {
  // The last of its list throws; the next list is due too.
  process.nextTick(() => console.log('tick of t3'));
  throw new Error('t3');
}, 1);
setTimeout(() => {
  console.log('list 2: t4');
  process.nextTick(() => { throw new Error('tick of t4'); });
  process.nextTick(() => console.log('tick 2 of t4'));
  Promise.resolve().then(() => console.log('micro of t4'));
}, 2);
setTimeout(() => console.log('list 2: t5'), 2);
setTimeout(() => {
  console.log('list 2: t6');
  setTimeout(() => {
    // The last due timer throws: its ticks run before the phase ends.
    process.nextTick(() => console.log('tick of the last'));
    Promise.resolve().then(() => console.log('micro of the last'));
    setImmediate(() => console.log('imm after the last'));
    throw new Error('last');
  }, 5);
}, 2);
// Both lists are due when the first timers phase begins.
const start = Date.now();
while (Date.now() - start < 5);
