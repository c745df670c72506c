// The book's example program ("The Node Experiment", the small runtime nodeloop's
// design started from; nodeloop demo runs its Go version, which also shows the
// pool's threads and the loop's ticks) as a Node.js script that prints the same
// under `node demo.js` and `nodeloop run demo.js`: two 0 ms timeouts, reads of a
// text file and a CPU-bound job on the pool, a 3000 ms timeout whose callback sets
// a nested 500 ms one, a 1000 ms timeout, and an HTTP GET to a server that answers
// after 2 s (the script serves it itself).
//
// The book's program races its file reads against each other and against the 0 ms
// timeouts, so what it prints depends on the pool's timing (nodeloop sim demo sweeps
// those orders); this script chains them, so that every run prints the same.
'use strict';
const fs = require('fs');
const path = require('path');
const crypto = require('crypto');
const net = require('net');

const file = path.join(__dirname, 'test.txt');
const main = (msg) => console.log('Thread: main\t ' + msg);

// The slow server: it answers a request after 2 s, then closes.
const body = 'Hello from the slow server, after 2s.';
const server = net.createServer((sock) => {
  sock.once('data', () => {
    setTimeout(() => {
      sock.end('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: ' + body.length +
        '\r\nConnection: close\r\n\r\n' + body);
      server.close();
    }, 2000);
  });
});

server.listen(0, '127.0.0.1', () => {
  main('Registering immediate timeout 1');
  setTimeout(() => main('Immediate1 timed out'), 0);
  main('Registering immediate timeout 2');
  setTimeout(() => {
    main('Immediate2 timed out');
    main('First call to read test.txt');
    fs.readFile(file, 'utf8', (err, text) => {
      if (err) return main('error: ' + err.message);
      main(`First count: ${text.length} characters.`);
      main('I want to create a "magic" number based on the text.');
      // The book's "encryption", a job on the pool: a key derived from the text.
      crypto.pbkdf2(text, 'salt', 100000, 4, 'sha256', (err, key) => {
        if (err) return main('error: ' + err.message);
        main(`"Encrypted" number is: ${key.readUInt32BE(0)}`);
        main('Second call to read test.txt');
        fs.readFile(file, 'utf8', (err, text) => {
          if (err) return main('error: ' + err.message);
          main(`Second count: ${text.length} characters.`);
          main('Third call to read test.txt');
          fs.readFile(file, 'utf8', (err, text) => {
            if (err) return main('error: ' + err.message);
            main('===== file read =====');
            main(text);
            main('=====================');
          });
        });
      });
    });
  }, 0);

  main('Registering a 3000 and a 500 ms timeout');
  setTimeout(() => {
    main('3000ms timer timed out');
    setTimeout(() => main('500ms timer(nested) timed out'), 500);
  }, 3000);

  main('Registering a 1000 ms timeout');
  setTimeout(() => main('SETTIMEOUT'), 1000);

  main('Registering http get request to a slow server');
  const { port } = server.address();
  const conn = net.connect(port, '127.0.0.1', () => conn.write('GET / HTTP/1.1\r\nHost: localhost\r\n\r\n'));
  let reply = '';
  conn.setEncoding('utf8');
  conn.on('data', (chunk) => { reply += chunk; });
  conn.on('end', () => {
    main('===== web call =====');
    main(reply);
    main('====================');
  });
});
