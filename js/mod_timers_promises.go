package js

import _ "embed"

//go:embed lib/timers_promises.js
var timersPromisesSource string

func init() {
	registerModule(nativeModule{name: "timers/promises", file: "timers/promises", source: timersPromisesSource})
}
