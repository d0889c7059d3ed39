package devimap

import (
	"net"
	"sync"
	"sync/atomic"
)

const maxCapture = 1 << 20

// countingListener counts connections and round trips the way devsmtp's
// does (a flight each time the client speaks after the server has), below
// TLS, so handshake flights count too; with capture it also keeps what
// clients sent.
type countingListener struct {
	net.Listener
	capture     bool
	connections atomic.Int64
	roundTrips  atomic.Int64
	mu          sync.Mutex
	captured    []byte
}

func (l *countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	l.connections.Add(1)
	l.roundTrips.Add(1) // the TCP handshake and the wait for the greeting
	return &countingConn{Conn: c, l: l, clientTurn: true}, nil
}

func (l *countingListener) received() []byte {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]byte(nil), l.captured...)
}

type countingConn struct {
	net.Conn
	l          *countingListener
	mu         sync.Mutex
	clientTurn bool
}

func (c *countingConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if n > 0 {
		c.mu.Lock()
		if !c.clientTurn {
			c.clientTurn = true
			c.l.roundTrips.Add(1)
		}
		c.mu.Unlock()
		if c.l.capture {
			c.l.mu.Lock()
			if len(c.l.captured)+n <= maxCapture {
				c.l.captured = append(c.l.captured, p[:n]...)
			}
			c.l.mu.Unlock()
		}
	}
	return n, err
}

func (c *countingConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	c.clientTurn = false
	c.mu.Unlock()
	return c.Conn.Write(p)
}
