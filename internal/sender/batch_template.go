package sender

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"sync"

	"github.com/gmailsend/gmailsend"
	"github.com/gmailsend/gmailsend/internal/mailtemplate"
)

// A per-recipient batch names one template for all its messages:
//
//	{"template": "booking", "defaults": {"credential": "desk", "variables": {…}},
//	 "messages": [{"toEmail": "…", "variables": {…}, "idempotencyKey"?: "…"}, …]}
//
// Each message becomes a request of its own: the defaults' fields, then the
// item's (an item's field wins), with "template" set and the variables
// merged key by key (the item's win). Each is then checked, recorded and
// queued exactly like an item of an ordinary batch, and may carry its own
// idempotency key, which names the same record as that key on POST
// /messages.

// personalise turns the items of a template batch into full requests. It
// returns the items unchanged for an ordinary batch.
func personalise(b *batchRequest) ([]json.RawMessage, error) {
	if b.Template == "" {
		if len(b.Defaults) > 0 {
			return nil, gmailsend.Invalid("defaults", "defaults go with a batch-wide \"template\"")
		}
		return b.Messages, nil
	}
	if err := mailtemplate.CheckName("template", b.Template); err != nil {
		return nil, err
	}
	defaults, err := objectFields(b.Defaults, "defaults")
	if err != nil {
		return nil, err
	}
	for _, f := range []string{"template", "subject", "message", "text", "toEmail", "idempotencyKey"} {
		if _, ok := defaults[f]; ok {
			return nil, gmailsend.Invalid("defaults."+f, "%q may not be a default: it is the batch's or each message's own", f)
		}
	}
	baseVars, err := objectFields(defaults["variables"], "defaults.variables")
	if err != nil {
		return nil, err
	}
	out := make([]json.RawMessage, len(b.Messages))
	for i, raw := range b.Messages {
		prefix := fmt.Sprintf("messages[%d]", i)
		item, err := objectFields(raw, prefix)
		if err != nil {
			return nil, err
		}
		if _, ok := item["template"]; ok {
			return nil, gmailsend.Invalid(prefix+".template", "the batch names the template once, at the top")
		}
		vars, err := objectFields(item["variables"], prefix+".variables")
		if err != nil {
			return nil, err
		}
		merged := make(map[string]json.RawMessage, len(defaults)+len(item)+1)
		for k, v := range defaults {
			merged[k] = v
		}
		for k, v := range item {
			merged[k] = v
		}
		allVars := make(map[string]json.RawMessage, len(baseVars)+len(vars))
		for k, v := range baseVars {
			allVars[k] = v
		}
		for k, v := range vars {
			allVars[k] = v
		}
		if merged["variables"], err = json.Marshal(allVars); err != nil {
			return nil, err
		}
		if merged["template"], err = json.Marshal(b.Template); err != nil {
			return nil, err
		}
		if out[i], err = json.Marshal(merged); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// objectFields reads a JSON object's fields (empty for absent or null).
func objectFields(raw json.RawMessage, field string) (map[string]json.RawMessage, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return map[string]json.RawMessage{}, nil
	}
	var m map[string]json.RawMessage
	if raw[0] != '{' || json.Unmarshal(raw, &m) != nil {
		return nil, gmailsend.Invalid(field, "must be a JSON object")
	}
	return m, nil
}

// templateMemo keeps what one call (a batch) loaded of each template, so
// a hundred messages of one template read and parse it once.
type templateMemo struct {
	mu    sync.Mutex
	byKey map[string]*memoEntry
}

type memoEntry struct {
	once   sync.Once
	tpl    *mailtemplate.Template
	parsed *mailtemplate.Parsed
	err    error
}

type templateMemoKey struct{}

// withTemplateMemo makes every Expand under ctx share loads.
func withTemplateMemo(ctx context.Context) context.Context {
	return context.WithValue(ctx, templateMemoKey{}, &templateMemo{byKey: map[string]*memoEntry{}})
}

// loadParsed loads and parses the latest version of name, once per memo.
func (t *Templates) loadParsed(ctx context.Context, caller, name string) (*mailtemplate.Template, *mailtemplate.Parsed, error) {
	load := func() (*mailtemplate.Template, *mailtemplate.Parsed, error) {
		tpl, err := t.load(ctx, caller, name, 0)
		if err != nil {
			return nil, nil, err
		}
		p, err := mailtemplate.Parse(tpl.Source)
		return tpl, p, err
	}
	memo, _ := ctx.Value(templateMemoKey{}).(*templateMemo)
	if memo == nil {
		return load()
	}
	memo.mu.Lock()
	e := memo.byKey[caller+"\x00"+name]
	if e == nil {
		e = &memoEntry{}
		memo.byKey[caller+"\x00"+name] = e
	}
	memo.mu.Unlock()
	e.once.Do(func() { e.tpl, e.parsed, e.err = load() })
	return e.tpl, e.parsed, e.err
}
