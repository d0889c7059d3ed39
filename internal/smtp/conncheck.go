package smtp

import (
	"errors"
	"io"
	"net"
	"time"
)

// errSpokeUnprompted is a kept session on which the server said something
// nobody asked for: typically Gmail's "421 4.4.2 … closing connection".
var errSpokeUnprompted = errors.New("smtp: the server spoke on a kept session unprompted")

// check looks at a kept session before it is used, without a round trip:
// a server that closed the connection while it idled, or spoke unprompted,
// makes it unusable, and finding that out before the message is written
// lets the caller dial a new session with nothing sent. A connection that
// was silently dropped passes; the bounded first reply catches that.
func (s *session) check() error {
	if s.client.Text.R.Buffered() > 0 {
		return errSpokeUnprompted
	}
	pending, err := peekSocket(s.conn)
	switch {
	case err != nil:
		return err
	case !pending:
		return nil
	}
	// Bytes are waiting: a reply nobody asked for or a TLS close_notify,
	// or only a TLS 1.3 post-handshake message (a session ticket, a key
	// update) that carries no reply at all. Let TLS read them, briefly:
	// only an SMTP line or the end of the connection condemns the session.
	_ = s.conn.SetReadDeadline(time.Now().Add(pendingLook))
	_, err = s.client.Text.R.Peek(1)
	s.restoreReadDeadline()
	var ne net.Error
	switch {
	case err == nil:
		return errSpokeUnprompted
	case errors.As(err, &ne) && ne.Timeout():
		return nil
	}
	return err
}

// pendingLook bounds reading what a kept session found waiting; TLS
// records already in the socket take microseconds to read.
const pendingLook = 20 * time.Millisecond

// errClosedByPeer is what peekSocket reports for an orderly close.
var errClosedByPeer = io.EOF
