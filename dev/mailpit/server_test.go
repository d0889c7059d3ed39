package mailpit_test

import (
	"context"
	"crypto/tls"
	"io"
	"net/smtp"
	"strings"
	"testing"
	"time"

	"github.com/gmailsend/gmailsend/dev/devsmtp"
	"github.com/gmailsend/gmailsend/dev/fixture"
	"github.com/gmailsend/gmailsend/dev/mailpit"
)

// TestMailpitRequiresSTARTTLSAndAuth ensures the Mailpit this package starts refuses mail before STARTTLS and without AUTH, verifies against the local CA, and gives back over its API what an authenticated client sent.
func TestMailpitRequiresSTARTTLSAndAuth(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	bin, err := mailpit.Install(ctx, fixture.ModuleRoot(t), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	ca, err := devsmtp.NewCA()
	if err != nil {
		t.Fatal(err)
	}
	mp, err := mailpit.Start(ctx, mailpit.Options{Binary: bin, Dir: t.TempDir(), CA: ca, Users: map[string]string{"me@gmail.com": "secretsecret"}})
	if err != nil {
		t.Fatal(err)
	}
	defer mp.Close()

	c, err := smtp.Dial(mp.SMTPAddr)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Mail("me@gmail.com"); err == nil {
		t.Error("MAIL accepted before STARTTLS")
	}
	c.Close()

	tlsDial := func() *smtp.Client {
		c, err := smtp.Dial(mp.SMTPAddr)
		if err != nil {
			t.Fatal(err)
		}
		if err := c.StartTLS(&tls.Config{RootCAs: ca.Pool(), ServerName: "127.0.0.1"}); err != nil {
			t.Fatalf("STARTTLS with the local CA: %v", err)
		}
		return c
	}
	wrong := tlsDial()
	if err := wrong.Auth(smtp.PlainAuth("", "me@gmail.com", "wrong-password", "127.0.0.1")); err == nil {
		t.Error("a wrong password was accepted")
	}
	wrong.Close()
	c = tlsDial()
	defer c.Close()
	if err := c.Auth(smtp.PlainAuth("", "me@gmail.com", "secretsecret", "127.0.0.1")); err != nil {
		t.Fatal(err)
	}
	if err := c.Mail("me@gmail.com"); err != nil {
		t.Fatal(err)
	}
	if err := c.Rcpt("kim@example.com"); err != nil {
		t.Fatal(err)
	}
	w, err := c.Data()
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.WriteString(w, "From: me@gmail.com\r\nTo: kim@example.com\r\nSubject: =?UTF-8?B?7ZqM7J2YIOyViOuCtA==?=\r\n\r\nhello\r\n")
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	_ = c.Quit()

	var ids []string
	for deadline := time.Now().Add(3 * time.Second); len(ids) == 0 && time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		ids, _ = mp.IDs(ctx)
	}
	if len(ids) != 1 {
		t.Fatalf("Mailpit holds %d messages", len(ids))
	}
	m, err := mp.Message(ctx, ids[0])
	if err != nil || m.Subject != "회의 안내" || !strings.Contains(mp.Links(m), "/view/"+m.ID+".html") {
		t.Fatalf("%+v %v", m, err)
	}
}
