package sim_test

import (
	"fmt"
	"io/fs"

	"github.com/nodeloop/nodeloop"
	"github.com/nodeloop/nodeloop/sim"
)

// A program replaces a file the safe way (write a temporary file, sync it, rename it
// over the old one, sync the directory) and appends to a log it never syncs; a power
// cut at the end keeps the new file and, under the calm choices, loses the log's
// unsynced line.
func ExampleDisk_Crash() {
	disk, err := sim.NewDisk(sim.DiskOptions{})
	if err != nil {
		panic(err)
	}
	res, err := sim.Run(sim.Config{Seed: 1, FS: disk}, func(l *nodeloop.Loop) {
		check := func(err error) {
			if err != nil {
				panic(err)
			}
		}
		l.WriteFile("config.tmp", []byte("v2"), func(err error) {
			check(err)
			l.Fsync("config.tmp", func(err error) {
				check(err)
				l.Rename("config.tmp", "config", func(err error) {
					check(err)
					l.Fsync(".", func(err error) {
						check(err)
						l.AppendFile("config", []byte(" and a line"), check)
					})
				})
			})
		})
	})
	if err != nil {
		panic(err)
	}
	before, _ := fs.ReadFile(res.Disk, "config")
	after, _ := fs.ReadFile(res.Disk.Crash(), "config")
	fmt.Printf("before the crash: %q\n", before)
	fmt.Printf("after the crash:  %q\n", after)
	// Output:
	// before the crash: "v2 and a line"
	// after the crash:  "v2"
}
