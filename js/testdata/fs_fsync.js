// fs: fsync and fdatasync of a file and of its directory, in every form, and the
// error of a descriptor that is not open.
const fs = require('fs');
const fsp = require('fs/promises');
const dir = __dirname + '/tmp_fs_fsync';
const file = dir + '/log';
if (fs.existsSync(file)) fs.unlinkSync(file);
if (fs.existsSync(dir)) fs.rmdirSync(dir);
fs.mkdirSync(dir);
const fd = fs.openSync(file, 'a');
fs.writeSync(fd, 'one\n');
console.log('fsyncSync', fs.fsyncSync(fd));
console.log('fdatasyncSync', fs.fdatasyncSync(fd));
const dfd = fs.openSync(dir, 'r');
console.log('directory fsyncSync', fs.fsyncSync(dfd));
fs.closeSync(dfd);
try { fs.fsyncSync(12345); } catch (e) { console.log('bad fd', e.code, e.syscall, e.message); }
try { fs.fsync(fd); } catch (e) { console.log('no callback', e.code); }
fs.write(fd, 'two\n', (err) => {
  console.log('write', err);
  fs.fsync(fd, (err) => {
    console.log('fsync', err);
    fs.fdatasync(fd, (err) => {
      console.log('fdatasync', err);
      fs.fsync(12345, (err) => {
        console.log('bad fd callback', err.code, err.syscall, err.message);
        fs.closeSync(fd);
        fsp.open(file, 'a').then(async (h) => {
          await h.write('three\n');
          console.log('FileHandle.sync', await h.sync());
          console.log('FileHandle.datasync', await h.datasync());
          await h.close();
          console.log(JSON.stringify(fs.readFileSync(file, 'utf8')));
          fs.unlinkSync(file);
          fs.rmdirSync(dir);
        });
      });
    });
  });
});
