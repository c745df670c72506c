// refresh() re-activates a timeout that already fired; a cleared timeout stays
// cleared.
let n = 0;
const t = setTimeout(() => {
  n++;
  console.log('t fired ' + n);
  if (n === 1) {
    setImmediate(() => {
      console.log('immediate refreshes t');
      t.refresh();
    });
  }
}, 2);
const u = setTimeout(() => console.log('u fired'), 2);
clearTimeout(u);
u.refresh();
console.log('main');
