package smtp

import (
	"context"

	"github.com/gmailsend/gmailsend"
)

// ContentGate is called once the envelope of a transaction is on its way
// and before the first byte of message content is written; an error stops
// the send with nothing of the message sent. The durable send waits here
// for its "content may be at the server" mark to be written, so a crash
// after this point is never taken for one before it.
type ContentGate func() error

type contentGateKey struct{}

// WithContentGate returns a context whose sends pass gate before any
// content goes to the server.
func WithContentGate(ctx context.Context, gate ContentGate) context.Context {
	return context.WithValue(ctx, contentGateKey{}, gate)
}

func contentGateOf(ctx context.Context) ContentGate {
	g, _ := ctx.Value(contentGateKey{}).(ContentGate)
	return g
}

// passGate runs the session's gate, if any. A refusal leaves the
// connection with an envelope whose content never came (a pending DATA or
// BDAT transaction): it is closed rather than reused, and the error says
// nothing was sent.
func (s *session) passGate() error {
	if s.gate == nil {
		return nil
	}
	if err := s.gate(); err != nil {
		s.broken = true
		return gmailsend.AsError(err)
	}
	return nil
}
