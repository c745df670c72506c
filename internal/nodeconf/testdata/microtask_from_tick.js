// A microtask queued by a nextTick waits until the whole nextTick queue is empty,
// including ticks queued while draining it.
process.nextTick(() => {
  console.log('tick 1');
  Promise.resolve().then(() => console.log('promise from tick 1'));
  process.nextTick(() => console.log('tick from tick 1'));
});
process.nextTick(() => console.log('tick 2'));
queueMicrotask(() => {
  console.log('microtask 1');
  process.nextTick(() => {
    console.log('tick from microtask 1');
    queueMicrotask(() => console.log('microtask from tick from microtask 1'));
  });
});
console.log('main');
