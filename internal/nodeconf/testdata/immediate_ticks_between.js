// Each immediate's nextTicks and microtasks run before the next immediate.
for (const name of ['a', 'b']) {
  setImmediate(() => {
    console.log('immediate ' + name);
    Promise.resolve().then(() => console.log('promise ' + name));
    process.nextTick(() => console.log('tick ' + name));
  });
}
console.log('main');
