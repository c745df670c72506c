// An exception of an 'exit' listener is reported and the status is 1.
process.on('exit', (c) => { console.log('exit', c); throw new Error('in exit'); });
