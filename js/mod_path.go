package js

import _ "embed"

//go:embed lib/path.js
var pathSource string

func init() {
	registerModule(nativeModule{name: "path", file: "path", source: pathSource})
}
