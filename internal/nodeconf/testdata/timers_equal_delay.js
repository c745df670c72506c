// Timers with the same delay fire in the order they were started; one started
// later with the same delay (from a timer) comes after them.
for (let i = 1; i <= 5; i++) {
  setTimeout(() => {
    console.log('timeout ' + i);
    if (i === 1) setTimeout(() => console.log('timeout 6, started by timeout 1'), 20);
  }, 20);
}
console.log('main');
