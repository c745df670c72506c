// Each .then of a chain is queued only when the previous reaction ran, so chains
// interleave with other microtasks.
Promise.resolve()
  .then(() => console.log('a1'))
  .then(() => console.log('a2'))
  .then(() => console.log('a3'));
Promise.resolve()
  .then(() => console.log('b1'))
  .then(() => console.log('b2'));
queueMicrotask(() => console.log('c1'));
console.log('main');
