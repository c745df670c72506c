// "await null" resumes the async function in one microtask; it interleaves with
// a promise chain, after every nextTick.
async function f() {
  console.log('f start');
  await null;
  console.log('f after await 1');
  await null;
  console.log('f after await 2');
}
f();
Promise.resolve()
  .then(() => console.log('p1'))
  .then(() => console.log('p2'));
process.nextTick(() => console.log('tick'));
console.log('main end');
