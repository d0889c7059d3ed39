//go:build !linux

package smtp

import (
	"net"
	"time"
)

// resetByPeer cannot ask the kernel here: a one-flight send that broke
// before any reply stays an unknown outcome.
func resetByPeer(net.Conn, time.Duration) bool { return false }
