package gmailsend

import "testing"

// TestTemplateFieldsShape ensures "variables" takes any object (nested,
// with any keys) and nothing else, "unsubscribe" only a boolean, and both
// shape walks say the same.
func TestTemplateFieldsShape(t *testing.T) {
	cases := []struct {
		body, field string // field "" when accepted
	}{
		{`{"template": "booking", "variables": {"name": "홍길동", "n": 1, "a": [1, {"b": null}], "toEmail": true}}`, ""},
		{`{"template": "booking", "variables": null, "unsubscribe": true}`, ""},
		{`{"variables": [1]}`, "variables"},
		{`{"variables": "x"}`, "variables"},
		{`{"unsubscribe": "yes"}`, "unsubscribe"},
		{`{"unsubscribe": 1}`, "unsubscribe"},
		{`{"template": 3}`, "template"},
	}
	for _, c := range cases {
		for name, walk := range map[string]func([]byte) error{"valid": validShape, "decoder": decoderShape} {
			err := walk([]byte(c.body))
			if c.field == "" && err != nil || c.field != "" && (err == nil || AsError(err).Field != c.field) {
				t.Errorf("%s walk of %s: %v, want field %q", name, c.body, err, c.field)
			}
		}
	}
}
