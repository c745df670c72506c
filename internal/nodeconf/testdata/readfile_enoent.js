// A missing file is reported asynchronously, to the callback, as ENOENT.
const fs = require('fs');
const path = require('path');
fs.readFile(path.join(__dirname, 'missing.txt'), (err) => {
  console.log('error ' + err.code);
});
console.log('after readFile call');
