// Node re-inserts an interval into its timer list after its callback returns (with
// the start time read before the callback), so a timeout with the same delay
// started inside the callback comes first in the list and fires first.
let n = 0;
const iv = setInterval(() => {
  n++;
  console.log('interval ' + n);
  if (n === 1) setTimeout(() => console.log('timeout started by interval 1'), 10);
  if (n === 2) clearInterval(iv);
}, 10);
console.log('main');
