package nodeloop

import "os"

// syncPath flushes the named file to the disk (FlushFileBuffers, which needs a
// handle opened for writing). A directory cannot be flushed on Windows; NTFS
// journals its entries, so syncing one does nothing.
func syncPath(name string) error {
	fi, err := os.Stat(name)
	if err != nil {
		return err
	}
	if fi.IsDir() {
		return nil
	}
	f, err := os.OpenFile(name, os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
