// process.exitCode is the exit status when the loop runs out of work.
process.on('exit', (code) => console.log('exit', code, process.exitCode));
setTimeout(() => { process.exitCode = 3; }, 1);
