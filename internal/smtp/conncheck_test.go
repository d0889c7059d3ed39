package smtp

import (
	"testing"
	"time"

	"github.com/gmailsend/gmailsend/dev/devsmtp"
)

// keptSession sends once so the client keeps a session, and takes it out of the pool.
func keptSession(t *testing.T, o devsmtp.Options) (*devsmtp.Server, *session) {
	t.Helper()
	srv, cfg := startServer(t, o)
	c := New(cfg)
	t.Cleanup(c.Close)
	if err := c.Send(ctxTimeout(t, 5*time.Second), goodCreds, testMessage("a@example.com")); err != nil {
		t.Fatal(err)
	}
	s := c.pool.get(sessionKey(c.cfg, goodCreds))
	if s == nil {
		t.Fatal("no kept session")
	}
	t.Cleanup(s.close)
	s.bind(ctxTimeout(t, 5*time.Second), 0)
	return srv, s
}

// TestCheckPassesALiveSession ensures a kept session the server still holds passes the check, and the check consumes nothing (the next send works).
func TestCheckPassesALiveSession(t *testing.T) {
	_, s := keptSession(t, devsmtp.Options{})
	for i := 0; i < 3; i++ {
		if err := s.check(); err != nil {
			t.Fatalf("check %d: %v", i, err)
		}
	}
	if _, err := s.send(testUser, []string{"a@example.com"}, testMessage("a@example.com")); err != nil {
		t.Fatal(err)
	}
}

// TestCheckFailsASessionTheServerClosed ensures a kept session the server closed while it idled (TLS close_notify, FIN) fails the check before anything is written.
func TestCheckFailsASessionTheServerClosed(t *testing.T) {
	srv, s := keptSession(t, devsmtp.Options{DropAfter: 1})
	waitClosed(t, srv)
	// The server has closed its end; the FIN and close_notify still have
	// to reach this end (under load that takes a moment), after which the
	// check must fail.
	err := s.check()
	for deadline := time.Now().Add(2 * time.Second); err == nil && time.Now().Before(deadline); err = s.check() {
		time.Sleep(5 * time.Millisecond)
	}
	if err == nil {
		t.Fatal("a closed session passed the check")
	}
	if st := srv.Stats(); st.Mails != 1 {
		t.Fatalf("%+v: the check sent something", st)
	}
}
