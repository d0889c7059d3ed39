package gmailsend

import (
	"encoding/json"
	"net/mail"
	"testing"
)

// FuzzDecodeValidate ensures any body is either refused with a 4xx code or
// validates into a Mail whose header fields hold no control characters.
func FuzzDecodeValidate(f *testing.F) {
	f.Add([]byte(`{"user":"me@gmail.com","password":"p","toEmail":"a@example.com","subject":"안녕","message":"<p>x</p>"}`))
	f.Add([]byte(`{"user":"me@gmail.com","toEmail":["홍길동 <a@example.com>","b@example.com"],"cc":"c@example.com, \"D, E\" <d@example.com>","subject":"s","text":"t","attachments":[{"filename":"a.txt","content":"YQ=="}]}`))
	f.Add([]byte(`{"toEmail":"a@example.com\r\nBcc: x@example.com"}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		r, err := DecodeRequest(body)
		if err == nil {
			var m *Mail
			m, err = Validate(r, DefaultLimits())
			if err == nil {
				for _, a := range append(append(append([]Address{m.From}, m.To...), m.Cc...), m.Bcc...) {
					if hasControl(a.Name) || hasControl(a.Email) || checkMailbox(a.Email) != nil {
						t.Fatalf("accepted unsafe address %q", a)
					}
				}
				if hasControl(m.Subject) {
					t.Fatalf("accepted subject %q", m.Subject)
				}
				return
			}
		}
		e := AsError(err)
		if e.Code != CodeInvalidRequest && e.Code != CodePayloadTooLarge { // the caller's fault: 4xx (lambdahandler/codes.go)
			t.Fatalf("refusal with code %s: %v", e.Code, err)
		}
	})
}

// FuzzParseAddressList ensures every accepted address is a plain ASCII
// mailbox that net/mail reads back unchanged.
func FuzzParseAddressList(f *testing.F) {
	for _, s := range []string{"a@example.com", "홍길동 <gil@example.com>", `"Hong, Gildong" <g@example.com>, b@example.com`,
		"=?utf-8?b?7ZmN6ri464+Z?= <g@example.com>", "a@example.com (comment)", "a@b@c", "<a@example.com>;b@example.com"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		raw, _ := json.Marshal(s)
		var l AddressList
		if err := l.UnmarshalJSON(raw); err != nil {
			return
		}
		for _, entry := range l {
			a, err := ParseAddress("toEmail", entry)
			if err != nil {
				if CodeOf(err) != CodeInvalidRequest {
					t.Fatalf("refused with %v", err)
				}
				continue
			}
			if hasControl(a.Name) || checkMailbox(a.Email) != nil {
				t.Fatalf("accepted %q from %q", a, entry)
			}
			back, err := mail.ParseAddress((&mail.Address{Name: a.Name, Address: a.Email}).String())
			if err != nil || back.Address != a.Email || back.Name != a.Name {
				t.Fatalf("%q does not round-trip: %v %v", a, back, err)
			}
		}
	})
}
