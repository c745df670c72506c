package traces

import (
	"bytes"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
)

// corpusLines returns the event lines of the version 2 traces in testdata.
func corpusLines(t testing.TB) [][]byte {
	t.Helper()
	files, err := filepath.Glob("testdata/*.jsonl")
	if err != nil || len(files) == 0 {
		t.Fatalf("no traces in testdata: %v", err)
	}
	var lines [][]byte
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		all := bytes.Split(bytes.TrimSuffix(data, []byte("\n")), []byte("\n"))
		lines = append(lines, all[1:]...)
	}
	return lines
}

// fastAgrees fails t unless decodeFast declines line or decodes it as decodeSlow
// does.
func fastAgrees(t *testing.T, line []byte) bool {
	t.Helper()
	fast, ok := decodeFast(line)
	if !ok {
		return false
	}
	slow, err := decodeSlow(line)
	if err != nil {
		t.Fatalf("decodeFast took %s, which decodeSlow rejects: %v", line, err)
	}
	if fast != slow {
		t.Fatalf("decodeFast(%s) = %+v, decodeSlow = %+v", line, fast, slow)
	}
	return true
}

// The fast path reads every line a Recorder writes with no escape in a string, and
// any line it takes it reads as the slow path does: the corpus, and lines made from it by changing, deleting,
// doubling and swapping bytes.
func TestDecodeFastAgreesWithSlow(t *testing.T) {
	lines := corpusLines(t)
	for _, line := range lines {
		if !fastAgrees(t, line) && !bytes.ContainsRune(line, '\\') {
			t.Errorf("decodeFast declines a line a Recorder wrote: %s", line)
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	alphabet := []byte(`{}[]",:.-+eE0123456789 \tnultrfasx` + "\x00\xff")
	taken := 0
	for k := 0; k < 200_000; k++ {
		line := append([]byte(nil), lines[rng.IntN(len(lines))]...)
		for range 1 + rng.IntN(2) {
			i := rng.IntN(len(line))
			switch rng.IntN(4) {
			case 0:
				line[i] = alphabet[rng.IntN(len(alphabet))]
			case 1:
				line = append(line[:i], line[i+1:]...)
			case 2:
				line = append(line[:i+1], line[i:]...)
			case 3:
				j := rng.IntN(len(line))
				line[i], line[j] = line[j], line[i]
			}
			if len(line) == 0 {
				line = []byte("{}")
			}
		}
		if fastAgrees(t, line) {
			taken++
		}
	}
	if taken == 0 {
		t.Errorf("decodeFast took none of the changed lines: the test tests nothing")
	}
}

// FuzzDecodeFast checks that the fast path takes only lines that the slow path
// reads the same.
func FuzzDecodeFast(f *testing.F) {
	for _, line := range corpusLines(f) {
		f.Add(line)
	}
	f.Fuzz(func(t *testing.T, line []byte) { fastAgrees(t, line) })
}

// BenchmarkDecode decodes the lines of the testdata traces, as a Decoder does.
func BenchmarkDecode(b *testing.B) {
	lines := corpusLines(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := decodeEvent(lines[i%len(lines)], Version); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecodeSlow is BenchmarkDecode on the encoding/json path alone.
func BenchmarkDecodeSlow(b *testing.B) {
	lines := corpusLines(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := decodeSlow(lines[i%len(lines)]); err != nil {
			b.Fatal(err)
		}
	}
}
