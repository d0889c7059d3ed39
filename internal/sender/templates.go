package sender

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/gmailsend/gmailsend"
	"github.com/gmailsend/gmailsend/internal/gomailmime"
	"github.com/gmailsend/gmailsend/internal/mailtemplate"
)

// TemplateStore keeps stored templates per scope (the API key id);
// *dynamostore.Table is one.
type TemplateStore interface {
	PutTemplate(ctx context.Context, scope string, tpl *mailtemplate.Template) (int, error)
	Template(ctx context.Context, scope, name string, version int) (*mailtemplate.Template, error)
	Templates(ctx context.Context, scope string) ([]mailtemplate.Summary, error)
	DeleteTemplate(ctx context.Context, scope, name string) (bool, error)
}

// Templates serves /templates and renders the template a send names.
// Templates are scoped like message records: an API key sees only its own.
type Templates struct {
	Store TemplateStore
	// Now stamps a new version; time.Now when nil.
	Now func() time.Time
}

func (t *Templates) ready() error {
	if t == nil || t.Store == nil {
		return gmailsend.Errorf(gmailsend.CodeStoreNotConfigured, "template", "stored templates need the message table; set MESSAGES_TABLE")
	}
	return nil
}

func templateNotFound(name string) error {
	return gmailsend.Errorf(gmailsend.CodeTemplateNotFound, "template", "no template named %q for this API key", name)
}

// Put is PUT /templates/{name}: the body {subject, html, text?,
// description?, unsubscribe?} is checked and parsed, then stored as the
// name's next version.
func (t *Templates) Put(ctx context.Context, caller, name string, body []byte) (*mailtemplate.Summary, error) {
	if err := t.ready(); err != nil {
		return nil, err
	}
	if err := mailtemplate.CheckName("name", name); err != nil {
		return nil, err
	}
	if !utf8.Valid(body) {
		return nil, gmailsend.Invalid("", "request body is not valid UTF-8")
	}
	var src mailtemplate.Source
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&src); err != nil {
		return nil, gmailsend.Invalid("", "the body must be {\"subject\", \"html\", \"text\"?, \"description\"?, \"unsubscribe\"?}: %s", cleanDecodeError(err))
	}
	if _, err := mailtemplate.Parse(src); err != nil {
		return nil, err
	}
	now := time.Now
	if t.Now != nil {
		now = t.Now
	}
	tpl := &mailtemplate.Template{Name: name, Source: src, CreatedAt: now().UTC().Truncate(time.Millisecond)}
	v, err := t.Store.PutTemplate(ctx, caller, tpl)
	if err != nil {
		return nil, err
	}
	return &mailtemplate.Summary{Name: name, Version: v, Description: src.Description, UpdatedAt: tpl.CreatedAt}, nil
}

// Get is GET /templates/{name}: the latest version, or the one version
// names ("" for the latest).
func (t *Templates) Get(ctx context.Context, caller, name, version string) (*mailtemplate.Template, error) {
	if err := t.ready(); err != nil {
		return nil, err
	}
	v := 0
	if version != "" {
		n, err := strconv.Atoi(version)
		if err != nil || n < 1 {
			return nil, gmailsend.Invalid("version", "version is a positive whole number")
		}
		v = n
	}
	return t.load(ctx, caller, name, v)
}

func (t *Templates) load(ctx context.Context, caller, name string, version int) (*mailtemplate.Template, error) {
	if err := mailtemplate.CheckName("template", name); err != nil {
		return nil, err
	}
	tpl, err := t.Store.Template(ctx, caller, name, version)
	if errors.Is(err, gmailsend.ErrNotFound) {
		if version > 0 {
			return nil, gmailsend.Errorf(gmailsend.CodeTemplateNotFound, "version", "template %q has no version %d for this API key", name, version)
		}
		return nil, templateNotFound(name)
	}
	return tpl, err
}

