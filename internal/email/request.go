package email

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// Request is a send request as callers write it. The first six fields are the
// original platform's API, accepted exactly as it sent them; the rest are
// optional extensions.
type Request struct {
	User         string      `json:"user"`
	Password     string      `json:"password"`
	FromUsername string      `json:"fromUsername"`
	ToEmail      AddressList `json:"toEmail"`
	Subject      string      `json:"subject"`
	Message      string      `json:"message"`

	Cc          AddressList  `json:"cc"`
	Bcc         AddressList  `json:"bcc"`
	ReplyTo     AddressList  `json:"replyTo"`
	Text        string       `json:"text"`
	Attachments []Attachment `json:"attachments"`
	// Credential names a stored credential (Secrets Manager) to send with.
	Credential string `json:"credential"`
	// AccessToken is a ready OAuth 2.0 access token for SASL XOAUTH2. A
	// refresh token is never accepted in a request.
	AccessToken string `json:"accessToken"`
	// IdempotencyKey makes a retry of this request replay the first
	// outcome instead of sending again (with a message table).
	IdempotencyKey string `json:"idempotencyKey"`
	// ScheduledAt (RFC 3339 with an offset) sends later; only POST
	// /messages accepts it, every other source refuses it.
	ScheduledAt string `json:"scheduledAt"`
}

// Attachment is one file of a request; Content is base64.
type Attachment struct {
	Filename    string `json:"filename"`
	ContentType string `json:"contentType"`
	Content     string `json:"content"`
}

// AddressList accepts a single address, a comma-separated list, or a JSON
// array of addresses. Each entry is kept raw; Validate parses it.
type AddressList []string

// UnmarshalJSON accepts a string, an array of strings or null.
func (l *AddressList) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case bytes.Equal(b, []byte("null")):
		*l = nil
		return nil
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*l = splitAddressList(s)
		return nil
	case len(b) > 0 && b[0] == '[':
		var items []*string
		if err := json.Unmarshal(b, &items); err != nil {
			return errors.New("must be an address or an array of addresses")
		}
		out := make(AddressList, 0, len(items))
		for _, it := range items {
			if it == nil {
				return errors.New("array holds null, expected addresses")
			}
			out = append(out, *it)
		}
		*l = out
		return nil
	}
	return errors.New("must be an address or an array of addresses")
}

// fieldKind is the JSON shape a field accepts.
type fieldKind int

const (
	kindString      fieldKind = iota // a string or null
	kindAddresses                    // a string, an array of strings, or null
	kindAttachments                  // an array of attachment objects, or null
)

// requestFields are the only keys a request object may have.
var requestFields = map[string]fieldKind{
	"user": kindString, "password": kindString, "fromUsername": kindString,
	"toEmail": kindAddresses, "subject": kindString, "message": kindString,
	"cc": kindAddresses, "bcc": kindAddresses, "replyTo": kindAddresses,
	"text": kindString, "attachments": kindAttachments,
	"credential": kindString, "accessToken": kindString,
	"idempotencyKey": kindString,
	"scheduledAt":    kindString,
}

var attachmentFields = map[string]fieldKind{
	"filename": kindString, "contentType": kindString, "content": kindString,
}

// DecodeRequest parses a request body strictly: valid UTF-8, one JSON object,
// no unknown, misspelt or duplicate keys (encoding/json would silently take
// "User" for "user" or the last of two "subject" keys), and each field of the
// documented type. Errors name the field.
func DecodeRequest(body []byte) (*Request, error) {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, Invalid("", "request body is empty; send a JSON object")
	}
	if !utf8.Valid(body) {
		return nil, Invalid("", "request body is not valid UTF-8")
	}
	if err := checkShape(body); err != nil {
		return nil, err
	}
	var r Request
	if err := json.Unmarshal(body, &r); err != nil {
		// checkShape has vetted every type, so this is not the caller's
		// doing in any way we can name.
		return nil, Invalid("", "request body does not match the documented shape: %s", cleanJSONMessage(err))
	}
	return &r, nil
}

// checkShape walks the JSON tokens once to enforce what encoding/json cannot
// say with the field's name: exact keys, no duplicates, the type of each
// field, and a single value.
func checkShape(body []byte) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := expectObject(dec, ""); err != nil {
		if errors.Is(err, errNotObject) {
			return Invalid("", "request body must be a JSON object")
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

func walkObject(dec *json.Decoder, path string, known map[string]fieldKind) error {
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return syntaxError(path, err)
		}
		key, _ := tok.(string)
		field := joinPath(path, key)
		kind, ok := known[key]
		if !ok {
			return Invalid(field, "unknown field %q%s", key, suggestion(key, known))
		}
		if seen[key] {
			return Invalid(field, "field %q appears more than once", key)
		}
		seen[key] = true
		if err := walkField(dec, field, kind); err != nil {
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
			return Invalid(field, "must be a string, not %s", describeToken(tok))
		}
	case kindAddresses:
		if _, ok := tok.(string); ok {
			return nil
		}
		if tok != json.Delim('[') {
			return Invalid(field, "must be an address or an array of addresses, not %s", describeToken(tok))
		}
		for i := 0; dec.More(); i++ {
			item, err := dec.Token()
			if err != nil {
				return syntaxError(field, err)
			}
			if _, ok := item.(string); !ok {
				return Invalid(fmt.Sprintf("%s[%d]", field, i), "must be an address string, not %s", describeToken(item))
			}
		}
		if _, err := dec.Token(); err != nil {
			return syntaxError(field, err)
		}
	case kindAttachments:
		if tok != json.Delim('[') {
			return Invalid(field, "must be an array of attachment objects, not %s", describeToken(tok))
		}
		for i := 0; dec.More(); i++ {
			item := fmt.Sprintf("%s[%d]", field, i)
			if err := expectObject(dec, item); err != nil {
				if errors.Is(err, errNotObject) {
					return Invalid(item, "must be an attachment object {filename, contentType, content}")
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

func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// suggestion points at the intended field for near misses like "toEmails" or
// "User".
func suggestion(key string, known map[string]fieldKind) string {
	lk := strings.ToLower(key)
	for k := range known {
		lkk := strings.ToLower(k)
		if lk == lkk || lk == lkk+"s" || lk+"s" == lkk {
			return fmt.Sprintf("; did you mean %q?", k)
		}
	}
	return ""
}

func cleanJSONMessage(err error) string {
	return strings.TrimPrefix(err.Error(), "json: ")
}
