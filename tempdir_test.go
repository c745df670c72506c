package nodeloop_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// tempDir is t.TempDir, except under Wine. There the cleanup of t.TempDir fails:
// Go's os.RemoveAll deletes a file with FILE_DISPOSITION_POSIX_SEMANTICS, which Wine
// rejects with "Invalid function" (ERROR_INVALID_FUNCTION) instead of a status that
// makes Go fall back. Under Wine the directory is therefore made with os.MkdirTemp
// and removed entry by entry with os.Remove (DeleteFile and RemoveDirectory, which
// Wine implements), deepest first; a failure to remove it still fails the test.
func tempDir(t *testing.T) string {
	t.Helper()
	if !underWine() {
		return t.TempDir()
	}
	dir, err := os.MkdirTemp("", strings.ReplaceAll(t.Name(), "/", "_"))
	if err != nil {
		t.Fatalf("temporary directory: %v", err)
	}
	t.Cleanup(func() {
		if err := removeTree(dir); err != nil {
			t.Errorf("removing temporary directory %s: %v", dir, err)
		}
	})
	return dir
}

// removeTree removes dir and everything under it with os.Remove alone.
func removeTree(dir string) error {
	var paths []string
	err := filepath.WalkDir(dir, func(path string, _ fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		paths = append(paths, path)
		return nil
	})
	if err != nil {
		return err
	}
	// WalkDir visits a directory before its entries: remove in reverse.
	for _, p := range slices.Backward(paths) {
		if err := os.Remove(p); err != nil {
			return err
		}
	}
	return nil
}
