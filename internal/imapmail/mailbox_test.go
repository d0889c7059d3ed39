package imapmail_test

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"github.com/gmailsend/gmailsend/dev/devimap"
	"github.com/gmailsend/gmailsend/dev/fixture"
	"github.com/gmailsend/gmailsend/internal/imapmail"
)

// daemons are the senders of the Gmail and Postfix samples.
var daemons = []string{"mailer-daemon@googlemail.com", "MAILER-DAEMON@mx.example.net"}

// TestReadNotifications ensures the whole path against a real IMAP server:
// TLS, LOGIN, SELECT, a search that finds only mail from the configured
// daemons (not a "MAILER-DAEMON" display name) after a UID, bounded
// fetches, and MOVE to the archive folder.
func TestReadNotifications(t *testing.T) {
	srv, cfg := startIMAP(t, devimap.Options{})
	gmail, postfix := sample(t, "gmail-failure.eml"), sample(t, "postfix-failed.eml")
	lookAlike := []byte("From: \"MAILER-DAEMON\" <prankster@evil.example>\r\nSubject: Undelivered Mail Returned to Sender\r\n\r\nhello\r\n")
	for _, raw := range [][]byte{gmail, []byte("From: kim@example.com\r\nSubject: hi\r\n\r\nhello\r\n"), postfix, lookAlike} {
		if _, err := srv.Append(fixture.User, raw, time.Time{}); err != nil {
			t.Fatal(err)
		}
	}
	s, err := imapmail.Open(ctx(t), cfg, imapmail.Credentials{User: fixture.User, Password: fixture.Password})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(ctx(t))
	validity, next, err := s.Select(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	if validity == 0 || next != 5 {
		t.Errorf("UIDVALIDITY %d UIDNEXT %d", validity, next)
	}
	uids, err := s.Search(ctx(t), 0, time.Time{}, daemons)
	if err != nil || len(uids) != 2 || uids[0] != 1 || uids[1] != 3 {
		t.Fatalf("search = %v, %v; want [1 3]", uids, err)
	}
	uids, err = s.Search(ctx(t), 1, time.Now().Add(-24*time.Hour), daemons)
	if err != nil || len(uids) != 1 || uids[0] != 3 {
		t.Fatalf("search after 1 = %v, %v; want [3]", uids, err)
	}
	got := map[uint32][]byte{}
	err = s.Fetch(ctx(t), []uint32{1, 3}, 1000, func(uid uint32, raw []byte) error {
		got[uid] = raw
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got[1], gmail[:1000]) || !bytes.Equal(got[3], postfix[:1000]) {
		t.Errorf("fetched %d and %d bytes, not the first 1000 of each message", len(got[1]), len(got[3]))
	}
	if err := s.Move(ctx(t), []uint32{1, 3}, "Bounces"); err != nil {
		t.Fatal(err)
	}
	if n, _ := srv.Count(fixture.User, "INBOX"); n != 2 {
		t.Errorf("INBOX holds %d, want 2", n)
	}
	if n, _ := srv.Count(fixture.User, "Bounces"); n != 2 {
		t.Errorf("Bounces holds %d, want 2", n)
	}
	if err := s.Move(ctx(t), []uint32{2}, "No Such Label"); !errors.Is(err, imapmail.ErrNoSuchFolder) {
		t.Errorf("move to a missing folder: %v", err)
	}
}

// TestSearchPastTheEnd ensures "UID n:*" past the last UID (which servers
// answer with the last message) returns nothing.
func TestSearchPastTheEnd(t *testing.T) {
	srv, cfg := startIMAP(t, devimap.Options{})
	if _, err := srv.Append(fixture.User, sample(t, "gmail-failure.eml"), time.Time{}); err != nil {
		t.Fatal(err)
	}
	s, err := imapmail.Open(ctx(t), cfg, imapmail.Credentials{User: fixture.User, Password: fixture.Password})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(ctx(t))
	if _, _, err := s.Select(ctx(t)); err != nil {
		t.Fatal(err)
	}
	if uids, err := s.Search(ctx(t), 1, time.Time{}, daemons); err != nil || len(uids) != 0 {
		t.Errorf("search after the last UID = %v, %v", uids, err)
	}
}
