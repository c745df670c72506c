//go:build !windows

package nodeloop

import "os"

// syncPath flushes the named file or directory to the disk: fsync(2) on a
// descriptor opened for reading, which flushes the file's data whoever wrote it (on
// macOS, os.File.Sync asks for F_FULLFSYNC).
func syncPath(name string) error {
	f, err := os.Open(name)
	if err != nil {
		return err
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
