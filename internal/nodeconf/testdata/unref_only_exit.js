// A process left with only unref'd timers exits without running them, however
// short their delay.
process.on('exit', () => console.log('exit'));
setTimeout(() => console.log('unref 1 ms'), 1).unref();
setInterval(() => console.log('unref interval'), 1).unref();
console.log('main');
