// An unref'd immediate alone does not keep the process alive: it never runs. With
// a ref'd timer keeping the loop alive, an unref'd immediate runs.
process.on('exit', () => console.log('exit'));
setImmediate(() => console.log('never: unref immediate')).unref();
console.log('main');
