package traces_test

import (
	"bytes"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/nodeloop/nodeloop/traces"
)

// kinds returns every kind but KindInvalid.
func kinds() []traces.Kind {
	var ks []traces.Kind
	for k := traces.KindTick; ; k++ {
		if _, ok := traces.ParseKind(k.String()); !ok {
			return ks
		}
		ks = append(ks, k)
	}
}

// fields returns every Field.
func fields() []traces.Field {
	var fs []traces.Field
	for f := traces.FieldSource; ; f++ {
		if _, ok := traces.ParseField(f.String()); !ok {
			return fs
		}
		fs = append(fs, f)
	}
}

// setField sets e's field f to a value that is not zero when v is not 0 (and, for a
// few fields, when it is), chosen by v.
func setField(t testing.TB, e *traces.Event, f traces.Field, v int) {
	t.Helper()
	switch f {
	case traces.FieldSource:
		e.Source = traces.Source(v % 15)
	case traces.FieldHandle:
		e.Handle = uint64(v) * 1_000_003
	case traces.FieldWorker:
		e.Worker = v
	case traces.FieldStarted:
		e.Started = time.Duration(v) * 1_234_567
	case traces.FieldTimeout:
		e.Timeout = time.Duration(v - 1)
	case traces.FieldCompletions:
		e.Completions = v
	case traces.FieldItems:
		e.Items = v * 3
	case traces.FieldActive:
		e.Active = v != 0
	case traces.FieldCanceled:
		e.Canceled = v != 0
	case traces.FieldStopped:
		e.Stopped = v != 0
	case traces.FieldMode:
		e.Mode = []string{"", "run", "once"}[v%3]
	case traces.FieldDelay:
		e.Delay = time.Duration(v) * time.Millisecond
	case traces.FieldDeadline:
		e.Deadline = time.Duration(v) * 7 * time.Millisecond
	case traces.FieldRepeat:
		e.Repeat = time.Duration(v) * 5 * time.Millisecond
	case traces.FieldOp:
		e.Op = []string{"", "read", "write \"x\""}[v%3]
	case traces.FieldBytes:
		e.Bytes = v * 4096
	case traces.FieldErr:
		e.Err = strings.Repeat("boom\n", v)
	case traces.FieldMsg:
		e.Msg = strings.Repeat("</script> é ", v)
	case traces.FieldChoice:
		e.Choice = strings.Repeat("pool.duration", v)
	case traces.FieldOptions:
		e.Options = v * 4901
	case traces.FieldPick:
		e.Pick = v * 17
	case traces.FieldInput:
		e.Input = strings.Repeat("wait", v)
	case traces.FieldValue:
		e.Value = strings.Repeat(`{"ns":5}`, v)
	case traces.FieldHost:
		e.Host = strings.Repeat("db1", v)
	case traces.FieldName:
		e.Name = strings.Repeat("<anonymous>", v)
	case traces.FieldSite:
		e.Site = strings.Repeat("app.js:12", v)
	case traces.FieldFrom:
		e.From = strings.Repeat("c1", v)
	case traces.FieldTo:
		e.To = strings.Repeat("server", v)
	case traces.FieldSent:
		e.Sent = time.Duration(v) * 3 * time.Millisecond
	case traces.FieldSegment:
		e.Segment = []string{"", "data", "reset"}[v%3]
	default:
		t.Fatalf("setField has no value for field %s", f)
	}
}

// record writes events through a Recorder and decodes them back.
func record(t *testing.T, events ...traces.Event) ([]byte, []traces.Event, error) {
	t.Helper()
	var buf bytes.Buffer
	r := traces.NewRecorder(&buf, traces.NewHeader("sim"))
	for _, e := range events {
		r.Event(&e)
	}
	if err := r.Flush(); err != nil {
		t.Fatal(err)
	}
	_, got, err := traces.Decode(bytes.NewReader(buf.Bytes()))
	return buf.Bytes(), got, err
}

// Every field of every kind round-trips through the Recorder and the Decoder, alone
// and all together, zero or not; a field the kind always writes is there when zero.
func TestKindFieldsRoundTrip(t *testing.T) {
	for _, k := range kinds() {
		all := traces.Event{Seq: 1, Kind: k, Tick: 3, ID: 4, Pending: 5, Time: 6}
		for _, f := range k.Fields() {
			setField(t, &all, f, 2)
			for v := range 3 {
				e := traces.Event{Seq: 1, Kind: k, Tick: 3, ID: 4, Pending: 5, Time: 6}
				setField(t, &e, f, v)
				data, got, err := record(t, e)
				if err != nil {
					t.Fatalf("%s %s=%v: %v\n%s", k, f, e.Get(f), err, data)
				}
				if len(got) != 1 || got[0] != e {
					t.Fatalf("%s %s=%v: decoded %+v, want %+v\n%s", k, f, e.Get(f), got, e, data)
				}
				written := bytes.Contains(data, []byte(`"`+f.String()+`":`))
				if want := k.Always(f) || !e.IsZero(f); written != want {
					t.Fatalf("%s %s=%v: written %v, want %v\n%s", k, f, e.Get(f), written, want, data)
				}
			}
		}
		if data, got, err := record(t, all); err != nil || len(got) != 1 || got[0] != all {
			t.Fatalf("%s with every field: decoded %+v, %v; want %+v\n%s", k, got, err, all, data)
		}
	}
}

