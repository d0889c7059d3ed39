package imapmail_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/gmailsend/gmailsend/dev/devimap"
	"github.com/gmailsend/gmailsend/dev/devsmtp"
	"github.com/gmailsend/gmailsend/dev/fixture"
	"github.com/gmailsend/gmailsend/internal/imapmail"
)

const goodToken = "ya29.good-token"

// startIMAP starts a TLS development server with the test accounts and an
// archive folder, and returns it with a client configuration trusting it.
func startIMAP(tb testing.TB, o devimap.Options) (*devimap.Server, imapmail.Config) {
	tb.Helper()
	if o.Users == nil {
		o.Users = map[string]string{fixture.User: fixture.Password, fixture.User2: fixture.Password2}
	}
	o.Folders = append(o.Folders, "Bounces")
	o.TokenStatus = func(_, token string) string {
		if token == goodToken {
			return ""
		}
		return "401"
	}
	srv, ca := devimap.StartTest(tb, o)
	return srv, imapmail.Config{Host: "127.0.0.1", Port: srv.Port, RootCAs: ca.Pool()}
}

func sample(tb testing.TB, name string) []byte {
	tb.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "enmimedsn", "testdata", name))
	if err != nil {
		tb.Fatal(err)
	}
	return raw
}

func ctx(tb testing.TB) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	tb.Cleanup(cancel)
	return c
}

// TestXOAuth2 ensures an access token authenticates with XOAUTH2 over TLS
// and a rejected one is ErrAuth.
func TestXOAuth2(t *testing.T) {
	srv, cfg := startIMAP(t, devimap.Options{})
	s, err := imapmail.Open(ctx(t), cfg, imapmail.Credentials{User: fixture.User, AccessToken: goodToken})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Select(ctx(t)); err != nil {
		t.Fatal(err)
	}
	s.Close(ctx(t))
	_, err = imapmail.Open(ctx(t), cfg, imapmail.Credentials{User: fixture.User, AccessToken: "ya29.expired"})
	if !errors.Is(err, imapmail.ErrAuth) {
		t.Fatalf("bad token: %v, want ErrAuth", err)
	}
	a := srv.AuthAttempts()
	if len(a) != 2 || a[0] != (devimap.AuthAttempt{Mechanism: "XOAUTH2", TLS: true, User: fixture.User, OK: true}) || a[1].OK {
		t.Errorf("attempts = %+v", a)
	}
}

// TestWrongPassword ensures a refused LOGIN is ErrAuth without the password
// in the error.
func TestWrongPassword(t *testing.T) {
	_, cfg := startIMAP(t, devimap.Options{})
	_, err := imapmail.Open(ctx(t), cfg, imapmail.Credentials{User: fixture.User, Password: "wrongwrongwrong1"})
	if !errors.Is(err, imapmail.ErrAuth) || bytes.Contains([]byte(err.Error()), []byte("wrongwrong")) {
		t.Fatalf("err = %v", err)
	}
}

// TestPlaintextServerGetsNoCredentials ensures a server without TLS (one
// that would accept LOGIN in the clear) receives neither password nor
// token: not an AUTH attempt, not a byte of the secret.
func TestPlaintextServerGetsNoCredentials(t *testing.T) {
	srv, err := devimap.Start(devimap.Options{Users: map[string]string{fixture.User: fixture.Password}, Capture: true})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	cfg := imapmail.Config{Host: "127.0.0.1", Port: srv.Port}
	for _, cred := range []imapmail.Credentials{
		{User: fixture.User, Password: fixture.Password},
		{User: fixture.User, AccessToken: goodToken},
	} {
		if _, err := imapmail.Open(ctx(t), cfg, cred); !errors.Is(err, imapmail.ErrTLS) {
			t.Errorf("err = %v, want ErrTLS", err)
		}
	}
	if a := srv.AuthAttempts(); len(a) != 0 {
		t.Errorf("plaintext server saw %+v", a)
	}
	got := srv.Received()
	if len(got) == 0 {
		t.Fatal("the client sent nothing: the test proves nothing")
	}
	for _, secret := range []string{fixture.Password, goodToken, fixture.User} {
		if bytes.Contains(got, []byte(secret)) {
			t.Errorf("%q crossed the plaintext connection", secret)
		}
	}
}

// TestUntrustedCertificate ensures a server whose certificate does not
// verify gets no credentials.
func TestUntrustedCertificate(t *testing.T) {
	srv, cfg := startIMAP(t, devimap.Options{})
	other, err := devsmtp.NewCA()
	if err != nil {
		t.Fatal(err)
	}
	cfg.RootCAs = other.Pool()
	if _, err := imapmail.Open(ctx(t), cfg, imapmail.Credentials{User: fixture.User, Password: fixture.Password}); !errors.Is(err, imapmail.ErrTLS) {
		t.Errorf("err = %v, want ErrTLS", err)
	}
	if a := srv.AuthAttempts(); len(a) != 0 {
		t.Errorf("server saw %+v", a)
	}
}

// TestDeadline ensures a server that completes TLS and then never answers
// costs no more than the caller's deadline.
func TestDeadline(t *testing.T) {
	ca, err := devsmtp.NewCA()
	if err != nil {
		t.Fatal(err)
	}
	tlsCfg, err := ca.ServerTLS()
	if err != nil {
		t.Fatal(err)
	}
	ln, err := tls.Listen("tcp", "127.0.0.1:0", tlsCfg)
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
			_ = c.(*tls.Conn).Handshake() // then silence
			defer c.Close()
		}
	}()
	cfg := imapmail.Config{Host: "127.0.0.1", Port: ln.Addr().(*net.TCPAddr).Port, RootCAs: ca.Pool()}
	c, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err = imapmail.Open(c, cfg, imapmail.Credentials{User: fixture.User, Password: fixture.Password})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v, want the deadline", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("Open took %v past a 300ms deadline", d)
	}
}
