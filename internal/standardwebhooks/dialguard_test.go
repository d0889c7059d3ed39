package standardwebhooks

import (
	"net"
	"testing"
)

// TestDialControlRefusesLoopbackBeforeConnecting ensures the connect-time
// check refuses a loopback socket address (no connection reaches the
// listener) and lets it through only when local runs allow loopback.
func TestDialControlRefusesLoopbackBeforeConnecting(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan net.Conn, 2)
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				close(accepted)
				return
			}
			accepted <- conn
		}
	}()
	refused := net.Dialer{Control: DialControl(false)}
	if conn, err := refused.Dial("tcp", ln.Addr().String()); CodeOf(err) != CodeAddrLoopback {
		if conn != nil {
			conn.Close()
		}
		t.Fatalf("guarded dial to %s = %v, want %s", ln.Addr(), err, CodeAddrLoopback)
	}
	allowed := net.Dialer{Control: DialControl(true)}
	conn, err := allowed.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatalf("dial with loopback allowed: %v", err)
	}
	defer conn.Close()
	first := <-accepted
	defer first.Close()
	if first.RemoteAddr().String() != conn.LocalAddr().String() {
		t.Fatalf("first accepted connection came from %s, not the allowed dial %s: the refused dial connected",
			first.RemoteAddr(), conn.LocalAddr())
	}
}
