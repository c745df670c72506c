package js

import (
	"crypto/hmac"
	"crypto/md5"
	"crypto/pbkdf2"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	_ "embed"
	"hash"
	"strings"

	"github.com/dop251/goja"

	"github.com/nodeloop/nodeloop"
)

//go:embed lib/crypto.js
var cryptoSource string

func init() {
	registerModule(nativeModule{name: "crypto", file: "crypto", source: cryptoSource, binding: (*Runtime).cryptoBinding})
}

// digests are the hash functions createHash, createHmac and pbkdf2 know, by
// Node's names.
var digests = map[string]func() hash.Hash{
	"md5":    md5.New,
	"sha1":   sha1.New,
	"sha224": sha256.New224,
	"sha256": sha256.New,
	"sha384": sha512.New384,
	"sha512": sha512.New,
}

func digestOf(name string) func() hash.Hash {
	n := strings.ToLower(name)
	n = strings.ReplaceAll(n, "-", "")
	return digests[n]
}

// cryptoBinding adds hashing, key derivation on the pool and random bytes.
func (rt *Runtime) cryptoBinding(set func(string, any)) {
	set("hasDigest", func(name string) bool { return digestOf(name) != nil })
	set("hashNew", func(call goja.FunctionCall) goja.Value {
		h := digestOf(call.Argument(0).String())
		if key := call.Argument(1); !goja.IsUndefined(key) {
			return rt.vm.ToValue(hmac.New(h, append([]byte(nil), bytesOf(key)...)))
		}
		return rt.vm.ToValue(h())
	})
	set("hashUpdate", func(call goja.FunctionCall) goja.Value {
		h := call.Argument(0).Export().(hash.Hash)
		h.Write(bytesOf(call.Argument(1)))
		return goja.Undefined()
	})
	set("hashDigest", func(call goja.FunctionCall) goja.Value {
		h := call.Argument(0).Export().(hash.Hash)
		return rt.newBuffer(h.Sum(nil))
	})
	set("pbkdf2", func(call goja.FunctionCall) goja.Value {
		password := string(bytesOf(call.Argument(0)))
		salt := append([]byte(nil), bytesOf(call.Argument(1))...)
		iter := int(call.Argument(2).ToInteger())
		keyLen := int(call.Argument(3).ToInteger())
		h := digestOf(call.Argument(4).String())
		derive := func() ([]byte, error) {
			if keyLen == 0 {
				return []byte{}, nil
			}
			return pbkdf2.Key(h, password, salt, iter, keyLen)
		}
		fn, ok := goja.AssertFunction(call.Argument(5))
		if !ok {
			key, err := derive()
			if err != nil {
				panic(rt.newError("Error", err.Error()))
			}
			return rt.newBuffer(key)
		}
		nodeloop.Work(rt.loop, derive, func(key []byte, err error) {
			rt.callback(func() {
				if err != nil {
					rt.call(fn, goja.Undefined(), rt.newError("Error", err.Error()))
					return
				}
				rt.call(fn, goja.Undefined(), goja.Null(), rt.newBuffer(key))
			})
		})
		return goja.Undefined()
	})
	// The bytes are drawn at the call, on the loop's goroutine, from the runtime's
	// source (fillRandom): a simulated run draws them from its choices in the
	// order the script asks for them, whenever the pool runs the job.
	set("randomBytes", func(call goja.FunctionCall) goja.Value {
		b := make([]byte, int(call.Argument(0).ToInteger()))
		rt.fillRandom(b)
		fn, ok := goja.AssertFunction(call.Argument(1))
		if !ok {
			return rt.newBuffer(b)
		}
		nodeloop.Work(rt.loop, func() ([]byte, error) { return b, nil }, func(b []byte, _ error) {
			rt.callback(func() { rt.call(fn, goja.Undefined(), goja.Null(), rt.newBuffer(b)) })
		})
		return goja.Undefined()
	})
	set("fillRandom", func(call goja.FunctionCall) goja.Value {
		rt.fillRandom(bytesOf(call.Argument(0)))
		return goja.Undefined()
	})
}
