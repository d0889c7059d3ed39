package gmailsend

import (
	"encoding/json"

	"github.com/gmailsend/gmailsend/internal/jsonscan"
)

// CheckKeys holds the top-level keys of the JSON object body to the
// request's rules, for bodies that wrap requests (POST /messages/batch):
// only the named keys, each at most once and spelt exactly. encoding/json
// takes "MESSAGES" for "messages" and keeps the last of two "messages",
// so a batch could queue other messages than a reader of the body sees.
// The refusals are the request's own (unknown field, with a suggestion;
// duplicate field). A body that is not valid JSON, or not an object, is
// left to the decoder, whose error says where it broke.
func CheckKeys(body []byte, names ...string) error {
	if !json.Valid(body) {
		return nil
	}
	known := make(fieldSet, len(names))
	for i, n := range names {
		known[i] = knownField{name: n}
	}
	s := jsonscan.Scanner{B: body}
	if s.Peek() != '{' {
		return nil
	}
	s.Next()
	seen := make([]bool, len(known))
	for s.Peek() != '}' {
		key := jsonscan.Unquote(s.Str())
		s.Next() // :
		i := known.index(key)
		switch {
		case i < 0:
			return errUnknownField(key, key, known)
		case seen[i]:
			return errDuplicateField(key, key)
		}
		seen[i] = true
		s.Skip()
		s.SkipComma()
	}
	return nil
}
