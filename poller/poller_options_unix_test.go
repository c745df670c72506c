//go:build !windows

package poller_test

import "github.com/nodeloop/nodeloop/poller/pollertest"

// systemOptions are the suite options of the OS back end on this system.
func systemOptions() []pollertest.Option { return nil }