// A field that a kind does not carry is not recorded, and a line that has it does
// not decode: the error names the line and the field.
func TestKindFieldsRejected(t *testing.T) {
	for _, k := range kinds() {
		for _, f := range fields() {
			if k.Has(f) {
				continue
			}
			e := traces.Event{Seq: 1, Kind: k}
			setField(t, &e, f, 1)
			if f == traces.FieldSource {
				e.Source = traces.SourceTimer
			}
			data, got, err := record(t, e)
			if err != nil || len(got) != 1 || !got[0].IsZero(f) {
				t.Fatalf("%s with %s: recorded %+v, %v\n%s", k, f, got, err, data)
			}
			line := traces.AppendJSON(nil, &traces.Event{Seq: 1, Kind: k})
			value := `1`
			switch e.Get(f).(type) {
			case string, traces.Source:
				value = `"timer"`
			case bool:
				value = `true`
			}
			bad := fmt.Sprintf(`%s,"%s":%s}`, line[:len(line)-1], f, value)
			header := `{"format":"nodeloop-trace","version":2,"mode":"sim","go":"go","module":"m"}`
			_, _, err = traces.Decode(strings.NewReader(header + "\n" + bad + "\n"))
			var le *traces.LineError
			if !errors.As(err, &le) || le.Line != 2 || !strings.Contains(err.Error(), `"`+f.String()+`"`) {
				t.Fatalf("%s: decoding %s gave %v, want an error naming line 2 and the field", k, bad, err)
			}
		}
	}
}

// Every optional field of Event is one Field, named after it, in the same order.
func TestFieldsAreEventFields(t *testing.T) {
	typ := reflect.TypeFor[traces.Event]()
	var names []string
	for i := range typ.NumField() {
		if i >= 7 { // Seq, Tick, Phase, Kind, ID, Pending and Time come first
			names = append(names, strings.ToLower(typ.Field(i).Name))
		}
	}
	var fs []string
	for _, f := range fields() {
		fs = append(fs, f.String())
	}
	if got, want := strings.Join(fs, " "), strings.Join(names, " "); got != want {
		t.Fatalf("the fields are\n  %s\nbut Event's optional fields are\n  %s", got, want)
	}
}

// The documentation of the kinds says what the table says: each Kind constant's
// comment ends with its fields in parentheses, and the package documentation lists
// them in its table.
func TestKindFieldsDocumented(t *testing.T) {
	fset := token.NewFileSet()
	file, err := parser.ParseFile(fset, "event.go", nil, parser.ParseComments)
	if err != nil {
		t.Fatal(err)
	}
	list := regexp.MustCompile(`\(([a-z, ]+)\)\s*$`)
	seen := map[string]bool{}
	ast.Inspect(file, func(n ast.Node) bool {
		vs, ok := n.(*ast.ValueSpec)
		if !ok || len(vs.Names) != 1 || !strings.HasPrefix(vs.Names[0].Name, "Kind") || vs.Comment == nil {
			return true
		}
		name := vs.Names[0].Name
		var k traces.Kind
		for _, c := range kinds() {
			if camel(c.String()) == strings.TrimPrefix(name, "Kind") {
				k = c
			}
		}
		if k == traces.KindInvalid {
			return true
		}
		seen[name] = true
		if !k.Has(traces.FieldHost) {
			t.Errorf("%s does not carry the host; every kind does", name)
		}
		var want []string
		for _, f := range ownFields(k) {
			want = append(want, f.String())
		}
		got := ""
		if m := list.FindStringSubmatch(vs.Comment.Text()); m != nil {
			got = m[1]
		}
		if got != strings.Join(want, ", ") {
			t.Errorf("%s's comment lists (%s), the table (%s)", name, got, strings.Join(want, ", "))
		}
		return true
	})
	if len(seen) < len(kinds())-3 {
		t.Fatalf("found the comments of only %d kinds", len(seen))
	}

	doc, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	var table strings.Builder
	for _, k := range kinds() {
		if len(ownFields(k)) == 0 {
			continue
		}
		var fs []string
		for _, f := range ownFields(k) {
			s := f.String()
			if k.Always(f) {
				s += "*"
			}
			fs = append(fs, s)
		}
		fmt.Fprintf(&table, "//\t%-16s %s\n", k, strings.Join(fs, " "))
	}
	if !bytes.Contains(doc, []byte(table.String())) {
		t.Errorf("doc.go does not hold the table of kinds; it should read:\n%s", table.String())
	}
}

// ownFields returns the fields of kind k but the host, which every kind carries and
// the documentation states once rather than in every kind's list.
func ownFields(k traces.Kind) []traces.Field {
	var fs []traces.Field
	for _, f := range k.Fields() {
		if f != traces.FieldHost {
			fs = append(fs, f)
		}
	}
	return fs
}

// camel turns a kind's trace name into its Go name: timer_start, TimerStart.
func camel(s string) string {
	var b strings.Builder
	for _, w := range strings.Split(s, "_") {
		b.WriteString(strings.ToUpper(w[:1]) + w[1:])
	}
	return b.String()
}
