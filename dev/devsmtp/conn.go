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
	cc := &countingConn{Conn: c, l: l, clientTurn: true}
	if l.rtt > 0 {
		cc.out = make(chan delayed, 64)
		cc.drained = make(chan struct{})
		go cc.deliver()
	}
	return cc, nil
}

// countingConn simulates the network between client and server and counts
// round trips on it.
//
// Latency: what the server writes reaches the client one RTT later, and
// the server is not held up meanwhile, as on a real link: a server that
// answers the first commands of a pipelined flight while the rest is still
// arriving keeps reading it.
//
// Round trips: the client starts a new one when it speaks after it could
// have seen the server's reply. When the first reply of a server turn goes
// on the wire, whatever the client has sent that the server has not read
// yet (the kernel's count of unread bytes) was sent before the client could
// see that reply: the rest of the same flight, however the server
// interleaved its answers with reading it (SMTP lines, TLS records, a
// pipelined group, RFC 3030 BDAT chunks all count the same way). Only bytes
// beyond that start a new round trip, so a server that reads late under
// load does not count more. Where the kernel cannot say (not Linux), a
// read at least one RTT after the first reply starts a new round trip.
type countingConn struct {
	net.Conn
	l          *countingListener
	mu         sync.Mutex
	clientTurn bool      // the client has spoken since the server last wrote
	repliedAt  time.Time // the server's first write since the client's turn
	tail       int64     // unread bytes of the client's flight when the server first replied; -1: unknown
	closeOnce  sync.Once

	// With an RTT, writes go through out to deliver, which holds each
	// until it is due; closing waits until they are all delivered. outMu
	// orders sends on out with closing it.
	out      chan delayed
	outMu    sync.Mutex
	drained  chan struct{}
	closed   bool
	writeErr atomic.Pointer[error]
}

type delayed struct {
	due time.Time
	b   []byte
}

func (c *countingConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if n > 0 {
		c.mu.Lock()
		switch {
		case c.clientTurn:
		case c.tail >= int64(n):
			c.tail -= int64(n) // the rest of the flight the server answered
		case c.tail >= 0 || !time.Now().Before(c.repliedAt.Add(c.l.rtt)):
			c.clientTurn, c.tail = true, 0
			c.l.roundTrips.Add(1)
		}
		c.mu.Unlock()
	}
	return n, err
}

// replying notes that a reply is about to go on the wire.
func (c *countingConn) replying() {
	c.mu.Lock()
	if c.clientTurn {
		c.clientTurn, c.repliedAt = false, time.Now()
		c.tail = unreadBytes(c.Conn)
	}
	c.mu.Unlock()
}

func (c *countingConn) Write(p []byte) (int, error) {
	now := time.Now()
	if c.out == nil {
		c.replying()
		return c.Conn.Write(p)
	}
	if err := c.writeErr.Load(); err != nil {
		return 0, *err
	}
	c.outMu.Lock()
	defer c.outMu.Unlock()
	if c.closed {
		return 0, net.ErrClosed
	}
	c.out <- delayed{due: now.Add(c.l.rtt), b: append([]byte(nil), p...)}
	return len(p), nil
}

// deliver writes each delayed write when it is due, in order.
func (c *countingConn) deliver() {
	defer close(c.drained)
	for d := range c.out {
		time.Sleep(time.Until(d.due))
		c.replying()
		if _, err := c.Conn.Write(d.b); err != nil {
			c.writeErr.Store(&err)
		}
	}
}

func (c *countingConn) Close() error {
	c.closeOnce.Do(func() {
		c.l.open.Add(-1)
		if c.out != nil {
			c.outMu.Lock()
			c.closed = true
			close(c.out)
			c.outMu.Unlock()
			// The last reply (e.g. to the message before DropAfter closes
			// the connection) still reaches the client; it is at most
			// one RTT away.
			select {
			case <-c.drained:
			case <-time.After(c.l.rtt + time.Second):
			}
		}
	})
	return c.Conn.Close()
}
