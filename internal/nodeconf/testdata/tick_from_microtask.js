// A nextTick queued by a microtask waits until the whole microtask queue is empty,
// including microtasks queued after it.
queueMicrotask(() => {
  console.log('microtask 1');
  process.nextTick(() => console.log('tick from microtask 1'));
  queueMicrotask(() => console.log('microtask from microtask 1'));
});
queueMicrotask(() => console.log('microtask 2'));
console.log('main');
