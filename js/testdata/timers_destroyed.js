// A timeout is destroyed as its callback returns, before its nextTicks and
// microtasks run; a refresh makes it alive again, unless it was cleared.
const a = setTimeout(() => {
  console.log('a ran', a._destroyed);
  process.nextTick(() => console.log('tick', a._destroyed));
  Promise.resolve().then(() => {
    console.log('micro', a._destroyed);
    a.refresh();
    console.log('after refresh', a._destroyed);
    a.close();
    console.log('after close', a._destroyed);
  });
}, 1);
let bRan = false;
const b = setTimeout(() => {
  // The program ends before b runs again, unless the machine is so slow that the
  // last timer runs past b's next time: then b says nothing more.
  if (bRan) return;
  bRan = true;
  console.log('b ran', b._destroyed);
  b.refresh();
  console.log('b refreshed in its callback', b._destroyed);
  b.unref();
}, 2);
setTimeout(() => {
  console.log('later', a._destroyed, b._destroyed);
  a.refresh();
  console.log('a refreshed after close', a._destroyed, a.hasRef());
}, 3);
