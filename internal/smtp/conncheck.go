package smtp

import (
	"errors"
	"io"
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
	case pending:
		return errSpokeUnprompted
	}
	return nil
}

// errClosedByPeer is what peekSocket reports for an orderly close.
var errClosedByPeer = io.EOF
