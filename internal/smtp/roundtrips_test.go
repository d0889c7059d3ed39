package smtp

import (
	"testing"
	"time"

	"github.com/gmailsend/gmailsend/dev/devsmtp"
)

// TestRoundTripsMatchTheServersCount ensures each send counts the round trips the server saw for it: a cold send (connect, TLS, AUTH), a warm one on the kept session, and an implicit-TLS one; closing the pool later adds nothing to a finished send.
func TestRoundTripsMatchTheServersCount(t *testing.T) {
	for _, implicit := range []bool{false, true} {
		srv, cfg := startServer(t, devsmtp.Options{ImplicitTLS: implicit})
		cfg.IdleTimeout = time.Minute
		c := New(cfg)
		var counts []int
		for i := 0; i < 2; i++ {
			before := srv.Stats().RoundTrips
			var r RoundTrips
			if err := c.Send(WithRoundTrips(ctxTimeout(t, 10*time.Second), &r), goodCreds, testMessage("kim@example.com")); err != nil {
				t.Fatal(err)
			}
			if seen := srv.Stats().RoundTrips - before; int64(r.Count()) != seen || seen == 0 {
				t.Fatalf("implicit TLS %v, send %d: counted %d, the server saw %d", implicit, i+1, r.Count(), seen)
			}
			counts = append(counts, r.Count())
			if i == 1 {
				c.Close() // QUIT on the kept session belongs to no send
				if r.Count() != counts[1] {
					t.Fatalf("closing the pool counted into a finished send: %d → %d", counts[1], r.Count())
				}
			}
		}
		if counts[1] >= counts[0] {
			t.Fatalf("implicit TLS %v: the warm send (%d) should cost fewer round trips than the cold one (%d)", implicit, counts[1], counts[0])
		}
	}
}

// TestSendWithoutCounterCountsNothing ensures a context without RoundTrips is fine (nothing to count into).
func TestSendWithoutCounterCountsNothing(t *testing.T) {
	_, cfg := startServer(t, devsmtp.Options{})
	c := New(cfg)
	defer c.Close()
	if err := c.Send(ctxTimeout(t, 10*time.Second), goodCreds, testMessage("kim@example.com")); err != nil {
		t.Fatal(err)
	}
}
