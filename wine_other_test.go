//go:build !windows

package nodeloop_test

// underWine reports whether the test runs under Wine; only a Windows binary can.
func underWine() bool { return false }
