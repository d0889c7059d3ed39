package gmailsend

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// fieldKind is the JSON shape a field accepts.
type fieldKind int

const (
	kindString      fieldKind = iota // a string or null
	kindAddresses                    // a string, an array of strings, or null
	kindAttachments                  // an array of attachment objects, or null
	kindObject                       // any JSON object, or null (a template's variables)
	kindBool                         // true, false or null
)

// knownField is a key an object may have and the shape of its value.
type knownField struct {
	name string
	kind fieldKind
}

// fieldSet is every key an object may have. It holds at most 32, so a
// uint32 records which ones an object has already used, without a map.
type fieldSet []knownField

// index returns the position of key in s, or -1. Keys match exactly:
// encoding/json would take "User" for "user", and that is refused.
func (s fieldSet) index(key string) int {
	for i, f := range s {
		if f.name == key {
			return i
		}
	}
	return -1
}

// requestFields are the only keys a request object may have.
var requestFields = fieldSet{
	{"user", kindString}, {"password", kindString}, {"fromUsername", kindString},
	{"toEmail", kindAddresses}, {"subject", kindString}, {"message", kindString},
	{"cc", kindAddresses}, {"bcc", kindAddresses}, {"replyTo", kindAddresses},
	{"text", kindString}, {"attachments", kindAttachments},
	{"credential", kindString}, {"accessToken", kindString},
	{"idempotencyKey", kindString},
	{"scheduledAt", kindString},
	{"template", kindString}, {"variables", kindObject}, {"unsubscribe", kindBool},
}

var attachmentFields = fieldSet{
	{"filename", kindString}, {"contentType", kindString}, {"content", kindString},
}

// checkShape enforces what encoding/json cannot say with the field's name:
// exact keys, no duplicates, the type of each field, and a single value.
//
// A body json.Valid accepts takes validShape (shape_valid.go), which reads
// it in place; any other body takes the json.Decoder walk below, whose
// syntax errors name the field where the JSON broke. Both refuse through
// the same functions, so a caller cannot tell which one ran.
func checkShape(body []byte) error {
	if json.Valid(body) {
		return validShape(body)
	}
	return decoderShape(body)
}

// decoderShape walks the JSON tokens once with a json.Decoder.
func decoderShape(body []byte) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := expectObject(dec, ""); err != nil {
		if errors.Is(err, errNotObject) {
			return errBodyNotObject()
		}
		return err
	}
	if err := walkObject(dec, "", requestFields); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return Invalid("", "request body holds more than one JSON value")
	}
	return nil
}

var errNotObject = errors.New("not an object")

func expectObject(dec *json.Decoder, field string) error {
	tok, err := dec.Token()
	if err != nil {
		return syntaxError(field, err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return errNotObject
	}
	return nil
}

func walkObject(dec *json.Decoder, path string, known fieldSet) error {
	var seen uint32
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return syntaxError(path, err)
		}
		key, _ := tok.(string)
		field := joinPath(path, key)
		i := known.index(key)
		if i < 0 {
			return errUnknownField(field, key, known)
		}
		if seen&(1<<i) != 0 {
			return errDuplicateField(field, key)
		}
		seen |= 1 << i
		if err := walkField(dec, field, known[i].kind); err != nil {
			return err
		}
	}
	if _, err := dec.Token(); err != nil { // the closing brace
		return syntaxError(path, err)
	}
	return nil
}

func walkField(dec *json.Decoder, field string, kind fieldKind) error {
	tok, err := dec.Token()
	if err != nil {
		return syntaxError(field, err)
	}
	if tok == nil {
		return nil // null: the field is absent
	}
	switch kind {
	case kindString:
		if _, ok := tok.(string); !ok {
			return errNotString(field, describeToken(tok))
		}
	case kindAddresses:
		if _, ok := tok.(string); ok {
			return nil
		}
		if tok != json.Delim('[') {
			return errNotAddresses(field, describeToken(tok))
		}
		for i := 0; dec.More(); i++ {
			item, err := dec.Token()
			if err != nil {
				return syntaxError(field, err)
			}
			if _, ok := item.(string); !ok {
				return errNotAddress(itemPath(field, i), describeToken(item))
			}
		}
		if _, err := dec.Token(); err != nil {
			return syntaxError(field, err)
		}
	case kindAttachments:
		if tok != json.Delim('[') {
			return errNotAttachments(field, describeToken(tok))
		}
		for i := 0; dec.More(); i++ {
			item := itemPath(field, i)
			if err := expectObject(dec, item); err != nil {
				if errors.Is(err, errNotObject) {
					return errNotAttachment(item)
				}
				return err
			}
			if err := walkObject(dec, item, attachmentFields); err != nil {
				return err
			}
		}
		if _, err := dec.Token(); err != nil {
			return syntaxError(field, err)
		}
	case kindObject:
		if tok != json.Delim('{') {
			return errNotObjectField(field, describeToken(tok))
		}
		for depth := 1; depth > 0; {
			t, err := dec.Token()
			if err != nil {
				return syntaxError(field, err)
			}
			switch t {
			case json.Delim('{'), json.Delim('['):
				depth++
			case json.Delim('}'), json.Delim(']'):
				depth--
			}
		}
	case kindBool:
		if _, ok := tok.(bool); !ok {
			return errNotBool(field, describeToken(tok))
		}
	}
	return nil
}

func describeToken(tok json.Token) string {
	switch t := tok.(type) {
	case json.Delim:
		if t == '{' {
			return "an object"
		}
		return "an array"
	case bool:
		return "a boolean"
	case json.Number:
		return "a number"
	case string:
		return "a string"
	case nil:
		return "null"
	}
	return "another type"
}

func syntaxError(field string, err error) error {
	return Invalid(field, "request body is not valid JSON: %s", cleanJSONMessage(err))
}

// The refusals of a wrong shape, shared by both walks; what is the
// description of the value found ("a number", "null").

func errBodyNotObject() error {
	return Invalid("", "request body must be a JSON object")
}

func errUnknownField(field, key string, known fieldSet) error {
	return Invalid(field, "unknown field %q%s", key, suggestion(key, known))
}

func errDuplicateField(field, key string) error {
	return Invalid(field, "field %q appears more than once", key)
}

func errNotString(field, what string) error {
	return Invalid(field, "must be a string, not %s", what)
}

func errNotAddresses(field, what string) error {
	return Invalid(field, "must be an address or an array of addresses, not %s", what)
}

func errNotAddress(item, what string) error {
	return Invalid(item, "must be an address string, not %s", what)
}

func errNotAttachments(field, what string) error {
	return Invalid(field, "must be an array of attachment objects, not %s", what)
}

func errNotAttachment(item string) error {
	return Invalid(item, "must be an attachment object {filename, contentType, content}")
}

func errNotObjectField(field, what string) error {
	return Invalid(field, "must be a JSON object, not %s", what)
}

func errNotBool(field, what string) error {
	return Invalid(field, "must be true or false, not %s", what)
}

func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// itemPath names element i of the array field, as "toEmail[2]".
func itemPath(field string, i int) string {
	return field + "[" + itoa(i) + "]"
}

// suggestion points at the intended field for near misses like "toEmails" or
// "User".
func suggestion(key string, known fieldSet) string {
	lk := strings.ToLower(key)
	for _, f := range known {
		lkk := strings.ToLower(f.name)
		if lk == lkk || lk == lkk+"s" || lk+"s" == lkk {
			return fmt.Sprintf("; did you mean %q?", f.name)
		}
	}
	return ""
}
