//go:build linux || darwin || freebsd || netbsd || openbsd

package smtp

import (
	"net"
	"syscall"
)

// peekSocket asks the kernel, without blocking and without consuming
// anything, whether the peer has sent data (pending) or closed the
// connection (errClosedByPeer). Connections that are not sockets pass.
func peekSocket(c net.Conn) (pending bool, err error) {
	if tc, ok := c.(*turnConn); ok { // the round-trip counter wraps the socket
		c = tc.Conn
	}
	sc, ok := c.(syscall.Conn)
	if !ok {
		return false, nil
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return false, err
	}
	var n int
	var rerr error
	var buf [1]byte
	cerr := raw.Read(func(fd uintptr) bool {
		n, _, rerr = syscall.Recvfrom(int(fd), buf[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
		return true // never wait: this is a look, not a read
	})
	switch {
	case cerr != nil:
		return false, cerr
	case rerr == syscall.EAGAIN || rerr == syscall.EWOULDBLOCK:
		return false, nil
	case rerr != nil:
		return false, rerr
	case n == 0:
		return false, errClosedByPeer
	}
	return true, nil
}
