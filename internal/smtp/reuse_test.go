package smtp

import (
	"testing"
	"time"

	gosmtp "github.com/emersion/go-smtp"

	"github.com/gmailsend/gmailsend"
	"github.com/gmailsend/gmailsend/dev/devsmtp"
	"github.com/gmailsend/gmailsend/dev/faultsmtp"
)

// TestWarmSendRoundTrips ensures a kept session is reused and a warm send costs at most 5 round trips (2 pipelined).
func TestWarmSendRoundTrips(t *testing.T) {
	for _, c := range []struct {
		pipelining bool
		max        int64
	}{{false, 5}, {true, 2}} {
		srv, cfg := startServer(t, devsmtp.Options{})
		cfg.DisablePipelining = !c.pipelining
		client := New(cfg)
		ctx := ctxTimeout(t, 5*time.Second)
		if err := client.Send(ctx, goodCreds, testMessage("a@example.com")); err != nil {
			t.Fatal(err)
		}
		cold := srv.Stats().RoundTrips
		for i := 0; i < 3; i++ {
			if err := client.Send(ctx, goodCreds, testMessage("a@example.com")); err != nil {
				t.Fatal(err)
			}
		}
		st := srv.Stats()
		warm := (st.RoundTrips - cold) / 3
		t.Logf("pipelining=%v: cold send %d round trips, warm send %d", c.pipelining, cold, warm)
		if st.Connections != 1 || st.Messages != 4 {
			t.Fatalf("stats %+v", st)
		}
		if warm > c.max {
			t.Fatalf("warm send costs %d round trips, want <= %d", warm, c.max)
		}
		client.Close()
	}
}

// TestNoReuseAcrossCredentials ensures a session is never shared between accounts or passwords.
func TestNoReuseAcrossCredentials(t *testing.T) {
	srv, cfg := startServer(t, devsmtp.Options{Users: map[string]string{testUser: testPassword, "other@gmail.com": "otherpassword"}})
	client := New(cfg)
	ctx := ctxTimeout(t, 5*time.Second)
	for _, c := range []Credentials{goodCreds, {User: "other@gmail.com", Password: "otherpassword"}, goodCreds} {
		if err := client.Send(ctx, c, testMessage("a@example.com")); err != nil {
			t.Fatal(err)
		}
	}
	if st := srv.Stats(); st.Connections != 2 {
		t.Fatalf("want 2 connections (one per account), got %d", st.Connections)
	}
	msgs := srv.Messages()
	if msgs[0].User != testUser || msgs[1].User != "other@gmail.com" || msgs[2].User != testUser {
		t.Fatalf("sent as %s, %s, %s", msgs[0].User, msgs[1].User, msgs[2].User)
	}
	// A wrong password for a kept account must authenticate anew, and fail.
	err := client.Send(ctx, Credentials{User: testUser, Password: "wrong"}, testMessage("a@example.com"))
	wantCode(t, err, gmailsend.CodeSMTPAuthFailed)
}

// TestDeadSessionRedialled ensures a kept session the server closed while it idled is replaced before any content is sent, on every send path.
func TestDeadSessionRedialled(t *testing.T) {
	for _, pipelining := range []bool{true, false} {
		srv, cfg := startServer(t, devsmtp.Options{DropAfter: 1})
		cfg.DisablePipelining = !pipelining
		client := New(cfg)
		ctx := ctxTimeout(t, 5*time.Second)
		for i := 0; i < 3; i++ {
			if err := client.Send(ctx, goodCreds, testMessage("a@example.com")); err != nil {
				t.Fatalf("pipelining=%v send %d: %v", pipelining, i, err)
			}
			waitClosed(t, srv) // the server closes while the session idles, as Gmail does
		}
		if st := srv.Stats(); st.Messages != 3 || st.Connections != 3 {
			t.Fatalf("pipelining=%v: %+v", pipelining, st)
		}
	}
}

// TestIdleSessionExpires ensures a session idle past the limit is not reused.
func TestIdleSessionExpires(t *testing.T) {
	srv, cfg := startServer(t, devsmtp.Options{})
	cfg.IdleTimeout = time.Minute
	client := New(cfg)
	clock := &fakeClock{t: time.Now()}
	client.pool.now = clock.Now
	ctx := ctxTimeout(t, 5*time.Second)
	_ = client.Send(ctx, goodCreds, testMessage("a@example.com"))
	clock.Advance(time.Minute + time.Second)
	_ = client.Send(ctx, goodCreds, testMessage("a@example.com"))
	if st := srv.Stats(); st.Connections != 2 || st.Messages != 2 {
		t.Fatalf("%+v", st)
	}
	client.Close()
	deadline := time.Now().Add(2 * time.Second)
	for srv.Stats().Open != 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := srv.Stats().Open; n != 0 {
		t.Fatalf("%d connections left open after Close", n)
	}
}

