// Error.captureStackTrace gives any object a stack of where it was called,
// headed by its name and message, and leaves out the frames from a given
// function's up.
'use strict';

function where() {
  const o = { name: 'Custom', message: 'made here' };
  Error.captureStackTrace(o);
  return o;
}
const o = where();
const lines = o.stack.split('\n');
console.log(lines[0]);
console.log('names where:', lines.some((l) => /^\s+at where /.test(l)));
console.log('own property:', Object.prototype.hasOwnProperty.call(o, 'stack'));

function hidden() {
  const p = {};
  Error.captureStackTrace(p, hidden);
  return p;
}
function caller() { return hidden(); }
const p = caller();
console.log(p.stack.split('\n')[0]);
console.log('leaves out hidden:', !/\bhidden\b/.test(p.stack), 'keeps caller:', /\bcaller\b/.test(p.stack));

class ErrorLike {
  constructor() {
    Error.captureStackTrace(this);
    this.message = 'ErrorLike';
  }
}
console.log(new ErrorLike().stack.split('\n')[0]);
try {
  Error.captureStackTrace(1);
} catch (err) {
  console.log(err.name);
}
