package gmailsend

import (
	"bytes"

	"github.com/gmailsend/gmailsend/internal/jsonscan"
)

// validShape is checkShape for a body json.Valid has accepted.
//
// It exists for memory. json.Decoder.Token reads a string value into a
// buffer it grows by doubling and unquotes it into a new string, only for
// the walk to look at its type: for a typical request (10 KB of HTML, a
// 100 KB attachment in base64) that was about 650 KB of garbage, more than
// everything else decoding and building the message allocates. Valid JSON
// holds no syntax error to report, so this walk reads the body in place:
// it skips string values without copying them, classifies every other value
// by its first byte, and unquotes only a key that holds an escape. It visits
// keys and values in the same order as the Decoder walk and refuses through
// the same functions (shape.go), so both give the same answer; shape_test.go
// holds them to it.
func validShape(body []byte) error {
	s := validScanner{jsonscan.Scanner{B: body}}
	if s.Peek() != '{' {
		return errBodyNotObject()
	}
	// json.Valid has seen one value and nothing after it but blanks, so
	// nothing is left to check once the object is walked.
	return s.object("", requestFields)
}

// validScanner walks a request body with jsonscan, which reads it in place.
type validScanner struct{ jsonscan.Scanner }

// object walks the object that starts at the next byte, as walkObject does.
func (s *validScanner) object(path string, known fieldSet) error {
	s.I++ // {
	var seen uint32
	for s.Peek() != '}' {
		quoted := s.Str()
		s.Peek()
		s.I++ // :
		var i int
		if bytes.IndexByte(quoted, '\\') < 0 {
			// index keeps no reference to its argument, so this
			// conversion is made in a stack buffer, not on the heap.
			i = known.index(string(quoted[1 : len(quoted)-1]))
		} else {
			i = known.index(unquoteKey(quoted))
		}
		if i < 0 || seen&(1<<i) != 0 {
			key := unquoteKey(quoted)
			if i < 0 {
				return errUnknownField(joinPath(path, key), key, known)
			}
			return errDuplicateField(joinPath(path, key), key)
		}
		seen |= 1 << i
		if err := s.value(path, known[i]); err != nil {
			return err
		}
		s.SkipComma()
	}
	s.I++ // }
	return nil
}

// value walks the value of field f of the object at path, as walkField
// does. Only strings and nulls are ever skipped: any other value either is
// walked or is the refusal.
func (s *validScanner) value(path string, f knownField) error {
	c := s.Peek()
	if c == 'n' {
		s.I += len("null") // the field is absent
		return nil
	}
	switch f.kind {
	case kindString:
		if c != '"' {
			return errNotString(joinPath(path, f.name), describeByte(c))
		}
		s.Str()
	case kindAddresses:
		if c == '"' {
			s.Str()
			return nil
		}
		if c != '[' {
			return errNotAddresses(joinPath(path, f.name), describeByte(c))
		}
		s.I++
		for i := 0; s.Peek() != ']'; i++ {
			if c := s.Peek(); c != '"' {
				return errNotAddress(itemPath(joinPath(path, f.name), i), describeByte(c))
			}
			s.Str()
			s.SkipComma()
		}
		s.I++
	case kindAttachments:
		field := joinPath(path, f.name)
		if c != '[' {
			return errNotAttachments(field, describeByte(c))
		}
		s.I++
		for i := 0; s.Peek() != ']'; i++ {
			item := itemPath(field, i)
			if s.Peek() != '{' {
				return errNotAttachment(item)
			}
			if err := s.object(item, attachmentFields); err != nil {
				return err
			}
			s.SkipComma()
		}
		s.I++
	case kindObject:
		if c != '{' {
			return errNotObjectField(joinPath(path, f.name), describeByte(c))
		}
		s.Skip()
	case kindBool:
		if c != 't' && c != 'f' {
			return errNotBool(joinPath(path, f.name), describeByte(c))
		}
		s.Skip()
	}
	return nil
}

// unquoteKey returns the key as encoding/json reads it.
func unquoteKey(quoted []byte) string { return jsonscan.Unquote(quoted) }

// describeByte says what a valid JSON value is from its first byte, in the
// words describeToken uses.
func describeByte(c byte) string {
	switch c {
	case '{':
		return "an object"
	case '[':
		return "an array"
	case 't', 'f':
		return "a boolean"
	case '"':
		return "a string"
	case 'n':
		return "null"
	}
	return "a number" // '-' or a digit: nothing else starts a JSON value
}
