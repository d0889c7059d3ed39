package gmailsend

import (
	"encoding/base64"
	"strings"
	"testing"
)

func validRequest() *Request {
	return &Request{User: "me@gmail.com", FromUsername: "홍길동", ToEmail: AddressList{"you@example.com"},
		Subject: "안녕하세요", Message: "<p>hi</p>"}
}

// TestValidateAccepts ensures a full request validates into the expected Mail.
func TestValidateAccepts(t *testing.T) {
	r := validRequest()
	r.ToEmail = AddressList{"홍길동 <gil@example.com>", "b@example.com"}
	r.Cc = AddressList{"c@example.com"}
	r.Bcc = AddressList{"B@example.com", "hidden@example.com"}
	r.Attachments = []Attachment{{Filename: "보고서.pdf", Content: base64.StdEncoding.EncodeToString([]byte("%PDF"))}}
	m, err := Validate(r, DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	if m.From != (Address{Name: "홍길동", Email: "me@gmail.com"}) || m.To[0] != (Address{Name: "홍길동", Email: "gil@example.com"}) {
		t.Fatalf("from/to: %+v %+v", m.From, m.To)
	}
	if got := strings.Join(m.Recipients(), ","); got != "gil@example.com,b@example.com,c@example.com,hidden@example.com" {
		t.Fatalf("envelope (deduplicated, case-insensitive) = %s", got)
	}
	if m.Attachments[0].ContentType != "application/pdf" || string(m.Attachments[0].Data) != "%PDF" {
		t.Fatalf("attachment %+v", m.Attachments[0])
	}
}

// TestValidateRefusals covers every validation rule with the field it must name.
func TestValidateRefusals(t *testing.T) {
	many := make(AddressList, 101)
	for i := range many {
		many[i] = "r" + itoa(i) + "@example.com"
	}
	cases := []struct {
		name  string
		edit  func(*Request)
		field string
		msg   string
	}{
		{"missing user", func(r *Request) { r.User = "" }, "user", "missing required field"},
		{"user with name", func(r *Request) { r.User = "Me <me@gmail.com>" }, "user", "bare address"},
		{"invalid user", func(r *Request) { r.User = "not-an-address" }, "user", "not a valid email address"},
		{"missing to", func(r *Request) { r.ToEmail = nil }, "toEmail", "missing required field"},
		{"invalid to", func(r *Request) { r.ToEmail = AddressList{"a@@b"} }, "toEmail", "not a valid email address"},
		{"no dot domain", func(r *Request) { r.ToEmail = AddressList{"a@localhost"} }, "toEmail", "no dot"},
		{"crlf in address", func(r *Request) { r.ToEmail = AddressList{"a@x.com\r\nBcc: evil@x.com"} }, "toEmail", "line break"},
		{"crlf in encoded name", func(r *Request) { r.Cc = AddressList{"=?utf-8?b?DQpCY2M6IGV2aWxAeC5jb20=?= <a@x.com>"} }, "cc", "line break"},
		{"comment", func(r *Request) { r.ToEmail = AddressList{"a@x.com (Gil)"} }, "toEmail", "comment"},
		{"quoted local", func(r *Request) { r.ToEmail = AddressList{`"a b"@x.com`} }, "toEmail", "local part"},
		{"idn", func(r *Request) { r.ToEmail = AddressList{"a@bücher.de"} }, "toEmail", "punycode"},
		{"homoglyph", func(r *Request) { r.ToEmail = AddressList{"a@gmаil.com"} }, "toEmail", "punycode"},
		{"literal", func(r *Request) { r.ToEmail = AddressList{"a@[127.0.0.1]"} }, "toEmail", "not a valid"},
		{"second of list", func(r *Request) { r.Bcc = AddressList{"ok@x.com", "bad"} }, "bcc[1]", "not a valid"},
		{"crlf in fromUsername", func(r *Request) { r.FromUsername = "A\r\nBcc: x@y.com" }, "fromUsername", "line break"},
		{"crlf in subject", func(r *Request) { r.Subject = "hi\nBcc: x@y.com" }, "subject", "line break"},
		{"nul in subject", func(r *Request) { r.Subject = "a\x00b" }, "subject", "control"},
		{"u2028 in subject", func(r *Request) { r.Subject = "a\u2028b" }, "subject", "line break"},
		{"no body", func(r *Request) { r.Message = " " }, "message", "missing required field"},
		{"nul in body", func(r *Request) { r.Message = "a\x00" }, "message", "NUL"},
		{"too many recipients", func(r *Request) { r.ToEmail = many }, "toEmail", "101 recipients"},
		{"bad base64", func(r *Request) { r.Attachments = []Attachment{{Filename: "a.txt", Content: "!!!!"}} }, "attachments[0].content", "not valid base64"},
		{"empty content", func(r *Request) { r.Attachments = []Attachment{{Filename: "a.txt"}} }, "attachments[0].content", "missing"},
		{"empty filename", func(r *Request) { r.Attachments = []Attachment{{Filename: " ", Content: "YQ=="}} }, "attachments[0].filename", "missing"},
		{"path filename", func(r *Request) { r.Attachments = []Attachment{{Filename: "../../etc/passwd", Content: "YQ=="}} }, "attachments[0].filename", "not a path"},
		{"windows path", func(r *Request) { r.Attachments = []Attachment{{Filename: `C:\x.txt`, Content: "YQ=="}} }, "attachments[0].filename", "not a path"},
		{"crlf filename", func(r *Request) { r.Attachments = []Attachment{{Filename: "a\r\n.txt", Content: "YQ=="}} }, "attachments[0].filename", "line break"},
		{"bad content type", func(r *Request) {
			r.Attachments = []Attachment{{Filename: "a.txt", ContentType: "text", Content: "YQ=="}}
		}, "attachments[0].contentType", "media type"},
		{"crlf content type", func(r *Request) {
			r.Attachments = []Attachment{{Filename: "a.txt", ContentType: "text/plain\r\nX: y", Content: "YQ=="}}
		}, "attachments[0].contentType", "line break"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := validRequest()
			c.edit(r)
			_, err := Validate(r, DefaultLimits())
			wantInvalid(t, err, c.field, c.msg)
		})
	}
}

