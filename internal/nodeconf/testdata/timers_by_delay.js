// Timers fire by deadline, not by the order they were started.
setTimeout(() => console.log('timeout 200'), 200);
setTimeout(() => console.log('timeout 10'), 10);
setTimeout(() => console.log('timeout 100'), 100);
setTimeout(() => console.log('timeout 50'), 50);
console.log('main');
