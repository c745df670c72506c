// process.nextTick callbacks run before promise reactions and queueMicrotask
// callbacks, whatever order they were queued in; each queue is FIFO.
Promise.resolve().then(() => console.log('promise 1'));
queueMicrotask(() => console.log('microtask 2'));
process.nextTick(() => console.log('tick 1'));
Promise.resolve().then(() => console.log('promise 3'));
process.nextTick(() => console.log('tick 2'));
console.log('main');