// TestValidateTooLarge ensures an oversized message is payload_too_large, not invalid.
func TestValidateTooLarge(t *testing.T) {
	r := validRequest()
	r.Attachments = []Attachment{{Filename: "big.bin", Content: base64.StdEncoding.EncodeToString(make([]byte, 2000))}}
	_, err := Validate(r, RequestLimits{MaxRecipients: 100, MaxMessageBytes: 1000})
	if e := AsError(err); e.Code != CodePayloadTooLarge {
		t.Fatalf("got %v", err)
	}
}

// TestRecipientLimitConfigurable ensures the limit comes from RequestLimits.
func TestRecipientLimitConfigurable(t *testing.T) {
	r := validRequest()
	r.Cc = AddressList{"b@example.com", "c@example.com"}
	_, err := Validate(r, RequestLimits{MaxRecipients: 2, MaxMessageBytes: 1 << 20})
	wantInvalid(t, err, "toEmail", "at most 2")
}

// TestNormalizePassword ensures only app-password-shaped values lose their spaces.
func TestNormalizePassword(t *testing.T) {
	for in, want := range map[string]string{
		"abcd efgh ijkl mnop": "abcdefghijklmnop",
		"abcdefghijklmnop":    "abcdefghijklmnop",
		"my pass word":        "my pass word",
	} {
		if got := NormalizePassword(in); got != want {
			t.Errorf("NormalizePassword(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestCodeRetryable ensures every code has the documented retry decision (its HTTP status is lambdahandler's TestCodeTable).
func TestCodeRetryable(t *testing.T) {
	want := map[Code]bool{
		CodeInvalidRequest: false, CodePayloadTooLarge: false, CodeSMTPAuthFailed: false,
		CodeTLSRequired: false, CodeRateLimited: true, CodeSMTPRejected: false,
		CodeSMTPUnavailable: true, CodeTimeout: true, CodeInternal: true, CodeForbidden: false,
		CodeDeliveryUnknown: false, "no_such_code": true,
	}
	for c, retry := range want {
		if c.Retryable() != retry {
			t.Errorf("%s: retry %v, want %v", c, c.Retryable(), retry)
		}
	}
	if len(Codes()) < len(want)-1 {
		t.Fatal("Codes() misses codes")
	}
}
