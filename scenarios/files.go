package scenarios

import (
	"embed"
	"io/fs"
)

//go:embed testdata/test.txt
var embedded embed.FS

// Files holds the files the scenarios read: test.txt, the text the demo counts and
// "encrypts".
var Files fs.FS = mustSub(embedded, "testdata")

func mustSub(fsys fs.FS, dir string) fs.FS {
	sub, err := fs.Sub(fsys, dir)
	if err != nil {
		panic(err)
	}
	return sub
}
