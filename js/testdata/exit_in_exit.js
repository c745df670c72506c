// process.exit from an 'exit' listener changes the status; the listeners run once.
process.on('exit', (c) => { console.log('exit', c); process.exit(6); });
setTimeout(() => process.exit(2), 1);
