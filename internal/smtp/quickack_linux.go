package smtp

import (
	"io"
	"net"
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// readAckingAtOnce reads c as c.Read does, asking the kernel for an
// immediate acknowledgement (TCP_QUICKACK) right before every read system
// call, including those after a wait for data. Linux leaves quick-ACK mode
// by itself (whenever this side sends data soon after receiving some, as
// the tail of a long flight may while its first replies arrive), so the
// option is set again each time, and setting it also sends at once an ACK
// the kernel was holding back. Connections that are not sockets read as
// usual.
func readAckingAtOnce(c net.Conn, p []byte) (int, error) {
	sc, ok := c.(syscall.Conn)
	if !ok {
		return c.Read(p)
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return c.Read(p)
	}
	var n int
	var rerr error
	err = raw.Read(func(fd uintptr) bool {
		_ = unix.SetsockoptInt(int(fd), unix.IPPROTO_TCP, unix.TCP_QUICKACK, 1)
		for {
			n, rerr = unix.Read(int(fd), p)
			if rerr != unix.EINTR {
				break
			}
		}
		return rerr != unix.EAGAIN // EAGAIN: wait until readable, then call again
	})
	switch {
	case err != nil: // deadline, closed: as net.Conn reports them
		return 0, err
	case rerr != nil:
		return 0, &net.OpError{Op: "read", Net: "tcp", Source: c.LocalAddr(), Addr: c.RemoteAddr(), Err: os.NewSyscallError("read", rerr)}
	case n == 0 && len(p) > 0:
		return 0, io.EOF
	}
	return n, nil
}
