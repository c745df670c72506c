package properties

import (
	"hash/maphash"
	"reflect"
	"testing"

	"github.com/nodeloop/nodeloop/traces"
)

// The hash that compares a case's two traces reads every field of an event: an
// event with any one field changed hashes differently.
func TestTraceHashReadsEveryField(t *testing.T) {
	seed := maphash.MakeSeed()
	sum := func(e traces.Event) uint64 {
		h := newTraceHash(seed)
		h.Event(&e)
		return h.Sum()
	}
	base := sum(traces.Event{})
	typ := reflect.TypeFor[traces.Event]()
	for i := range typ.NumField() {
		var e traces.Event
		f := reflect.ValueOf(&e).Elem().Field(i)
		switch f.Kind() {
		case reflect.String:
			f.SetString("x")
		case reflect.Bool:
			f.SetBool(true)
		case reflect.Int, reflect.Int64:
			f.SetInt(1)
		case reflect.Uint8, reflect.Uint64:
			f.SetUint(1)
		default:
			t.Fatalf("field %s has kind %v, which the test does not set", typ.Field(i).Name, f.Kind())
		}
		if sum(e) == base {
			t.Errorf("changing field %s leaves the hash as it was", typ.Field(i).Name)
		}
	}
}
