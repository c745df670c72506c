package traces_test

import (
	"strings"
	"testing"
	"time"

	"github.com/nodeloop/nodeloop/traces"
)

// A version 2 world trace written before messages were recorded decodes as it did,
// and one with a message event decodes it with its hosts, its times and its
// segment; another kind with a message's field is refused, naming the line.
func TestMessageEventVersion2(t *testing.T) {
	const header = `{"format":"nodeloop-trace","version":2,"mode":"sim","go":"go","module":"m","hosts":["server","c1"]}`
	old := header + "\n" +
		`{"seq":1,"tick":0,"phase":"main","kind":"callback","id":1,"pending":0,"t":0,"source":"main","host":"server"}` + "\n" +
		`{"seq":1,"tick":0,"phase":"main","kind":"log","id":0,"pending":0,"t":0,"msg":"crash c1"}` + "\n"
	h, events, err := traces.Decode(strings.NewReader(old))
	if err != nil || len(events) != 2 || h.Version != 2 || events[0].Host != "server" || events[1].Msg != "crash c1" {
		t.Fatalf("the old world trace decoded to %+v %+v, %v", h, events, err)
	}
	msg := `{"seq":2,"tick":0,"phase":"main","kind":"message","id":7,"pending":0,"t":3000000,"bytes":4,"from":"c1","to":"server","sent":1000000,"segment":"data"}`
	_, events, err = traces.Decode(strings.NewReader(old + msg + "\n"))
	if err != nil || len(events) != 3 {
		t.Fatalf("with a message: %d events, %v", len(events), err)
	}
	want := traces.Event{Seq: 2, Kind: traces.KindMessage, ID: 7, Time: 3 * time.Millisecond, Bytes: 4, From: "c1", To: "server", Sent: time.Millisecond, Segment: "data"}
	if got := events[2]; got != want {
		t.Fatalf("the message decoded to %+v, want %+v", got, want)
	}
	bad := `{"seq":2,"tick":0,"phase":"main","kind":"log","id":0,"pending":0,"t":0,"msg":"x","from":"c1"}`
	_, _, err = traces.Decode(strings.NewReader(old + bad + "\n"))
	if err == nil || !strings.Contains(err.Error(), "trace line 4") || !strings.Contains(err.Error(), `"from"`) {
		t.Fatalf("a log with a from decoded with %v; want an error naming line 4 and the field", err)
	}
}
