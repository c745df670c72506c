'use strict';
// ledger: an append-only ledger served over TCP, one request a line.
//
//   append ID   writes the entry ID to the ledger and answers "ok ID" once the
//               entry is durable: written to DIR/ledger.log and fsynced.
//   count       answers "count N", the entries the ledger holds.
//
// The log is one JSON record a line, each written with a newline before and after
// it: so neither a record torn by a crash or a short write, nor the zeros a lost
// write leaves where a later one survived, runs into the record before or after
// it. On start the server reads back every whole record and skips the rest.
//
// The environment sets the port (PORT, 7000 by default), the log's directory
// (LEDGER_DIR, /data by default), and, for the simulator's showcase, a planted
// bug: LEDGER_BUG=ack-before-fsync answers "ok" as soon as the entry is written,
// before it is durable.
const fs = require('fs');
const net = require('net');

const DIR = process.env.LEDGER_DIR || '/data';
const LOG = DIR + '/ledger.log';
const PORT = Number(process.env.PORT || 7000);
const ackBeforeFsync = process.env.LEDGER_BUG === 'ack-before-fsync';

// Recovery: count the entries a crash left, and make the log and its name
// durable before the first request (a new file needs its directory synced too).
let fd = -1;
let entries = 0;
function recover() {
  let text = '';
  try {
    text = fs.readFileSync(LOG, 'utf8');
  } catch (e) {
    if (e.code !== 'ENOENT') throw e;
  }
  entries = 0;
  for (const line of text.split('\n')) {
    try {
      const rec = JSON.parse(line);
      if (rec && typeof rec.id === 'string') entries++;
    } catch (e) {
      // a torn record, zeros, or the empty line before the first
    }
  }
  fd = fs.openSync(LOG, 'a');
  fs.fsyncSync(fd);
  const dir = fs.openSync(DIR, 'r');
  try {
    fs.fsyncSync(dir);
  } finally {
    fs.closeSync(dir);
  }
}

function reply(sock, line) {
  if (!sock.destroyed) sock.write(line + '\n');
}

function append(sock, id) {
  const rec = '\n' + JSON.stringify({ id: id }) + '\n';
  fs.write(fd, rec, (err) => {
    if (err) {
      sock.destroy(); // nothing acknowledged: the client retries
      return;
    }
    if (ackBeforeFsync) reply(sock, 'ok ' + id);
    fs.fsync(fd, (err) => {
      if (err) {
        sock.destroy();
        return;
      }
      entries++;
      if (!ackBeforeFsync) reply(sock, 'ok ' + id);
    });
  });
}

const server = net.createServer((sock) => {
  sock.setEncoding('utf8');
  let buf = '';
  sock.on('data', (chunk) => {
    buf += chunk;
    for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
      const [cmd, id] = buf.slice(0, i).split(' ');
      buf = buf.slice(i + 1);
      if (cmd === 'append' && id) append(sock, id);
      else if (cmd === 'count') reply(sock, 'count ' + entries);
      else sock.end('error bad request\n');
    }
  });
  sock.on('error', () => {}); // a client gone: its requests are not acknowledged
});

// start recovers, then listens; a disk that fails recovery (EIO) is tried again
// after a while, as a supervisor would restart the service.
function start() {
  try {
    recover();
  } catch (e) {
    console.log('ledger: recovery failed with ' + e.code + '; again in 100 ms');
    if (fd >= 0) fs.closeSync(fd);
    fd = -1;
    setTimeout(start, 100);
    return;
  }
  server.listen(PORT, () => {
    console.log('ledger: listening on ' + PORT + ' with ' + entries + ' entries');
  });
}

start();
