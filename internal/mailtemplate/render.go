package mailtemplate

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/gmailsend/gmailsend"
)

// MaxRenderedBytes bounds each rendered part: a loop over a large list
// stops here instead of filling memory (the message's own limit is
// checked after).
const MaxRenderedBytes = 10 << 20

// Rendered is a template's output for one set of variables. Text is empty
// when the template has no text part.
type Rendered struct {
	Subject string `json:"subject"`
	HTML    string `json:"html"`
	Text    string `json:"text"`
}

// DecodeVariables reads a request's "variables": a JSON object (or
// absent, or null). Numbers keep the digits they were written with.
func DecodeVariables(raw json.RawMessage) (map[string]any, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return map[string]any{}, nil
	}
	if raw[0] != '{' {
		return nil, gmailsend.Invalid("variables", "must be a JSON object of the template's variables")
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var vars map[string]any
	if err := dec.Decode(&vars); err != nil {
		return nil, gmailsend.Invalid("variables", "must be a JSON object of the template's variables")
	}
	return vars, nil
}

// Render renders every part with vars. A variable the template uses and
// vars lacks is invalid_request naming it (field "variables.name"); a
// line break a variable brings into the subject is refused, naming the
// variable.
func (p *Parsed) Render(vars map[string]any) (*Rendered, error) {
	var out Rendered
	var err error
	if out.Subject, err = execute("subject", func(w io.Writer) error { return p.subject.Execute(w, vars) }); err != nil {
		return nil, err
	}
	if strings.IndexFunc(out.Subject, isControl) >= 0 {
		return nil, gmailsend.Invalid(controlVariable(vars),
			"a line break or control character is refused in a variable the subject uses: the subject is one header line, and a line break could add a header")
	}
	if out.HTML, err = execute("html", func(w io.Writer) error { return p.html.Execute(w, vars) }); err != nil {
		return nil, err
	}
	if p.text != nil {
		if out.Text, err = execute("text", func(w io.Writer) error { return p.text.Execute(w, vars) }); err != nil {
			return nil, err
		}
	}
	return &out, nil
}

// errTooLarge stops a rendering at MaxRenderedBytes.
var errTooLarge = errors.New("mailtemplate: rendered part too large")

type boundedBuffer struct{ bytes.Buffer }

func (b *boundedBuffer) Write(p []byte) (int, error) {
	if b.Len()+len(p) > MaxRenderedBytes {
		return 0, errTooLarge
	}
	return b.Buffer.Write(p)
}

func execute(part string, run func(io.Writer) error) (string, error) {
	var b boundedBuffer
	if err := run(&b); err != nil {
		if errors.Is(err, errTooLarge) {
			return "", gmailsend.Errorf(gmailsend.CodePayloadTooLarge, "variables", "the rendered %s would exceed %d bytes", part, MaxRenderedBytes)
		}
		return "", execError(part, err)
	}
	return b.String(), nil
}

var (
	missingKey = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`map has no entry for key "([^"]*)"`) })
	atNode     = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`:(\d+):(\d+): executing "[^"]*" at <([^>]*)>: (.*)$`)
	})
)

// execError turns an execution error into invalid_request: a missing
// variable is named by its path ("variables.customer.name"), with where
// the template uses it.
func execError(part string, err error) error {
	msg := err.Error()
	at := atNode().FindStringSubmatch(msg)
	where, what := "", msg
	if at != nil {
		where, what = " (line "+at[1]+", column "+at[2]+", "+at[3]+")", at[4]
	}
	if m := missingKey().FindStringSubmatch(msg); m != nil {
		field := "variables." + m[1]
		if at != nil && strings.HasPrefix(at[3], ".") && !strings.ContainsAny(at[3], " ()$") {
			field = "variables" + at[3]
		}
		return gmailsend.Invalid(field, "missing variable %q: the template's %s uses it%s; give it in \"variables\" (null or \"\" if it is to be empty)", m[1], part, where)
	}
	return gmailsend.Invalid("variables", "the template's %s cannot be rendered with these variables%s: %s", part, where, what)
}

// controlVariable names the first variable (sorted, top-level or nested)
// whose text holds a control character, for the subject's refusal.
func controlVariable(vars map[string]any) string {
	var found []string
	var walk func(path string, v any)
	walk = func(path string, v any) {
		switch x := v.(type) {
		case string:
			if strings.IndexFunc(x, isControl) >= 0 {
				found = append(found, path)
			}
		case map[string]any:
			for k, y := range x {
				walk(path+"."+k, y)
			}
		case []any:
			for i, y := range x {
				walk(path+"["+strconv.Itoa(i)+"]", y)
			}
		}
	}
	walk("variables", vars)
	if len(found) == 0 {
		return "variables"
	}
	sort.Strings(found)
	return found[0]
}
