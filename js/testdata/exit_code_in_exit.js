// process.exitCode set by an 'exit' listener is the exit status.
process.on('exit', (c) => { console.log('exit', c); process.exitCode = 9; });
