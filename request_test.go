package gmailsend

import (
	"errors"
	"strings"
	"testing"
)

// wantInvalid asserts err is invalid_request naming field and mentioning msg.
func wantInvalid(t *testing.T, err error, field, msg string) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("want invalid_request on %q, got %v", field, err)
	}
	if e.Code != CodeInvalidRequest || e.Field != field || !strings.Contains(e.Message, msg) {
		t.Fatalf("want invalid_request field=%q containing %q, got code=%s field=%q message=%q", field, msg, e.Code, e.Field, e.Message)
	}
}

// TestDecodeOriginalSixFields ensures the platform's original request decodes unchanged.
func TestDecodeOriginalSixFields(t *testing.T) {
	r, err := DecodeRequest([]byte(`{"user":"me@gmail.com","password":"abcd efgh ijkl mnop","fromUsername":"홍길동",
		"toEmail":"you@example.com","subject":"안녕하세요","message":"<p>hi</p>"}`))
	if err != nil {
		t.Fatal(err)
	}
	if r.User != "me@gmail.com" || r.FromUsername != "홍길동" || r.Subject != "안녕하세요" ||
		len(r.ToEmail) != 1 || r.ToEmail[0] != "you@example.com" || r.Message != "<p>hi</p>" {
		t.Fatalf("decoded %+v", r)
	}
}

// TestDecodeAddressForms ensures a string, a comma list and an array all decode to entries.
func TestDecodeAddressForms(t *testing.T) {
	r, err := DecodeRequest([]byte(`{"toEmail":"a@x.com, \"Hong, Gildong\" <b@x.com>,","cc":["c@x.com","홍길동 <d@x.com>"],"bcc":null}`))
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(r.ToEmail, "|"); got != `a@x.com|"Hong, Gildong" <b@x.com>` {
		t.Fatalf("toEmail = %q", got)
	}
	if got := strings.Join(r.Cc, "|"); got != "c@x.com|홍길동 <d@x.com>" {
		t.Fatalf("cc = %q", got)
	}
	if r.Bcc != nil {
		t.Fatalf("bcc = %q", r.Bcc)
	}
}

// TestDecodeRefusals ensures every malformed body is refused with the field at fault.
func TestDecodeRefusals(t *testing.T) {
	cases := []struct {
		name, body, field, msg string
	}{
		{"empty", ``, "", "empty"},
		{"typo", `{"toEmails":"a@x.com"}`, "toEmails", `did you mean "toEmail"`},
		{"case", `{"User":"a@x.com"}`, "User", `did you mean "user"`},
		{"duplicate", `{"subject":"a","subject":"b"}`, "subject", "more than once"},
		{"number", `{"subject":5}`, "subject", "must be a string, not a number"},
		{"object address", `{"toEmail":{"a":1}}`, "toEmail", "address or an array"},
		{"array item", `{"toEmail":["a@x.com",3]}`, "toEmail[1]", "must be an address string"},
		{"attachments object", `{"attachments":{}}`, "attachments", "array of attachment objects"},
		{"attachment string", `{"attachments":["x"]}`, "attachments[0]", "attachment object"},
		{"attachment field", `{"attachments":[{"name":"a.txt"}]}`, "attachments[0].name", "unknown field"},
		{"array body", `[1,2]`, "", "must be a JSON object"},
		{"two values", `{} {}`, "", "more than one JSON value"},
		{"bad utf8", "{\"subject\":\"\xff\"}", "", "UTF-8"},
		{"truncated", `{"subject":"a"`, "", "not valid JSON"},
		{"deep nesting", `{"user":` + strings.Repeat("[", 10000) + strings.Repeat("]", 10000) + `}`, "user", "must be a string"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := DecodeRequest([]byte(c.body))
			wantInvalid(t, err, c.field, c.msg)
		})
	}
}
