// An exception of the main module: ticks and microtasks it queued never run.
process.nextTick(() => console.log('never: tick'));
Promise.resolve().then(() => console.log('never: promise'));
throw Object.assign(new TypeError('bad type'), { code: 'E_BAD' });
