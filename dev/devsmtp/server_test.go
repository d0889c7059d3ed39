package devsmtp

import (
	"net/smtp"
	"strings"
	"testing"
	"time"
)

// TestCloseRightAfterStart ensures Close returns even when it wins the race with the serving goroutine.
func TestCloseRightAfterStart(t *testing.T) {
	for i := 0; i < 200; i++ {
		s, err := Start(Options{})
		if err != nil {
			t.Fatal(err)
		}
		done := make(chan struct{})
		go func() { s.Close(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Fatalf("Close hung on iteration %d", i)
		}
	}
}

// TestContentHookSeesRecipientsBeforeTheReply ensures Content is called with the message's recipients once the content has arrived, before the client hears the reply, and the message counts as delivered.
func TestContentHookSeesRecipientsBeforeTheReply(t *testing.T) {
	var got []string
	var delivered int
	var s *Server
	s, err := Start(Options{AllowInsecureAuth: true, Users: map[string]string{"u@example.com": "pw"},
		Content: func(to []string) { got, delivered = to, len(s.Messages()) }})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	auth := smtp.PlainAuth("", "u@example.com", "pw", "127.0.0.1")
	if err := smtp.SendMail(s.Addr, auth, "u@example.com", []string{"a@example.com", "b@example.com"}, []byte("Subject: x\r\n\r\nbody\r\n")); err != nil {
		t.Fatal(err)
	}
	if strings.Join(got, ",") != "a@example.com,b@example.com" || delivered != 0 || len(s.Messages()) != 1 {
		t.Fatalf("hook saw %v with %d delivered before it; %d after", got, delivered, len(s.Messages()))
	}
}
