package gomailmime

import (
	"bytes"
	"net/mail"
	"strings"
	"testing"
	"time"

	"github.com/go-gomail/gomail"

	"github.com/gmailsend/gmailsend"
)

const injection = "victim@example.com>\r\nBcc: attacker@evil.example\r\nX-Injected: <x"

// TestGomailSetAddressHeaderGap shows the gap this package covers: gomail
// writes SetAddressHeader's address raw, so CR LF injects headers, while
// the same input through gmailsend.Validate never reaches gomail.
func TestGomailSetAddressHeaderGap(t *testing.T) {
	raw := gomail.NewMessage()
	raw.SetHeader("From", "me@gmail.com")
	raw.SetAddressHeader("To", injection, "")
	raw.SetBody("text/plain", "x")
	var buf bytes.Buffer
	if _, err := raw.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "\r\nX-Injected:") {
		t.Fatal("the pinned gomail no longer writes addresses raw: re-examine this gap before upgrading")
	}

	r := &gmailsend.Request{User: "me@gmail.com", Password: "p", ToEmail: gmailsend.AddressList{injection}, Subject: "s", Message: "m"}
	if _, err := gmailsend.Validate(r, gmailsend.DefaultLimits()); gmailsend.CodeOf(err) != gmailsend.CodeInvalidRequest {
		t.Fatalf("injection was not refused: %v", err)
	}
	// And what Build writes for a hostile but valid display name stays one header.
	m := &gmailsend.Mail{From: gmailsend.Address{Email: "me@gmail.com"}, Subject: "s", Text: "t",
		To: []gmailsend.Address{{Name: `Evil" <x@evil.example>, "Bcc: y`, Email: "victim@example.com"}}}
	buf.Reset()
	if _, err := Build(m, time.Now()).Message.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	msg, err := mail.ReadMessage(&buf)
	if err != nil {
		t.Fatal(err)
	}
	to, err := msg.Header.AddressList("To")
	if err != nil || len(to) != 1 || to[0].Address != "victim@example.com" || msg.Header.Get("Bcc") != "" {
		t.Fatalf("To %v (%v), Bcc %q", to, err, msg.Header.Get("Bcc"))
	}
}
