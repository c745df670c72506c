package nodeloop_test

import "golang.org/x/sys/windows"

// underWine reports whether the test runs under Wine rather than Windows: Wine's
// ntdll.dll exports wine_get_version, which no Windows ntdll has.
func underWine() bool {
	return windows.NewLazySystemDLL("ntdll.dll").NewProc("wine_get_version").Find() == nil
}
