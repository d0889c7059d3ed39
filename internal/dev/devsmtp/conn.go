package devsmtp

import (
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// countingListener wraps accepted connections to count connections and
// round trips and to delay replies by a simulated round-trip time.
type countingListener struct {
	net.Listener
	rtt         time.Duration
	connections atomic.Int64
	roundTrips  atomic.Int64
	open        atomic.Int64
}

func (l *countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	l.connections.Add(1)
	l.roundTrips.Add(1) // the TCP handshake and the wait for the greeting
	l.open.Add(1)
	return &countingConn{Conn: c, l: l, clientTurn: true}, nil
}

// countingConn counts a round trip each time the client speaks after the
// server has (one "flight" each way), whatever the bytes are: SMTP lines,
// TLS handshake records or a pipelined group. The first reply of each
// server flight is delayed by the RTT, so the cost of a round trip shows in
// wall time as it would over a real network.
type countingConn struct {
	net.Conn
	l          *countingListener
	mu         sync.Mutex
	clientTurn bool // the client has spoken since the server last wrote
	closeOnce  sync.Once
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
	}
	return n, err
}

func (c *countingConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	delay := c.clientTurn && c.l.rtt > 0
	c.clientTurn = false
	c.mu.Unlock()
	if delay {
		time.Sleep(c.l.rtt)
	}
	return c.Conn.Write(p)
}

func (c *countingConn) Close() error {
	c.closeOnce.Do(func() { c.l.open.Add(-1) })
	return c.Conn.Close()
}
