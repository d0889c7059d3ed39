package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"sync"
)

// pretty indents JSON, and the JSON body of an API Gateway response too.
// It never escapes <, > and & (json.Marshal's default), so a Message-ID
// prints as <…@gmail.com>, not \u003c…\u003e.
func pretty(b []byte) string {
	var v any
	if json.Unmarshal(b, &v) != nil {
		return string(b)
	}
	if m, ok := v.(map[string]any); ok {
		if body, ok := m["body"].(string); ok {
			var inner any
			if json.Unmarshal([]byte(body), &inner) == nil {
				m["body"] = inner
			}
		}
	}
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return string(b)
	}
	return strings.TrimSuffix(out.String(), "\n")
}

type prefixWriter struct {
	w      io.Writer
	prefix string
}

// prefixed marks every line written through it, so the function's log
// lines are told apart from localrun's own output.
func prefixed(w io.Writer, p string) io.Writer { return &prefixWriter{w, p} }

func (p *prefixWriter) Write(b []byte) (int, error) {
	for _, line := range strings.SplitAfter(string(b), "\n") {
		if line != "" {
			fmt.Fprint(p.w, p.prefix+line)
		}
	}
	return len(b), nil
}

// syncBuffer collects the function's output while localrun reads it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
