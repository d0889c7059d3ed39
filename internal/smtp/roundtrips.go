package smtp

import (
	"context"
	"net"
	"sync"
	"sync/atomic"
)

// RoundTrips counts the round trips to the SMTP server of one send, for
// its metrics: one for the TCP handshake and the greeting of a new
// connection, then one each time the client speaks after the server has
// (TLS handshake flights, each command, a pipelined group, the message).
// It is the count the development SMTP server keeps from its side.
type RoundTrips struct{ n atomic.Int64 }

// Count is the round trips counted so far.
func (r *RoundTrips) Count() int { return int(r.n.Load()) }

type roundTripsKey struct{}

// WithRoundTrips returns a context whose sends count their round trips
// into r.
func WithRoundTrips(ctx context.Context, r *RoundTrips) context.Context {
	return context.WithValue(ctx, roundTripsKey{}, r)
}

// turnConn counts turns of the conversation into the RoundTrips of the
// invocation the session is bound to (none while it waits in the pool).
// As the session's wrapper of the socket itself it also reads acknowledging
// at once while ackAtOnce is set (quickack.go).
type turnConn struct {
	net.Conn
	ackAtOnce  atomic.Bool
	into       atomic.Pointer[RoundTrips]
	mu         sync.Mutex
	greeted    bool // the first reply (the greeting) has arrived
	clientTurn bool // the client has written since the server last did
}

func countTurns(c net.Conn) net.Conn { return &turnConn{Conn: c} }

// roundTripsOf is the RoundTrips ctx counts into, or nil.
func roundTripsOf(ctx context.Context) *RoundTrips {
	r, _ := ctx.Value(roundTripsKey{}).(*RoundTrips)
	return r
}

// countRoundTrips points conn's count at r (nil: count nothing).
func countRoundTrips(conn net.Conn, r *RoundTrips) {
	if tc, ok := conn.(*turnConn); ok {
		tc.into.Store(r)
	}
}

func (c *turnConn) add() {
	if r := c.into.Load(); r != nil {
		r.n.Add(1)
	}
}

func (c *turnConn) Read(p []byte) (n int, err error) {
	if c.ackAtOnce.Load() {
		n, err = readAckingAtOnce(c.Conn, p)
	} else {
		n, err = c.Conn.Read(p)
	}
	if n > 0 {
		c.mu.Lock()
		if !c.greeted {
			c.greeted = true
			c.add() // connecting and waiting for the greeting
		}
		c.clientTurn = false
		c.mu.Unlock()
	}
	return n, err
}

func (c *turnConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	if !c.clientTurn && c.greeted {
		c.clientTurn = true
		c.add()
	}
	c.mu.Unlock()
	return c.Conn.Write(p)
}
