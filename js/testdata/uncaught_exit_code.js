// After an uncaught exception, the 'exit' listeners run with 1 and may set
// process.exitCode, which is then the exit status.
'use strict';
process.on('exit', (code) => {
  console.log('exit', code);
  process.exitCode = 3;
});
throw new Error('boom');
