package devsmtp

import (
	"bufio"
	"net"
	"strings"
	"testing"
	"time"
)

// TestRoundTripsAndLatency ensures replies reach the client one RTT late, and a pipelined group counts as one round trip while commands sent after reading each reply count one each.
func TestRoundTripsAndLatency(t *testing.T) {
	const rtt = 20 * time.Millisecond
	s, err := Start(Options{RTT: rtt})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	start := time.Now() // the server writes its greeting at accept, after this
	c, err := net.Dial("tcp", s.Addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	r := bufio.NewReader(c)
	readReply := func() string {
		t.Helper()
		var last string
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				t.Fatal(err)
			}
			last = line
			if len(line) > 3 && line[3] == ' ' {
				return last
			}
		}
	}
	readReply() // greeting
	if took := time.Since(start); took < rtt {
		t.Fatalf("greeting after %v, want at least the RTT %v", took, rtt)
	}
	send := func(cmds string) { _, _ = c.Write([]byte(cmds)) }
	send("EHLO client\r\n")
	readReply()
	base := s.Stats().RoundTrips // connection + EHLO
	send("NOOP\r\nNOOP\r\nNOOP\r\n")
	for i := 0; i < 3; i++ {
		if got := readReply(); !strings.HasPrefix(got, "250") {
			t.Fatalf("NOOP answered %q", got)
		}
	}
	if got := s.Stats().RoundTrips - base; got != 1 {
		t.Fatalf("a pipelined group counted %d round trips, want 1", got)
	}
	for i := 0; i < 2; i++ {
		send("NOOP\r\n")
		readReply()
	}
	if got := s.Stats().RoundTrips - base; got != 3 {
		t.Fatalf("two commands each after its reply counted %d round trips in all, want 3", got)
	}
}
