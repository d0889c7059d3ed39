//go:build !linux

package smtp

import "net"

// readAckingAtOnce reads as usual: TCP_QUICKACK is Linux's, and Lambda runs
// Linux.
func readAckingAtOnce(c net.Conn, p []byte) (int, error) { return c.Read(p) }
