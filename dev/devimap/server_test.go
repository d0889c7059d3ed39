package devimap_test

import (
	"context"
	"testing"
	"time"

	"github.com/gmailsend/gmailsend/dev/devimap"
	"github.com/gmailsend/gmailsend/dev/fixture"
	"github.com/gmailsend/gmailsend/internal/imapmail"
)

const dsn = "From: Mail Delivery Subsystem <mailer-daemon@googlemail.com>\r\nSubject: Delivery Status Notification (Failure)\r\n\r\nx\r\n"

// TestChangeUIDValidity ensures renumbering keeps the messages but gives
// the INBOX a new UIDVALIDITY, as a client sees it over TLS after LOGIN.
func TestChangeUIDValidity(t *testing.T) {
	srv, ca := devimap.StartTest(t, devimap.Options{Users: map[string]string{fixture.User: fixture.Password}})
	for i := 0; i < 3; i++ {
		if uid, err := srv.Append(fixture.User, []byte(dsn), time.Time{}); err != nil || uid != uint32(i+1) {
			t.Fatalf("append %d: uid %d, %v", i, uid, err)
		}
	}
	cfg := imapmail.Config{Host: "127.0.0.1", Port: srv.Port, RootCAs: ca.Pool()}
	inbox := func() (validity uint32) {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		s, err := imapmail.Open(ctx, cfg, imapmail.Credentials{User: fixture.User, Password: fixture.Password})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close(ctx)
		validity, _, err = s.Select(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return validity
	}
	before := inbox()
	v, err := srv.ChangeUIDValidity(fixture.User)
	if err != nil {
		t.Fatal(err)
	}
	after := inbox()
	if after == before || after != v {
		t.Errorf("before %+v, after %+v (reported %d)", before, after, v)
	}
	if n, _ := srv.Count(fixture.User, "INBOX"); n != 3 {
		t.Errorf("INBOX holds %d after renumbering", n)
	}
	a := srv.AuthAttempts()
	if len(a) != 2 || !a[0].TLS || !a[0].OK || a[0].Mechanism != "LOGIN" {
		t.Errorf("attempts %+v", a)
	}
	if st := srv.Stats(); st.Connections != 2 || st.RoundTrips < 8 {
		t.Errorf("stats %+v", st)
	}
}
