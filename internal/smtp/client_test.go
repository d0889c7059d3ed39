package smtp

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"net/mail"
	"strings"
	"testing"
	"time"

	gosmtp "github.com/emersion/go-smtp"
	"github.com/go-gomail/gomail"

	"github.com/gmailsend/gmailsend"
	"github.com/gmailsend/gmailsend/dev/devsmtp"
)

const (
	testUser     = "sender@gmail.com"
	testPassword = "abcdefghijklmnop"
)

var goodCreds = Credentials{User: testUser, Password: testPassword}

// startServer runs a development SMTP server with STARTTLS and returns a
// client configuration that trusts it.
func startServer(t *testing.T, o devsmtp.Options) (*devsmtp.Server, Config) {
	t.Helper()
	if o.Users == nil {
		o.Users = map[string]string{testUser: testPassword}
	}
	srv, ca, _, err := devsmtp.StartLocal(o, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	cfg := DefaultConfig()
	cfg.Host, cfg.Port, cfg.RootCAs = "127.0.0.1", srv.Port, ca.Pool()
	cfg.ImplicitTLS = o.ImplicitTLS
	return srv, cfg
}

func testMessage(to ...string) *gomail.Message {
	m := gomail.NewMessage()
	m.SetHeader("From", testUser)
	m.SetHeader("To", to...)
	m.SetHeader("Subject", "test")
	m.SetBody("text/plain", "body")
	return m
}

func ctxTimeout(t *testing.T, d time.Duration) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

func wantCode(t *testing.T, err error, code gmailsend.Code) *gmailsend.Error {
	t.Helper()
	e := gmailsend.AsError(err)
	if e == nil || e.Code != code {
		t.Fatalf("want %s, got %v", code, err)
	}
	return e
}

// TestDeliverWithSTARTTLS ensures a message arrives over STARTTLS with AUTH after TLS only.
func TestDeliverWithSTARTTLS(t *testing.T) {
	for _, mech := range []string{"PLAIN", "LOGIN"} {
		t.Run(mech, func(t *testing.T) {
			srv, cfg := startServer(t, devsmtp.Options{Mechanisms: []string{mech}})
			c := New(cfg)
			defer c.Close()
			if err := c.Send(ctxTimeout(t, 5*time.Second), goodCreds, testMessage("a@example.com", "b@example.com")); err != nil {
				t.Fatal(err)
			}
			msgs := srv.Messages()
			if len(msgs) != 1 || msgs[0].From != testUser || strings.Join(msgs[0].To, ",") != "a@example.com,b@example.com" {
				t.Fatalf("delivered %+v", msgs)
			}
			auths := srv.AuthAttempts()
			if len(auths) != 1 || !auths[0].TLS || auths[0].Mechanism != mech || !auths[0].OK {
				t.Fatalf("auth attempts %+v", auths)
			}
			if _, err := mail.ReadMessage(strings.NewReader(string(msgs[0].Data))); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestImplicitTLS ensures port-465-style servers work.
func TestImplicitTLS(t *testing.T) {
	srv, cfg := startServer(t, devsmtp.Options{ImplicitTLS: true})
	if err := New(cfg).Send(ctxTimeout(t, 5*time.Second), goodCreds, testMessage("a@example.com")); err != nil {
		t.Fatal(err)
	}
	if len(srv.Messages()) != 1 || !srv.AuthAttempts()[0].TLS {
		t.Fatal("not delivered over implicit TLS")
	}
}

// TestNoSTARTTLSSendsNoCredentials ensures a server without STARTTLS gets neither AUTH nor mail.
func TestNoSTARTTLSSendsNoCredentials(t *testing.T) {
	srv, err := devsmtp.Start(devsmtp.Options{Users: map[string]string{testUser: testPassword}, AllowInsecureAuth: true})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	cfg := DefaultConfig()
	cfg.Host, cfg.Port = "127.0.0.1", srv.Port
	err = New(cfg).Send(ctxTimeout(t, 5*time.Second), goodCreds, testMessage("a@example.com"))
	wantCode(t, err, gmailsend.CodeTLSRequired)
	if n := len(srv.AuthAttempts()); n != 0 {
		t.Fatalf("%d AUTH attempts reached a plaintext server that would have accepted them", n)
	}
	if st := srv.Stats(); st.Mails != 0 {
		t.Fatalf("MAIL sent without TLS: %+v", st)
	}
}

// TestAuthRefusesWithoutTLS ensures the mechanisms themselves refuse a plaintext connection.
func TestAuthRefusesWithoutTLS(t *testing.T) {
	for name, a := range map[string]authStarter{
		"PLAIN": plainAuth{"u", "p"}, "LOGIN": loginAuth{"u", "p"}, "XOAUTH2": &xoauth2Auth{user: "u", token: "t"},
	} {
		if _, resp, err := a.Start(&netsmtpServerInfo{Name: "localhost", TLS: false, Auth: []string{name}}); !errors.Is(err, errAuthWithoutTLS) || resp != nil {
			t.Errorf("%s started without TLS: %q %v", name, resp, err)
		}
	}
}

// TestCertificateVerified ensures a certificate for another host, an expired one or an unknown CA stops the send.
func TestCertificateVerified(t *testing.T) {
	ca, err := devsmtp.NewCA()
	if err != nil {
		t.Fatal(err)
	}
	wrongHost, _ := ca.Leaf(devsmtp.LeafOptions{Hosts: []string{"smtp.example.net"}})
	expired, _ := ca.Leaf(devsmtp.LeafOptions{Expired: true})
	good, _ := ca.Leaf(devsmtp.LeafOptions{})
	cases := map[string]struct {
		leaf    devsmtpCert
		trustCA bool
		reason  string
	}{
		"wrong host": {wrongHost, true, "not valid for"},
		"expired":    {expired, true, "expired"},
		"unknown CA": {good, false, "unknown authority"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			srv, cfg := startServer(t, devsmtp.Options{TLS: tlsFor(c.leaf)})
			if !c.trustCA {
				cfg.RootCAs = nil
			} else {
				cfg.RootCAs = ca.Pool()
			}
			err := New(cfg).Send(ctxTimeout(t, 5*time.Second), goodCreds, testMessage("a@example.com"))
			e := wantCode(t, err, gmailsend.CodeTLSRequired)
			if !strings.Contains(e.Message, c.reason) {
				t.Errorf("message %q lacks %q", e.Message, c.reason)
			}
			if len(srv.AuthAttempts()) != 0 || srv.Stats().Mails != 0 {
				t.Fatal("credentials or mail went to an unverified server")
			}
		})
	}
}

// TestWrongPassword ensures Gmail's 535 5.7.8 becomes smtp_auth_failed with the server's reply and Google's requirements.
func TestWrongPassword(t *testing.T) {
	_, cfg := startServer(t, devsmtp.Options{})
	err := New(cfg).Send(ctxTimeout(t, 5*time.Second), Credentials{User: testUser, Password: "wrong"}, testMessage("a@example.com"))
	e := wantCode(t, err, gmailsend.CodeSMTPAuthFailed)
	if e.SMTP == nil || e.SMTP.Code != 535 || e.SMTP.EnhancedCode != "5.7.8" || !strings.Contains(e.SMTP.Message, "Username and Password not accepted") {
		t.Fatalf("smtp reply %+v", e.SMTP)
	}
	if !strings.Contains(e.Message, "app password") || !strings.Contains(e.Message, "2-Step Verification") {
		t.Fatalf("message does not say what Google requires: %q", e.Message)
	}
}

// TestReplyMapping ensures server replies at each stage map to their documented codes.
func TestReplyMapping(t *testing.T) {
	cases := []struct {
		name  string
		stage string
		reply *gosmtp.SMTPError
		code  gmailsend.Code
	}{
		{"daily limit", "MAIL", &gosmtp.SMTPError{Code: 550, EnhancedCode: gosmtp.EnhancedCode{5, 4, 5}, Message: "Daily user sending limit exceeded."}, gmailsend.CodeRateLimited},
		{"421 4.7.0", "MAIL", &gosmtp.SMTPError{Code: 421, EnhancedCode: gosmtp.EnhancedCode{4, 7, 0}, Message: "Try again later"}, gmailsend.CodeRateLimited},
		{"451 temporary", "MAIL", &gosmtp.SMTPError{Code: 451, EnhancedCode: gosmtp.EnhancedCode{4, 3, 0}, Message: "Temporary"}, gmailsend.CodeSMTPUnavailable},
		{"550 recipient", "RCPT", &gosmtp.SMTPError{Code: 550, EnhancedCode: gosmtp.EnhancedCode{5, 1, 1}, Message: "No such user"}, gmailsend.CodeSMTPRejected},
		{"552 too large", "DATA", &gosmtp.SMTPError{Code: 552, EnhancedCode: gosmtp.EnhancedCode{5, 3, 4}, Message: "Message too big"}, gmailsend.CodeSMTPRejected},
		{"554 spam", "DATA", &gosmtp.SMTPError{Code: 554, EnhancedCode: gosmtp.EnhancedCode{5, 7, 0}, Message: "Message rejected"}, gmailsend.CodeSMTPRejected},
	}
	for _, pipelining := range []bool{true, false} {
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				srv, cfg := startServer(t, devsmtp.Options{Reject: func(stage, _ string) error {
					if stage == c.stage {
						return c.reply
					}
					return nil
				}})
				cfg.DisablePipelining = !pipelining
				err := New(cfg).Send(ctxTimeout(t, 5*time.Second), goodCreds, testMessage("a@example.com"))
				e := wantCode(t, err, c.code)
				if e.SMTP == nil || e.SMTP.Code != c.reply.Code || e.SMTP.Message != c.reply.Message {
					t.Fatalf("smtp %+v", e.SMTP)
				}
				if c.code == gmailsend.CodeRateLimited && e.RetryAfter <= 0 {
					t.Fatal("rate_limited without Retry-After")
				}
				if len(srv.Messages()) != 0 {
					t.Fatal("message delivered despite refusal")
				}
			})
		}
	}
}

// TestSilentServerTimesOut ensures a server that never answers gives timeout well within the deadline.
func TestSilentServerTimesOut(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close() // hold it open, say nothing
		}
	}()
	cfg := DefaultConfig()
	cfg.Host, cfg.Port = "127.0.0.1", ln.Addr().(*net.TCPAddr).Port
	cfg.SafetyMargin = 200 * time.Millisecond
	start := time.Now()
	err = New(cfg).Send(ctxTimeout(t, time.Second), goodCreds, testMessage("a@example.com"))
	wantCode(t, err, gmailsend.CodeTimeout)
	if took := time.Since(start); took > 900*time.Millisecond {
		t.Fatalf("took %v: the safety margin was not kept", took)
	}
}

// TestTLS12Minimum ensures a server that only speaks TLS 1.1 is refused before AUTH.
func TestTLS12Minimum(t *testing.T) {
	ca, err := devsmtp.NewCA()
	if err != nil {
		t.Fatal(err)
	}
	leaf, _ := ca.Leaf(devsmtp.LeafOptions{})
	old := tlsFor(leaf)
	old.MinVersion, old.MaxVersion = tls.VersionTLS10, tls.VersionTLS11
	srv, cfg := startServer(t, devsmtp.Options{TLS: old})
	cfg.RootCAs = ca.Pool()
	err = New(cfg).Send(ctxTimeout(t, 5*time.Second), goodCreds, testMessage("a@example.com"))
	wantCode(t, err, gmailsend.CodeTLSRequired)
	if len(srv.AuthAttempts()) != 0 {
		t.Fatal("AUTH after a refused TLS version")
	}
}
