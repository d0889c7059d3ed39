package jsonscan_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/gmailsend/gmailsend/internal/jsonscan"
)

// TestSkipFindsEveryValue ensures Skip ends each element of an array where
// encoding/json does: it re-encodes every span and compares it with the
// element decoded from the whole document.
func TestSkipFindsEveryValue(t *testing.T) {
	doc := `[ "a\"b\\", "\\\\\"", "", {"k":[1,{"x":"]}"},null]}, [], {}, -1.5e3, 0, true, false, null,
	  "한글 \u0041", {"nested":{"deep":[[["\""]]]}} ]`
	var want []json.RawMessage
	if err := json.Unmarshal([]byte(doc), &want); err != nil {
		t.Fatal(err)
	}
	s := jsonscan.Scanner{B: []byte(doc)}
	s.Next() // [
	var got []string
	for s.Peek() != ']' {
		start := s.I
		s.Skip()
		got = append(got, doc[start:s.I])
		s.SkipComma()
	}
	if len(got) != len(want) {
		t.Fatalf("found %d values, want %d: %q", len(got), len(want), got)
	}
	for i := range got {
		var a, b any
		if err := json.Unmarshal([]byte(got[i]), &a); err != nil {
			t.Fatalf("span %d %q is not a value: %v", i, got[i], err)
		}
		_ = json.Unmarshal(want[i], &b)
		ja, _ := json.Marshal(a)
		jb, _ := json.Marshal(b)
		if string(ja) != string(jb) {
			t.Errorf("span %d = %s, want %s", i, got[i], want[i])
		}
	}
}

// TestStrAndUnquote ensures strings end at the right quote however many
// backslashes precede it, and unquote as encoding/json does.
func TestStrAndUnquote(t *testing.T) {
	for _, v := range []string{`x`, `a"b`, `a\b`, `\`, `\\"`, `"`, `user`, "\u0075ser", "한글", "\xed\xa0\x80"} {
		quoted, _ := json.Marshal(v)
		in := string(quoted) + ` , "next"`
		s := jsonscan.Scanner{B: []byte(in)}
		got := s.Str()
		if string(got) != string(quoted) {
			t.Errorf("Str of %s = %s", quoted, got)
		}
		var want string
		_ = json.Unmarshal(quoted, &want)
		if u := jsonscan.Unquote(got); u != want {
			t.Errorf("Unquote(%s) = %q, want %q", got, u, want)
		}
		s.SkipComma()
		if n := s.Str(); string(n) != `"next"` {
			t.Errorf("after %s the scanner is at %q", quoted, n)
		}
	}
	if u := jsonscan.Unquote([]byte("\"a\xffb\"")); u != "a\uFFFDb" {
		t.Errorf("a byte that is not UTF-8 unquotes to %q, want U+FFFD as in encoding/json", u)
	}
	if u := jsonscan.Unquote([]byte(`"\u0075ser"`)); u != "user" {
		t.Errorf("escaped key unquotes to %q", u)
	}
	if !strings.Contains(jsonscan.Unquote([]byte(`"\ud800"`)), "\uFFFD") {
		t.Error("a lone surrogate should become U+FFFD as in encoding/json")
	}
}

// FuzzSkip holds Skip to encoding/json on any valid array.
func FuzzSkip(f *testing.F) {
	f.Add(`[1,"a",{"b":[true,null]}]`)
	f.Add(`["\\\"",[],{}]`)
	f.Fuzz(func(t *testing.T, doc string) {
		var want []json.RawMessage
		if !json.Valid([]byte(doc)) || json.Unmarshal([]byte(doc), &want) != nil {
			return
		}
		s := jsonscan.Scanner{B: []byte(doc)}
		if s.Peek() != '[' {
			return // null also decodes into a slice
		}
		s.Next()
		n := 0
		for s.Peek() != ']' {
			start := s.I
			s.Skip()
			if n >= len(want) || doc[start:s.I] != string(want[n]) {
				t.Fatalf("span %d %q of %q is not encoding/json's", n, doc[start:s.I], doc)
			}
			s.SkipComma()
			n++
		}
		if n != len(want) {
			t.Fatalf("%d values in %q, want %d", n, doc, len(want))
		}
	})
}

// TestSkipStopsOnTruncatedInput ensures a caller that forgot json.Valid
// gets a wrong answer, not an endless loop.
func TestSkipStopsOnTruncatedInput(t *testing.T) {
	for _, doc := range []string{`[1,`, `{"a":[`, `[[[`, `tru`} {
		done := make(chan struct{})
		go func() {
			defer close(done)
			s := jsonscan.Scanner{B: []byte(doc)}
			s.Skip()
		}()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Fatalf("Skip of %q did not return", doc)
		}
	}
}
