package properties

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"

	"github.com/nodeloop/nodeloop/sim"
)

// logged is the choice source of one Test case: it asks src and keeps every choice
// with more than one option, Test's own fault draws included, so that the case can
// be replayed from the log alone.
type logged struct {
	src interface{ Choose(string, int) int }
	log []sim.Choice
}

// Choose asks the source and logs the choice; a decision with one option is none.
func (c *logged) Choose(what string, n int) int {
	if n <= 1 {
		return 0
	}
	v := c.src.Choose(what, n)
	c.log = append(c.log, sim.Choice{What: what, N: n, Value: v})
	return v
}

// writeChoices writes log to the file name, one JSON object a line, as
// readChoices reads it back.
func writeChoices(name string, log []sim.Choice) error {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	for _, c := range log {
		if err := enc.Encode(c); err != nil {
			return err
		}
	}
	return os.WriteFile(name, b.Bytes(), 0o644)
}

// readChoices reads a choice log that writeChoices wrote: one {"what", "n",
// "value"} object a line, blank lines skipped. An error names the file and line.
func readChoices(name string) ([]sim.Choice, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var log []sim.Choice
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for line := 1; sc.Scan(); line++ {
		text := bytes.TrimSpace(sc.Bytes())
		if len(text) == 0 {
			continue
		}
		var c sim.Choice
		dec := json.NewDecoder(bytes.NewReader(text))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&c); err != nil {
			return nil, fmt.Errorf("%s:%d: not a choice: %v", name, line, err)
		}
		if c.What == "" || c.N < 2 || c.Value < 0 || c.Value >= c.N {
			return nil, fmt.Errorf("%s:%d: choice %q: want a name, n of at least 2 and a value in [0, n), got n %d, value %d", name, line, c.What, c.N, c.Value)
		}
		log = append(log, c)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return log, nil
}
