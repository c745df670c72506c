// A timeout that refreshes itself inside its callback fires again.
let n = 0;
const t = setTimeout(() => {
  n++;
  console.log('fired ' + n);
  if (n < 3) t.refresh();
}, 2);
console.log('main');
