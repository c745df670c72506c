// A delay past 2**31-1 ms becomes 1 ms with a TimeoutOverflowWarning on stderr,
// emitted on a later tick as process.emitWarning does.
setTimeout(() => console.log('fired'), 2 ** 31);
console.log('main');
process.nextTick(() => console.log('tick before the warning'));
