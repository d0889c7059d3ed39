package devsmtp

import (
	"net"
	"syscall"
	"unsafe"
)

// unreadBytes is how many bytes the kernel holds for c that nobody has
// read yet (FIONREAD), or -1 when it cannot say.
func unreadBytes(c net.Conn) int64 {
	sc, ok := c.(syscall.Conn)
	if !ok {
		return -1
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return -1
	}
	n := int64(-1)
	_ = raw.Control(func(fd uintptr) {
		var v int32
		if _, _, errno := syscall.Syscall(syscall.SYS_IOCTL, fd, syscall.TIOCINQ, uintptr(unsafe.Pointer(&v))); errno == 0 {
			n = int64(v)
		}
	})
	return n
}
