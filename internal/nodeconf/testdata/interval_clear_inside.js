// An interval cleared inside its own callback stops; a 0 ms interval runs once per
// tick at most.
let n = 0;
const iv = setInterval(() => {
  n++;
  console.log('interval ' + n);
  if (n === 3) {
    clearInterval(iv);
    console.log('cleared');
    setTimeout(() => console.log('timeout after clear'), 5);
  }
}, 0);
console.log('main');
