package gmailsend

import (
	"bytes"
	"encoding/json"
	"errors"
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

	// Template names a stored template that supplies subject, message and
	// text, rendered with Variables (a JSON object); see Rendered.
	Template  string          `json:"template,omitempty"`
	Variables json.RawMessage `json:"variables,omitempty"`
	// Unsubscribe asks for one-click unsubscribe headers (RFC 8058); the
	// message must then have exactly one recipient.
	Unsubscribe bool `json:"unsubscribe,omitempty"`

	// Rendered is set once Template has been rendered into Subject,
	// Message and Text; never read from a body.
	Rendered *TemplateRef `json:"-"`
}

// TemplateRef is the stored template a request was rendered from.
type TemplateRef struct {
	Name    string
	Version int
	// Unsubscribe is the template's own request for unsubscribe headers.
	Unsubscribe bool
}

// Ref is the name and version, empty for a request without a template.
func (t *TemplateRef) Ref() (string, int) {
	if t == nil {
		return "", 0
	}
	return t.Name, t.Version
}

// WantsUnsubscribe reports whether the message is to carry one-click
// unsubscribe headers, asked for by the request or by its template.
func (r *Request) WantsUnsubscribe() bool {
	return r.Unsubscribe || (r.Rendered != nil && r.Rendered.Unsubscribe)
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
	if err := checkShape(body); err != nil { // shape.go
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

func cleanJSONMessage(err error) string {
	return strings.TrimPrefix(err.Error(), "json: ")
}
