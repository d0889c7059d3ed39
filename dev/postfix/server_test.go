package postfix

import (
	"crypto/tls"
	"errors"
	"net/smtp"
	"net/textproto"
	"os"
	"strings"
	"testing"
)

// TestStartOffersSubmission ensures the started Postfix is what the tests and the benchmark rely on: AUTH only after STARTTLS with the generated CA, PIPELINING and CHUNKING offered, the test account accepted, the one refused recipient refused, and nothing left behind by Close.
func TestStartOffersSubmission(t *testing.T) {
	s := StartTest(t, Options{})
	c, err := smtp.Dial(s.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Hello("client.test"); err != nil {
		t.Fatal(err)
	}
	if ok, _ := c.Extension("AUTH"); ok {
		t.Fatal("AUTH offered before STARTTLS")
	}
	if err := c.StartTLS(&tls.Config{ServerName: s.Host, RootCAs: s.CA.Pool()}); err != nil {
		t.Fatal(err)
	}
	for _, ext := range []string{"PIPELINING", "CHUNKING", "AUTH"} {
		if ok, params := c.Extension(ext); !ok || ext == "AUTH" && !strings.Contains(params, "PLAIN") {
			t.Fatalf("%s not offered after STARTTLS (%q)", ext, params)
		}
	}
	if err := c.Auth(smtp.PlainAuth("", User, Password, s.Host)); err != nil {
		t.Fatal(err)
	}
	if err := c.Mail(User); err != nil {
		t.Fatal(err)
	}
	var te *textproto.Error
	if err := c.Rcpt(RefusedRecipient); !errors.As(err, &te) || te.Code != 550 || !strings.HasPrefix(te.Msg, "5.1.1 ") {
		t.Fatalf("RCPT %s: %v, want 550 5.1.1", RefusedRecipient, err)
	}
	_ = c.Quit()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(s.Dir); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("%s left behind: %v", s.Dir, err)
	}
}
