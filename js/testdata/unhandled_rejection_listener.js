// An 'unhandledRejection' listener takes the rejection instead.
process.on('unhandledRejection', (reason, p) => {
  console.log('unhandled', reason instanceof Error ? reason.message : reason, p instanceof Promise);
});
Promise.reject(new Error('one'));
Promise.reject('two');
setTimeout(() => console.log('goes on'), 1);
