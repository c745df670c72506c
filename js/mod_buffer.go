package js

import (
	"bytes"
	_ "embed"
	"encoding/base64"
	"encoding/hex"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/dop251/goja"
)

//go:embed lib/buffer.js
var bufferSource string

func init() {
	registerModule(nativeModule{name: "buffer", file: "buffer", source: bufferSource, binding: (*Runtime).bufferBinding})
}

// bufferBinding adds the encodings of Buffer, which its JavaScript calls with an
// encoding name already normalised.
func (rt *Runtime) bufferBinding(set func(string, any)) {
	set("encode", func(call goja.FunctionCall) goja.Value {
		return rt.vm.ToValue(rt.vm.NewArrayBuffer(encodeString(call.Argument(0).String(), call.Argument(1).String())))
	})
	set("byteLength", func(call goja.FunctionCall) goja.Value {
		return rt.vm.ToValue(len(encodeString(call.Argument(0).String(), call.Argument(1).String())))
	})
	set("decode", func(call goja.FunctionCall) goja.Value {
		return rt.vm.ToValue(decodeBytes(bytesOf(call.Argument(0)), call.Argument(1).String()))
	})
	set("compare", func(call goja.FunctionCall) goja.Value {
		return rt.vm.ToValue(bytes.Compare(bytesOf(call.Argument(0)), bytesOf(call.Argument(1))))
	})
	set("indexOf", func(call goja.FunctionCall) goja.Value {
		hay, needle := bytesOf(call.Argument(0)), bytesOf(call.Argument(1))
		from := int(call.Argument(2).ToInteger())
		if from < 0 {
			from += len(hay)
		}
		if from < 0 {
			from = 0
		}
		if from > len(hay) {
			return rt.vm.ToValue(-1)
		}
		i := bytes.Index(hay[from:], needle)
		if i < 0 {
			return rt.vm.ToValue(-1)
		}
		return rt.vm.ToValue(i + from)
	})
}

// encodeString is s in the encoding enc, as Buffer.from(s, enc).
func encodeString(s, enc string) []byte {
	switch enc {
	case "hex":
		// Node decodes pairs of hex digits up to the first that is not one.
		n := 0
		for n+1 < len(s) && isHex(s[n]) && isHex(s[n+1]) {
			n += 2
		}
		out, _ := hex.DecodeString(s[:n])
		return out
	case "base64", "base64url":
		return decodeBase64(s)
	case "latin1", "ascii":
		units := utf16.Encode([]rune(s))
		out := make([]byte, len(units))
		for i, u := range units {
			out[i] = byte(u)
		}
		return out
	case "utf16le":
		units := utf16.Encode([]rune(s))
		out := make([]byte, 2*len(units))
		for i, u := range units {
			out[2*i], out[2*i+1] = byte(u), byte(u>>8)
		}
		return out
	}
	return []byte(s)
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// decodeBase64 decodes base64 or base64url as leniently as Node: characters of
// neither alphabet are skipped, padding is optional, decoding stops at '='.
func decodeBase64(s string) []byte {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '=':
			i = len(s)
		case c == '-':
			b.WriteByte('+')
		case c == '_':
			b.WriteByte('/')
		case 'A' <= c && c <= 'Z', 'a' <= c && c <= 'z', '0' <= c && c <= '9', c == '+', c == '/':
			b.WriteByte(c)
		}
	}
	clean := b.String()
	if len(clean)%4 == 1 {
		clean = clean[:len(clean)-1]
	}
	out, _ := base64.RawStdEncoding.DecodeString(clean)
	return out
}

// decodeBytes is b as a string of the encoding enc, as buf.toString(enc): invalid
// UTF-8 becomes U+FFFD.
func decodeBytes(b []byte, enc string) string {
	switch enc {
	case "hex":
		return hex.EncodeToString(b)
	case "base64":
		return base64.StdEncoding.EncodeToString(b)
	case "base64url":
		return base64.RawURLEncoding.EncodeToString(b)
	case "latin1":
		r := make([]rune, len(b))
		for i, c := range b {
			r[i] = rune(c)
		}
		return string(r)
	case "ascii":
		r := make([]rune, len(b))
		for i, c := range b {
			r[i] = rune(c & 0x7f)
		}
		return string(r)
	case "utf16le":
		units := make([]uint16, len(b)/2)
		for i := range units {
			units[i] = uint16(b[2*i]) | uint16(b[2*i+1])<<8
		}
		return string(utf16.Decode(units))
	}
	if utf8.Valid(b) {
		return string(b)
	}
	return string([]rune(string(b)))
}
