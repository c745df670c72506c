// process.exit from a 'beforeExit' listener ends the run; 'beforeExit' is not emitted again.
process.on('beforeExit', (c) => { console.log('be', c); process.exit(4); });
process.on('exit', (c) => console.log('exit', c));
