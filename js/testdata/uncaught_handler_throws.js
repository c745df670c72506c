// An 'uncaughtException' listener that throws ends the program with 7.
process.on('uncaughtException', () => {
  console.log('handler');
  throw new Error('handler failed');
});
setTimeout(() => { throw new Error('first'); }, 1);
