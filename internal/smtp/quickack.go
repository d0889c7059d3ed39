package smtp

// Acknowledging replies at once.
//
// A server answering a pipelined flight may write its replies in more than
// one piece: Postfix writes the replies to RSET, MAIL and RCPT as soon as it
// must wait for the rest of a BDAT chunk, and the verdict on the message
// once it is queued. With Nagle's algorithm on (Postfix leaves it on), the
// second small write waits until the first is acknowledged. The client has
// nothing more to send, so nothing carries that acknowledgement but a bare
// ACK, which Linux delays by up to 40 ms on a connection it judges
// interactive (this side sent data shortly after receiving some, as a warm
// session does): about half of warm one-flight sends to Postfix stalled by
// that much, until the timer fired. A new session meets it too: after
// STARTTLS, Postfix's OpenSSL writes the TLS 1.3 session tickets, then the
// EHLO reply, and most new sessions stalled there. Acknowledging at once
// while a flight's replies are awaited, and throughout dialling, removes
// the stall; it costs a bare ACK per reply segment, which the server never
// waits for.

// ackRepliesAtOnce makes every read of the session's socket acknowledge
// what arrived at once (TCP_QUICKACK on Linux, nothing elsewhere) until the
// returned function is called.
func (s *session) ackRepliesAtOnce() (restore func()) {
	tc, ok := s.conn.(*turnConn)
	if !ok {
		return func() {}
	}
	tc.ackAtOnce.Store(true)
	return func() { tc.ackAtOnce.Store(false) }
}
