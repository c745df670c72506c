package nodeloop

import "github.com/nodeloop/nodeloop/internal/loopstate"

func init() {
	loopstate.Get = func(l any) any { return l.(*Loop).state }
	loopstate.Set = func(l any, v any) { l.(*Loop).state = v }
}
