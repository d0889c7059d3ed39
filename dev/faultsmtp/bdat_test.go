package faultsmtp

import (
	"bufio"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"
)

// dialPlain speaks to s without TLS (no TLS configured: STARTTLS is not offered).
func dialPlain(t *testing.T, s *Server) (net.Conn, *bufio.Reader) {
	t.Helper()
	c, err := net.Dial("tcp", "127.0.0.1:"+strconv.Itoa(s.Port))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	r := bufio.NewReader(c)
	if _, err := r.ReadString('\n'); err != nil { // greeting
		t.Fatal(err)
	}
	return c, r
}

func lines(t *testing.T, r *bufio.Reader, n int) []string {
	t.Helper()
	var out []string
	for len(out) < n {
		l, err := r.ReadString('\n')
		if err != nil {
			t.Fatalf("after %v: %v", out, err)
		}
		if len(l) > 3 && l[3] == '-' {
			continue // a continuation line of a multi-line reply
		}
		out = append(out, strings.TrimSpace(l))
	}
	return out
}

// TestBDATOneFlight ensures a pipelined MAIL, RCPT and BDAT LAST with its chunk is answered in order and the message accepted, and that CHUNKING is advertised only when asked for.
func TestBDATOneFlight(t *testing.T) {
	s, err := Start(Options{Pipelining: true, Chunking: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	c, r := dialPlain(t, s)
	_, _ = c.Write([]byte("EHLO x\r\n"))
	if ehlo := lines(t, r, 1); !strings.HasPrefix(ehlo[0], "250 ") {
		t.Fatal(ehlo)
	}
	msg := "Subject: hi\r\n\r\nbody\r\n.\r\n"
	_, _ = c.Write([]byte("MAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.com>\r\nBDAT " + strconv.Itoa(len(msg)) + " LAST\r\n" + msg))
	got := lines(t, r, 3)
	if !strings.HasPrefix(got[0], "250") || !strings.HasPrefix(got[1], "250") || !strings.HasPrefix(got[2], "250 2.0.0 OK queued") {
		t.Fatalf("replies %v", got)
	}
	if s.Messages() != 1 {
		t.Fatalf("%d messages", s.Messages())
	}
}

// TestBDATFaults ensures a refused BDAT still consumes its chunk (the next command is understood), a BDAT without an accepted recipient is refused, and an EndData fault replaces the verdict.
func TestBDATFaults(t *testing.T) {
	s, err := Start(Options{Pipelining: true, Chunking: true, Faults: map[Stage]Fault{
		BDAT:    {Reply: "502 5.5.1 Unrecognized command", Nth: 1},
		EndData: {Reply: "552 5.3.4 Message too big"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	c, r := dialPlain(t, s)
	_, _ = c.Write([]byte("EHLO x\r\n"))
	lines(t, r, 1)
	chunk := "0123456789"
	_, _ = c.Write([]byte("MAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.com>\r\nBDAT 10 LAST\r\n" + chunk + "NOOP\r\n"))
	if got := lines(t, r, 4); got[2] != "502 5.5.1 Unrecognized command" || !strings.HasPrefix(got[3], "250") {
		t.Fatalf("refused BDAT: %v", got)
	}
	_, _ = c.Write([]byte("RSET\r\nBDAT 10 LAST\r\n" + chunk))
	if got := lines(t, r, 2); !strings.HasPrefix(got[1], "554") {
		t.Fatalf("BDAT without recipients: %v", got)
	}
	_, _ = c.Write([]byte("MAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.com>\r\nBDAT 10 LAST\r\n" + chunk))
	if got := lines(t, r, 3); got[2] != "552 5.3.4 Message too big" {
		t.Fatalf("EndData fault: %v", got)
	}
	if s.Messages() != 0 {
		t.Fatalf("%d messages accepted", s.Messages())
	}
}
