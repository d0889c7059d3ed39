package mailtemplate

import (
	"regexp"
	"sync"
	"time"

	"github.com/gmailsend/gmailsend"
)

// Limits of a stored template. A DynamoDB item is at most 400 KB
// (409,600 bytes) with its attribute names and keys; MaxSourceBytes leaves
// room for those, so a template that passes here always fits one item.
const (
	// MaxSourceBytes bounds subject + html + text + description, in bytes
	// of UTF-8.
	MaxSourceBytes = 350_000
	// MaxDescriptionBytes bounds the description.
	MaxDescriptionBytes = 1000
	// MaxNameLength bounds a template's name.
	MaxNameLength = 100
)

// Source is what a caller stores: PUT /templates/{name}'s body.
type Source struct {
	Subject     string `json:"subject"`
	HTML        string `json:"html"`
	Text        string `json:"text,omitempty"`
	Description string `json:"description,omitempty"`
	// Unsubscribe asks for one-click unsubscribe headers on every send of
	// this template (RFC 8058), as a request's "unsubscribe": true does.
	Unsubscribe bool `json:"unsubscribe,omitempty"`
}

// Template is one stored version of a named template.
type Template struct {
	Name    string `json:"name"`
	Version int    `json:"version"`
	Source
	CreatedAt time.Time `json:"createdAt"`
}

// Summary is a template as GET /templates lists it.
type Summary struct {
	Name        string    `json:"name"`
	Version     int       `json:"version"`
	Description string    `json:"description,omitempty"`
	UpdatedAt   time.Time `json:"updatedAt"`
}

// namePattern is what a name may hold: it is a path segment and part of
// a table key, so no "/", "#" or spaces.
var namePattern = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)
})

// CheckName refuses a name that is empty, too long or holds anything but
// letters, digits, ".", "_" and "-", naming field.
func CheckName(field, name string) error {
	if name == "" || len(name) > MaxNameLength || !namePattern().MatchString(name) {
		return gmailsend.Invalid(field, "a template name has 1 to %d characters: ASCII letters, digits, \".\", \"_\" and \"-\", starting with a letter or digit", MaxNameLength)
	}
	return nil
}

// Check refuses a source that is empty or too large for one item.
func (s Source) Check() error {
	if s.HTML == "" {
		return gmailsend.Invalid("html", "missing required field: the template's HTML body")
	}
	if len(s.Description) > MaxDescriptionBytes {
		return gmailsend.Invalid("description", "the description may be at most %d bytes", MaxDescriptionBytes)
	}
	if n := len(s.Subject) + len(s.HTML) + len(s.Text) + len(s.Description); n > MaxSourceBytes {
		return gmailsend.Errorf(gmailsend.CodePayloadTooLarge, "html",
			"a template (subject, html, text and description together) may be at most %d bytes, to fit one DynamoDB item (400 KB); this one is %d", MaxSourceBytes, n)
	}
	return nil
}
