package smtp

import (
	"errors"
	"io"
	"net"
	"os"
	"testing"
	"time"
)

// TestAckingReadsReadAsConnDoes ensures reading with immediate ACKs (quickack.go) returns what a plain read would: the bytes as they come, the end of the connection as io.EOF, and a passed deadline as os.ErrDeadlineExceeded.
func TestAckingReadsReadAsConnDoes(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, _ := ln.Accept()
		accepted <- c
	}()
	raw, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	server := <-accepted
	c := countTurns(raw).(*turnConn)
	c.ackAtOnce.Store(true)

	_ = c.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
	if n, err := c.Read(make([]byte, 8)); n != 0 || !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("nothing sent: read %d, %v; want the deadline", n, err)
	}
	_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
	go func() {
		time.Sleep(20 * time.Millisecond) // the read waits for the data first
		_, _ = server.Write([]byte("250 first\r\n"))
		_, _ = server.Write([]byte("250 second\r\n"))
		server.Close()
	}()
	got, err := io.ReadAll(c)
	if err != nil || string(got) != "250 first\r\n250 second\r\n" {
		t.Fatalf("read %q, %v", got, err)
	}
}
