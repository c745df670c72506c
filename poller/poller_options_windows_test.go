package poller_test

import "github.com/nodeloop/nodeloop/poller/pollertest"

// systemOptions are the suite options of the OS back end on this system: no
// unix-domain sockets.
func systemOptions() []pollertest.Option {
	return []pollertest.Option{pollertest.WithNetworks("tcp", "tcp4", "tcp6")}
}
