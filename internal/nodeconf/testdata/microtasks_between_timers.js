// Each timer's nextTicks and microtasks run before the next timer of the same
// phase (Node 11 and later).
for (const name of ['a', 'b', 'c']) {
  setTimeout(() => {
    console.log('timeout ' + name);
    process.nextTick(() => console.log('tick ' + name));
    Promise.resolve().then(() => console.log('promise ' + name));
  }, 1);
}
console.log('main');
