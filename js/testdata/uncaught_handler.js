// 'uncaughtException' listeners get the error and its origin, and the program goes on.
process.on('uncaughtException', (err, origin) => {
  console.log('caught', err.message, origin);
});
setTimeout(() => { throw new Error('from timer'); }, 1);
setTimeout(() => console.log('still running'), 60);
setTimeout(() => process.nextTick(() => { throw new Error('from tick'); }), 10);
setTimeout(() => Promise.reject(new Error('rejected')), 20);
setTimeout(() => queueMicrotask(() => { throw new Error('from microtask'); }), 40);