// List is GET /templates.
func (t *Templates) List(ctx context.Context, caller string) ([]mailtemplate.Summary, error) {
	if err := t.ready(); err != nil {
		return nil, err
	}
	return t.Store.Templates(ctx, caller)
}

// Delete is DELETE /templates/{name}.
func (t *Templates) Delete(ctx context.Context, caller, name string) error {
	if err := t.ready(); err != nil {
		return err
	}
	if err := mailtemplate.CheckName("name", name); err != nil {
		return err
	}
	ok, err := t.Store.DeleteTemplate(ctx, caller, name)
	if err == nil && !ok {
		return templateNotFound(name)
	}
	return err
}

// Expand renders the template req names into its subject, message and
// text, and records which version it used in req.Rendered. A request
// without a template is left as it is; one with a template may not carry
// subject, message or text of its own.
func (t *Templates) Expand(ctx context.Context, caller string, req *gmailsend.Request) error {
	if req.Template == "" {
		if len(bytes.TrimSpace(req.Variables)) > 0 && string(bytes.TrimSpace(req.Variables)) != "null" {
			return gmailsend.Invalid("variables", "variables are rendered into a template; name it in \"template\"")
		}
		return nil
	}
	if req.Rendered != nil {
		return nil // already rendered (a batch item, or a retry within one invocation)
	}
	for _, f := range []struct{ name, value string }{{"subject", req.Subject}, {"message", req.Message}, {"text", req.Text}} {
		if f.value != "" {
			return gmailsend.Invalid(f.name, "a request naming a template takes subject, message and text from it; remove %q", f.name)
		}
	}
	if err := t.ready(); err != nil {
		return err
	}
	vars, err := mailtemplate.DecodeVariables(req.Variables)
	if err != nil {
		return err
	}
	tpl, parsed, err := t.loadParsed(ctx, caller, req.Template) // batch_template.go
	if err != nil {
		return err
	}
	out, err := parsed.Render(vars)
	if err != nil {
		return err
	}
	req.Subject, req.Message, req.Text = out.Subject, out.HTML, out.Text
	req.Rendered = &gmailsend.TemplateRef{Name: tpl.Name, Version: tpl.Version, Unsubscribe: tpl.Unsubscribe}
	return nil
}

// renderedBody is the body a queue carries for a request rendered from a
// template: its subject, message and text in place of the template and
// variables, and the unsubscribe headers the template may have asked for.
func renderedBody(req *gmailsend.Request) ([]byte, error) {
	c := *req
	c.Unsubscribe = req.WantsUnsubscribe()
	c.Template, c.Variables, c.Rendered = "", nil, nil
	return json.Marshal(&c)
}

// Preview is POST /templates/{name}/render: the body {"variables": {…},
// "version"?: N} rendered without sending, the text part derived from the
// HTML when the template has none (as a send would).
func (t *Templates) Preview(ctx context.Context, caller, name string, body []byte) (*mailtemplate.Rendered, error) {
	if err := t.ready(); err != nil {
		return nil, err
	}
	var in struct {
		Variables json.RawMessage `json:"variables"`
		Version   int             `json:"version"`
	}
	if len(bytes.TrimSpace(body)) > 0 {
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&in); err != nil {
			return nil, gmailsend.Invalid("", "the body must be {\"variables\": {…}, \"version\"?: N}: %s", cleanDecodeError(err))
		}
	}
	vars, err := mailtemplate.DecodeVariables(in.Variables)
	if err != nil {
		return nil, err
	}
	tpl, err := t.load(ctx, caller, name, in.Version)
	if err != nil {
		return nil, err
	}
	p, err := mailtemplate.Parse(tpl.Source)
	if err != nil {
		return nil, err
	}
	out, err := p.Render(vars)
	if err != nil {
		return nil, err
	}
	if out.Text == "" {
		out.Text = gomailmime.PlainText(out.HTML)
	}
	return out, nil
}
