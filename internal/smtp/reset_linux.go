package smtp

import (
	"net"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// resetByPeer reports whether the peer answered c with a TCP reset,
// waiting up to wait for one to arrive (tcpi_state CLOSE, which only a
// reset leads to while this side has not closed).
func resetByPeer(c net.Conn, wait time.Duration) bool {
	if tc, ok := c.(*turnConn); ok { // the round-trip counter wraps the socket
		c = tc.Conn
	}
	sc, ok := c.(syscall.Conn)
	if !ok {
		return false
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return false
	}
	deadline := time.Now().Add(wait)
	for {
		closed := false
		_ = raw.Control(func(fd uintptr) {
			info, err := unix.GetsockoptTCPInfo(int(fd), unix.IPPROTO_TCP, unix.TCP_INFO)
			closed = err == nil && info.State == tcpClose
		})
		if closed || !time.Now().Before(deadline) {
			return closed
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// tcpClose is Linux's TCP_CLOSE state (include/net/tcp_states.h).
const tcpClose = 7
