// fs.readFile runs on the thread pool and calls back later, with the contents.
const fs = require('fs');
fs.readFile(__filename, 'utf8', (err, data) => {
  console.log('read error ' + err);
  console.log('first line: ' + data.split('\n')[0]);
  console.log('bytes ' + Buffer.byteLength(data));
});
console.log('main');
