// An interval that refreshes itself in its callback is re-armed all the same when
// the callback returns, from the start of the run, at the end of its list: behind
// the timeout of the same delay the callback started after the refresh.
let n = 0;
const iv = setInterval(() => {
  n++;
  console.log('interval ' + n);
  if (n === 1) {
    iv.refresh();
    setTimeout(() => console.log('timeout started by interval 1'), 10);
  }
  if (n === 2) clearInterval(iv);
}, 10);
console.log('main');
