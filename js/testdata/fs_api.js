// fs: callbacks on the pool in the poll phase, promises, Sync forms, descriptors and
// Node's errors.
const fs = require('fs');
const fsp = require('fs/promises');
const dir = __dirname + '/tmp_fs_api';
function clean() {
  if (!fs.existsSync(dir)) return;
  for (const name of fs.readdirSync(dir)) fs.unlinkSync(dir + '/' + name);
  fs.rmdirSync(dir);
}
clean();
console.log('exists before', fs.existsSync(dir));
fs.mkdirSync(dir);
fs.writeFileSync(dir + '/a.txt', 'alpha\n');
console.log('sync read', JSON.stringify(fs.readFileSync(dir + '/a.txt', 'utf8')), fs.readFileSync(dir + '/a.txt'));
const st = fs.statSync(dir + '/a.txt');
console.log('statSync', st.isFile(), st.isDirectory(), st.size, typeof st.mtimeMs, st.mtime instanceof Date);
console.log('dir stat', fs.statSync(dir).isDirectory(), fs.statSync(dir + '/none', { throwIfNoEntry: false }));
console.log('readdirSync', fs.readdirSync(dir));
fs.writeSync(1, 'to stdout via writeSync\n');
fs.writeSync(2, Buffer.from('to stderr via writeSync\n'));
try { fs.readFileSync(dir + '/missing'); } catch (e) {
  console.log('sync error', e.code, e.errno, e.syscall, e.path === dir + '/missing', e.message.replace(dir, 'DIR'));
}
try { fs.mkdirSync(dir); } catch (e) { console.log('mkdir again', e.code, e.syscall, e.message.replace(dir, 'DIR')); }
fs.readFile(dir + '/a.txt', 'utf8', (err, data) => {
  console.log('readFile', err, JSON.stringify(data));
  setImmediate(() => console.log('immediate from read'));
  process.nextTick(() => console.log('tick from read'));
  setImmediate(step2);
});
console.log('main done');

function step2() {
  fs.writeFile(dir + '/b.txt', Buffer.from('bravo'), (err) => {
    console.log('writeFile', err);
    fs.appendFile(dir + '/b.txt', ' charlie', (err) => {
      console.log('appendFile', err, fs.readFileSync(dir + '/b.txt', 'utf8'));
      fs.stat(dir + '/b.txt', (err, s) => {
        console.log('stat', err, s.isFile(), s.size);
        fs.access(dir + '/b.txt', fs.constants.R_OK, (err) => {
          console.log('access', err);
          fs.access(dir + '/zzz', (err) => {
            console.log('access missing', err.code, err.syscall, err.message.replace(dir, 'DIR'));
            fs.readdir(dir, { withFileTypes: true }, (err, ents) => {
              console.log('readdir', err, ents.map((e) => e.name + ':' + e.isFile()));
              fs.rename(dir + '/b.txt', dir + '/c.txt', (err) => {
                console.log('rename', err, fs.readdirSync(dir));
                fs.rename(dir + '/none', dir + '/x', (err) => {
                  console.log('rename missing', err.code, err.message.replace(dir, 'DIR').replace(dir, 'DIR'), err.dest === dir + '/x');
                  step3();
                });
              });
            });
          });
        });
      });
    });
  });
}

function step3() {
  fs.open(dir + '/d.txt', 'w+', (err, fd) => {
    console.log('open', err, typeof fd);
    fs.write(fd, 'hello descriptor', (err, n) => {
      console.log('write', err, n);
      const buf = Buffer.alloc(10);
      fs.read(fd, buf, 0, 5, 6, (err, n, b) => {
        console.log('read', err, n, b === buf, buf.toString('utf8', 0, n));
        fs.close(fd, (err) => {
          console.log('close', err);
          fs.close(fd, (err) => {
            console.log('close again', err.code, err.syscall, err.message);
            fs.readFile(dir + '/missing', (err, data) => {
              console.log('readFile missing', err.code, err.errno, err.syscall, data, err.message.replace(dir, 'DIR'));
              console.log(err);
              fs.unlink(dir + '/d.txt', (err) => {
                console.log('unlink', err, fs.existsSync(dir + '/d.txt'));
                step4();
              });
            });
          });
        });
      });
    });
  });
}

async function step4() {
  await fsp.writeFile(dir + '/e.txt', 'echo');
  console.log('promises readFile', await fsp.readFile(dir + '/e.txt', 'utf8'));
  console.log('promises stat', (await fs.promises.stat(dir + '/e.txt')).size);
  try { await fsp.readFile(dir + '/nope'); } catch (e) { console.log('promises error', e.code, e instanceof Error); }
  const fh = await fsp.open(dir + '/e.txt', 'r');
  const { bytesRead, buffer } = await fh.read(Buffer.alloc(4), 0, 4, 0);
  console.log('filehandle read', bytesRead, buffer.toString());
  await fh.close();
  await fsp.mkdir(dir + '/sub/deeper', { recursive: true });
  console.log('promises readdir', await fsp.readdir(dir));
  await fsp.unlink(dir + '/e.txt');
  fs.rmdirSync(dir + '/sub/deeper');
  fs.rmdirSync(dir + '/sub');
  clean();
  console.log('cleaned', fs.existsSync(dir));
}
