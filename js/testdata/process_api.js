// The process object's basics, and the CommonJS module's own names.
console.log(process.argv.length, typeof process.argv[0], process.argv[1].endsWith('process_api.js'));
console.log(typeof process.env, process.platform === require('process').platform);
console.log(process.version.startsWith('v20.'), typeof process.versions.node);
const t = process.hrtime();
console.log(Array.isArray(t), t.length, typeof t[0], typeof t[1]);
const d = process.hrtime(t);
console.log(d[0] >= 0, d[1] >= 0);
console.log(typeof process.hrtime.bigint(), process.hrtime.bigint() > 0n);
console.log(typeof process.uptime(), process.uptime() >= 0);
console.log(typeof performance.now(), performance.now() >= 0);
console.log(module.exports === exports, this === module.exports, require.main === module);
console.log(__filename.endsWith('process_api.js'), __dirname === require('./lib/dir.js').dir);
