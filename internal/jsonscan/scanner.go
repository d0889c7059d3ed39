// Package jsonscan reads JSON that json.Valid has already accepted, in
// place: it finds keys, classifies values by their first byte and skips
// them without copying or unquoting anything.
//
// It exists for memory. encoding/json copies every string it reads (a
// json.Decoder also grows a buffer the size of the largest value), and the
// send path looks at the shape of bodies whose values are up to megabytes
// of base64: the request's shape check (package gmailsend, the domain) and an SQS batch's
// records (package lambdahandler) only need to know where values are.
//
// Because the input is valid, a Scanner checks nothing. Given input
// json.Valid refuses, its answers mean nothing and Str may panic; Skip
// still stops at the end of the input rather than loop.
package jsonscan

import (
	"bytes"
	"encoding/json"
	"unicode/utf8"
)

// Scanner reads B from offset I.
type Scanner struct {
	B []byte
	I int
}

// Peek skips blanks and returns the next byte without consuming it (0 at
// the end).
func (s *Scanner) Peek() byte {
	for ; s.I < len(s.B); s.I++ {
		switch c := s.B[s.I]; c {
		case ' ', '\t', '\n', '\r':
		default:
			return c
		}
	}
	return 0
}

// Next consumes the next byte after blanks: a brace, bracket or colon.
func (s *Scanner) Next() {
	s.Peek()
	s.I++
}

// SkipComma consumes the comma after a member or element, if there is one.
func (s *Scanner) SkipComma() {
	if s.Peek() == ',' {
		s.I++
	}
}

// Str consumes the string that starts at the next byte and returns it with
// its quotes, as it is written.
func (s *Scanner) Str() []byte {
	s.Peek()
	start := s.I
	for from := start + 1; ; {
		end := from + bytes.IndexByte(s.B[from:], '"')
		// The quote closes the string unless an odd run of backslashes
		// escapes it; the opening quote stops the count.
		k := end
		for s.B[k-1] == '\\' {
			k--
		}
		from = end + 1
		if (end-k)%2 == 0 {
			s.I = from
			return s.B[start:from]
		}
	}
}

// Skip consumes the value that starts at the next byte, whatever it is.
func (s *Scanner) Skip() {
	depth := 0
	for {
		switch s.Peek() {
		case 0: // the end of the input: only invalid JSON gets here
			return
		case '"':
			s.Str()
		case '{', '[':
			depth++
			s.I++
		case '}', ']':
			depth--
			s.I++
		case ',', ':':
			s.I++
		default: // a number, true, false or null
			for s.I < len(s.B) && !endsScalar(s.B[s.I]) {
				s.I++
			}
		}
		if depth == 0 {
			return
		}
	}
}

// endsScalar reports whether b, in valid JSON, follows a number or literal.
func endsScalar(b byte) bool {
	switch b {
	case ' ', '\t', '\n', '\r', ',', ']', '}':
		return true
	}
	return false
}

// Unquote returns a quoted string (from Str) as encoding/json reads it:
// "\u0075ser" is "user", a lone surrogate or a byte that is not UTF-8
// becomes U+FFFD. Only such a string goes through encoding/json.
func Unquote(quoted []byte) string {
	if bytes.IndexByte(quoted, '\\') < 0 && utf8.Valid(quoted) {
		return string(quoted[1 : len(quoted)-1])
	}
	var s string
	_ = json.Unmarshal(quoted, &s) // a valid JSON string always unquotes
	return s
}
