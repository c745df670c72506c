// nextTicks run before promise reactions; ticks queued by microtasks run after them.
setTimeout(() => console.log('timeout'), 0);

Promise.resolve().then(() => {
  console.log('promise 1');
  process.nextTick(() => console.log('tick from promise'));
}).then(() => console.log('promise 2'));
queueMicrotask(() => console.log('microtask'));
process.nextTick(() => {
  console.log('tick 1');
  process.nextTick(() => console.log('tick 1.1'));
  Promise.resolve().then(() => console.log('promise from tick'));
});
process.nextTick((a, b) => console.log('tick 2', a, b), 'x', 42);
(async () => {
  console.log('async start');
  await null;
  console.log('after await 1');
  await new Promise((r) => setTimeout(r, 2));
  console.log('after await timer');
})();
console.log('main');
