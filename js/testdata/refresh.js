// refresh restarts a timer from now, with the same callback; after it fired it
// runs again.
let fired = 0;
const t = setTimeout(() => {
  fired++;
  console.log('fired', fired);
  if (fired === 1) t.refresh();
}, 2);
const u = setTimeout(() => console.log('unref timer never keeps the loop alive'), 10000).unref();
console.log('unref hasRef', u.hasRef());
