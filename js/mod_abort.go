package js

import _ "embed"

//go:embed lib/abort.js
var abortSource string

func init() {
	registerModule(nativeModule{name: "internal/abort", file: "internal/abort", source: abortSource})
}
