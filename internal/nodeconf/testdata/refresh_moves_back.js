// timer.refresh() restarts a timer from now and moves it behind timers with the
// same delay.
const a = setTimeout(() => console.log('a'), 20);
setTimeout(() => console.log('b'), 20);
setTimeout(() => console.log('c'), 20);
a.refresh();
console.log('main');
