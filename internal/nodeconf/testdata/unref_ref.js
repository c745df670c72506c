// unref() then ref() keeps the loop alive again; an unref'd timer fires while
// something else keeps the loop alive, and not after.
process.on('exit', () => console.log('exit'));
const b = setTimeout(() => console.log('b: unref, 5 ms'), 5).unref();
console.log('b.hasRef ' + b.hasRef());
const a = setTimeout(() => console.log('a: unref then ref, 50 ms'), 50);
console.log('a.hasRef ' + a.unref().hasRef());
console.log('a.hasRef ' + a.ref().hasRef());
setTimeout(() => console.log('c: unref, 10 s'), 10000).unref();
console.log('main');
