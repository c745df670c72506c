package poller_test

import (
	"errors"
	"testing"

	"github.com/nodeloop/nodeloop/poller"
	"github.com/nodeloop/nodeloop/poller/pollertest"
)

// openSystem is the open function of the conformance suite for the OS back end.
func openSystem(t *testing.T) poller.Poller {
	t.Helper()
	p, err := poller.New()
	if errors.Is(err, errors.ErrUnsupported) {
		t.Skipf("no poller on this system: %v", err)
	}
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return p
}

func TestSystem(t *testing.T) {
	pollertest.Run(t, openSystem, systemOptions()...)
}

func TestOpKindString(t *testing.T) {
	for k, want := range map[poller.OpKind]string{
		0: "invalid", poller.Accept: "accept", poller.Connect: "connect",
		poller.Read: "read", poller.Write: "write", 200: "invalid",
	} {
		if got := k.String(); got != want {
			t.Errorf("OpKind(%d).String() = %q; want %q", k, got, want)
		}
	}
}
