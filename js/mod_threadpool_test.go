package js

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/nodeloop/nodeloop"
)

func TestThreadPoolSize(t *testing.T) {
	tests := []struct {
		env  string
		want int
	}{
		{"", nodeloop.DefaultWorkers},
		{"1", 1},
		{"8", 8},
		{"0", 1},
		{"abc", 1},
		{"  3x", 3},
		{"+2", 2},
		{"-1", nodeloop.MaxWorkers},
		{"5000", nodeloop.MaxWorkers},
		{"99999999999999999999", nodeloop.MaxWorkers},
	}
	for _, tt := range tests {
		if got := threadPoolSize(tt.env); got != tt.want {
			t.Errorf("threadPoolSize(%q) = %d, want %d", tt.env, got, tt.want)
		}
	}
}

// TestThreadPoolReadsEnvAtFirstJob checks that the pool takes its size from the
// script's process.env when the first job is submitted, not when it was made.
func TestThreadPoolReadsEnvAtFirstJob(t *testing.T) {
	tests := []struct {
		name, env, script string
		want              int
	}{
		{"set by the script", "UV_THREADPOOL_SIZE=7", "process.env.UV_THREADPOOL_SIZE = '2';\nrequire('crypto').pbkdf2('a', 'b', 1, 8, 'sha1', () => {});\n", 2},
		{"from the environment", "UV_THREADPOOL_SIZE=3", "require('fs').readFile(__filename, () => {});\n", 3},
		{"too late after the first job", "", "require('fs').readFile(__filename, () => {});\nprocess.env.UV_THREADPOOL_SIZE = '1';\nrequire('fs').readFile(__filename, () => {});\n", nodeloop.DefaultWorkers},
		{"no job", "UV_THREADPOOL_SIZE=2", "console.log('no pool');\n", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "main.js")
			if err := os.WriteFile(path, []byte(tt.script), 0o644); err != nil {
				t.Fatal(err)
			}
			pool := NewThreadPool()
			l, err := nodeloop.New(nodeloop.WithPool(pool))
			if err != nil {
				t.Fatal(err)
			}
			defer l.Close()
			rt, err := New(l, Config{Env: []string{tt.env}})
			if err != nil {
				t.Fatal(err)
			}
			pool.Bind(rt)
			if code, err := rt.RunMain(path); code != 0 || err != nil {
				t.Fatalf("RunMain: exit %d, %v", code, err)
			}
			if got := pool.Workers(); got != tt.want {
				t.Fatalf("the pool has %d workers, want %d", got, tt.want)
			}
		})
	}
}