// TestReuseDisabled ensures IdleTimeout 0 closes every session after use.
func TestReuseDisabled(t *testing.T) {
	srv, cfg := startServer(t, devsmtp.Options{})
	cfg.IdleTimeout = 0
	client := New(cfg)
	for i := 0; i < 2; i++ {
		if err := client.Send(ctxTimeout(t, 5*time.Second), goodCreds, testMessage("a@example.com")); err != nil {
			t.Fatal(err)
		}
	}
	if st := srv.Stats(); st.Connections != 2 || client.IdleSessions() != 0 {
		t.Fatalf("%+v idle=%d", st, client.IdleSessions())
	}
}

// TestOneRecipientRefused ensures a refused recipient among several fails the whole send and the next send still works.
func TestOneRecipientRefused(t *testing.T) {
	for _, pipelining := range []bool{true, false} {
		srv, cfg := startServer(t, devsmtp.Options{Reject: func(stage, arg string) error {
			if stage == "RCPT" && arg == "bad@example.com" {
				return &gosmtp.SMTPError{Code: 550, EnhancedCode: gosmtp.EnhancedCode{5, 1, 1}, Message: "The email account that you tried to reach does not exist."}
			}
			return nil
		}})
		cfg.DisablePipelining = !pipelining
		client := New(cfg)
		ctx := ctxTimeout(t, 5*time.Second)
		err := client.Send(ctx, goodCreds, testMessage("good@example.com", "bad@example.com"))
		e := wantCode(t, err, gmailsend.CodeSMTPRejected)
		if e.SMTP.Code != 550 || e.SMTP.EnhancedCode != "5.1.1" {
			t.Fatalf("%+v", e.SMTP)
		}
		if len(srv.Messages()) != 0 {
			t.Fatalf("pipelining=%v: a partial message was delivered", pipelining)
		}
		if err := client.Send(ctx, goodCreds, testMessage("good@example.com")); err != nil {
			t.Fatalf("pipelining=%v: next send: %v", pipelining, err)
		}
		if n := len(srv.Messages()); n != 1 {
			t.Fatalf("pipelining=%v: %d messages", pipelining, n)
		}
	}
}

// TestIdleTimeoutReplyRedials ensures a kept session that answers RSET with Gmail's idle "421 4.4.2" is replaced, not reported.
func TestIdleTimeoutReplyRedials(t *testing.T) {
	for _, pipelining := range []bool{true, false} {
		ca, err := devsmtp.NewCA()
		if err != nil {
			t.Fatal(err)
		}
		leaf, _ := ca.Leaf(devsmtp.LeafOptions{})
		srv, err := faultsmtp.Start(faultsmtp.Options{TLS: tlsFor(leaf), Pipelining: pipelining, Faults: map[faultsmtp.Stage]faultsmtp.Fault{
			faultsmtp.RSET: {Reply: "421 4.4.2 mx.google.com Timeout - closing connection."},
		}})
		if err != nil {
			t.Fatal(err)
		}
		cfg := DefaultConfig()
		cfg.Host, cfg.Port, cfg.RootCAs, cfg.DisablePipelining = "127.0.0.1", srv.Port, ca.Pool(), !pipelining
		client := New(cfg)
		for i := 0; i < 3; i++ {
			if err := client.Send(ctxTimeout(t, 5*time.Second), goodCreds, testMessage("a@example.com")); err != nil {
				t.Fatalf("pipelining=%v send %d: %v", pipelining, i, err)
			}
		}
		if srv.Messages() != 3 {
			t.Fatalf("pipelining=%v: %d messages", pipelining, srv.Messages())
		}
		client.Close()
		srv.Close()
	}
}

// waitClosed waits until the server has no connection open.
func waitClosed(t *testing.T, srv *devsmtp.Server) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Second)
	for srv.Stats().Open != 0 {
		if time.Now().After(deadline) {
			t.Fatalf("%d connections still open", srv.Stats().Open)
		}
		time.Sleep(time.Millisecond)
	}
}
