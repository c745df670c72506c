// CommonJS: relative requires of .js, .json and folders, caching, module-level this.
const a = require('./lib/dir');
const b = require('./lib/dir.js');
console.log(a === b, typeof a.dir);
console.log(require('./lib/data.json').list, require('./lib/data').dir);
console.log(require('./lib') === require('./lib/index.js'));
for (const name of ['leftpad', './missing']) {
  try {
    require(name);
  } catch (e) {
    console.log(e.code, e.message.split('\n')[0]);
  }
}
console.log(typeof require('node:events'), typeof require('node:timers').setImmediate);
