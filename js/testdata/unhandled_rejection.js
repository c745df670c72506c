// A rejection still unhandled after the microtask checkpoint is thrown, as Node
// 20's default mode does; one handled in time is not.
const late = Promise.reject(new Error('handled in time'));
Promise.resolve().then(() => late.catch((e) => console.log('caught', e.message)));
async function f() {
  await null;
  throw new Error('async failure');
}
f();
