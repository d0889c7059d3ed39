package mailtemplate

import (
	"errors"
	htmltemplate "html/template"
	"io"
	"strings"
	texttemplate "text/template"

	"github.com/gmailsend/gmailsend"
)

// Parsed is a template ready to render. Safe for concurrent use.
type Parsed struct {
	subject *texttemplate.Template
	html    *htmltemplate.Template
	// text is nil when the template has no text part: the sender derives
	// one from the rendered HTML.
	text *texttemplate.Template
}

// Parse checks src and parses its parts; an error is invalid_request
// naming the part ("subject", "html", "text") with the line and column.
func Parse(src Source) (*Parsed, error) {
	if err := src.Check(); err != nil {
		return nil, err
	}
	if i := strings.IndexFunc(src.Subject, isControl); i >= 0 {
		return nil, gmailsend.Invalid("subject", "the subject template holds a line break or control character at column %d; a subject is one header line", columnOf(src.Subject, i))
	}
	p := &Parsed{}
	var err error
	if p.subject, err = texttemplate.New("subject").Option("missingkey=error").Parse(src.Subject); err != nil {
		return nil, syntaxError("subject", src.Subject, err)
	}
	if p.html, err = htmltemplate.New("html").Option("missingkey=error").Parse(src.HTML); err != nil {
		return nil, syntaxError("html", src.HTML, err)
	}
	// html/template finds context errors (an action inside a comment or an
	// unquoted attribute it cannot close, a body that ends inside a tag)
	// only when it escapes, on the first execution: run it once here, so
	// PUT refuses what no send could render. Errors of execution (the
	// variables are empty) are expected and ignored.
	var escapeErr *htmltemplate.Error
	if err := p.html.Execute(io.Discard, map[string]any{}); errors.As(err, &escapeErr) {
		return nil, syntaxError("html", src.HTML, escapeErr)
	}
	if src.Text != "" {
		if p.text, err = texttemplate.New("text").Option("missingkey=error").Parse(src.Text); err != nil {
			return nil, syntaxError("text", src.Text, err)
		}
	}
	return p, nil
}

// isControl is a line break or another control character: nothing a
// header line may hold.
func isControl(r rune) bool { return r < 0x20 && r != '\t' || r == 0x7f }
