package bench

import (
	"bufio"
	"net"
	"strings"
	"testing"
)

func TestHTTPFirstResponse(t *testing.T) {
	for _, tc := range []struct {
		name, in, err string
	}{
		{"the nodeloop server's", httpResponse, ""},
		{"with more headers", "HTTP/1.1 200 OK\r\nConnection: keep-alive\r\ncontent-length: 14\r\n\r\n" + httpBody, ""},
		{"not found", "HTTP/1.1 404 Not Found\r\nContent-Length: 14\r\n\r\n" + httpBody, "status line"},
		{"no length", "HTTP/1.1 200 OK\r\n\r\n" + httpBody, "Content-Length -1"},
		{"a bad length", "HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n" + httpBody, `Content-Length " x"`},
		{"another body", "HTTP/1.1 200 OK\r\nContent-Length: 14\r\n\r\nHello, world?\n", "body"},
		{"cut short", "HTTP/1.1 200 OK\r\nContent-Length: 14\r\n\r\nHello", "reading the body"},
		{"a header without end", "HTTP/1.1 200 OK\r\n" + strings.Repeat("X-A: b\r\n", 1000), "longer than"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := httpFirstResponse(bufio.NewReader(strings.NewReader(tc.in)))
			if tc.err == "" {
				if err != nil || string(got) != tc.in {
					t.Fatalf("got %q, %v; want %q, nil", got, err, tc.in)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Fatalf("got %q, %v; want an error containing %q", got, err, tc.err)
			}
		})
	}
}

// TestHTTPClientChecks serves the client a second response that differs from the
// first by one byte: the client must say so.
func TestHTTPClientChecks(t *testing.T) {
	client, server := net.Pipe()
	defer client.Close()
	go func() {
		defer server.Close()
		br := bufio.NewReader(server)
		for _, resp := range []string{httpResponse, strings.Replace(httpResponse, "world", "World", 1)} {
			for {
				line, err := br.ReadString('\n')
				if err != nil {
					return
				}
				if line == "\r\n" {
					break
				}
			}
			if _, err := server.Write([]byte(resp)); err != nil {
				return
			}
		}
	}()
	err := httpClient(client, 2)
	if err == nil || !strings.Contains(err.Error(), "response 1 is") {
		t.Fatalf("httpClient = %v, want an error about response 1", err)
	}
}
