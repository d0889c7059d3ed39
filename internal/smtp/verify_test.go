package smtp_test

import (
	"context"
	"testing"
	"time"

	"github.com/gmailsend/gmailsend"
	"github.com/gmailsend/gmailsend/dev/devsmtp"
	"github.com/gmailsend/gmailsend/dev/fixture"
	"github.com/gmailsend/gmailsend/internal/smtp"
)

func verifyConfig(t *testing.T, srv *devsmtp.Server, caFile string) smtp.Config {
	t.Helper()
	roots, err := smtp.LoadRootCAs(caFile)
	if err != nil {
		t.Fatal(err)
	}
	return smtp.Config{Host: "localhost", Port: srv.Port, RootCAs: roots, SafetyMargin: 10 * time.Millisecond}
}

// TestVerifyLoginSendsNothing ensures a good password logs in over STARTTLS and no MAIL is ever sent.
func TestVerifyLoginSendsNothing(t *testing.T) {
	srv, caFile := fixture.StartSMTP(t, devsmtp.Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := smtp.VerifyLogin(ctx, verifyConfig(t, srv, caFile), smtp.Credentials{User: fixture.User, Password: fixture.Password}); err != nil {
		t.Fatal(err)
	}
	auths := srv.AuthAttempts()
	if len(auths) != 1 || !auths[0].OK || !auths[0].TLS || auths[0].User != fixture.User {
		t.Fatalf("auth attempts: %+v", auths)
	}
	if st := srv.Stats(); st.Mails != 0 || st.Messages != 0 || st.Connections != 1 {
		t.Fatalf("a verification sent mail or left extra connections: %+v", st)
	}
}

// TestVerifyLoginWrongPassword ensures a refused password gets the same code and hint as a send.
func TestVerifyLoginWrongPassword(t *testing.T) {
	srv, caFile := fixture.StartSMTP(t, devsmtp.Options{})
	err := smtp.VerifyLogin(context.Background(), verifyConfig(t, srv, caFile), smtp.Credentials{User: fixture.User, Password: "wrongwrongwrongw"})
	e := gmailsend.AsError(err)
	if e == nil || e.Code != gmailsend.CodeSMTPAuthFailed || e.SMTP == nil || e.SMTP.Code != 535 {
		t.Fatalf("got %v", err)
	}
	if srv.Stats().Mails != 0 {
		t.Fatal("mail was sent")
	}
}

// TestVerifyLoginNeedsTLS ensures no AUTH is attempted when the server offers no STARTTLS.
func TestVerifyLoginNeedsTLS(t *testing.T) {
	srv, err := devsmtp.Start(devsmtp.Options{Users: map[string]string{fixture.User: fixture.Password}, AllowInsecureAuth: true})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	cfg := smtp.Config{Host: "127.0.0.1", Port: srv.Port}
	err = smtp.VerifyLogin(context.Background(), cfg, smtp.Credentials{User: fixture.User, Password: fixture.Password})
	if gmailsend.CodeOf(err) != gmailsend.CodeTLSRequired {
		t.Fatalf("got %v", err)
	}
	if n := len(srv.AuthAttempts()); n != 0 {
		t.Fatalf("%d AUTH attempts without TLS", n)
	}
}
