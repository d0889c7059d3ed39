package smtp

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"time"

	"github.com/gmailsend/gmailsend"
)

// chunkSize bounds one BDAT chunk, and so the buffer a send holds: a
// message up to this size (nearly all) is one "BDAT <size> LAST".
const chunkSize = 1 << 20

// oneFlightIdle is how long a kept session may have idled and still take
// the whole message in its first flight. The one-flight send writes the
// message before the RSET reply can say the session is alive, so silence
// afterwards leaves the outcome unknown instead of allowing a safe redial.
// Middleboxes forget idle connections after minutes (AWS NAT gateways after
// 350 s), never seconds, so a session used this recently is trusted; an
// older one is checked with its RSET reply (bounded by ReuseCheckTimeout)
// before any of the message is sent.
const oneFlightIdle = 10 * time.Second

// oneFlight reports whether the message goes in one flight: the server
// offers CHUNKING and PIPELINING, there is one recipient, and the session
// is fresh or recently used. With several recipients the RCPT replies are
// awaited first: a chunk sent with them would reach the recipients that
// were accepted even when another was refused, and a send is all or
// nothing.
func (s *session) oneFlight(to []string) bool {
	return s.chunking && s.pipelining && len(to) == 1 && (!s.kept || s.keptFor <= oneFlightIdle)
}

// sendOneFlight writes RSET (on a kept session), MAIL, RCPT and the message
// as BDAT chunks (RFC 3030), the last one marked LAST, in one flight, then
// reads every reply: one round trip per message.
func (s *session) sendOneFlight(from, rcpt string, msg io.WriterTo) (bool, error) {
	text := s.client.Text
	w := text.W
	reset := s.needsReset
	if reset {
		fmt.Fprint(w, "RSET\r\n")
	}
	fmt.Fprintf(w, "MAIL FROM:<%s>\r\n", from)
	fmt.Fprintf(w, "RCPT TO:<%s>\r\n", rcpt)
	if s.gate != nil {
		// The envelope leaves now and the content only once the gate
		// opens: the gate's wait (the durable send's mark) overlaps the
		// envelope's way to the server instead of adding to it.
		if err := w.Flush(); err != nil {
			s.broken = true
			return false, classify(stageMail, err)
		}
		if err := s.passGate(); err != nil {
			return false, err
		}
	}
	cw := &chunkWriter{w: w, buf: s.chunkBuf[:0]}
	_, err := msg.WriteTo(cw)
	if err == nil {
		err = cw.finish()
	}
	if err == nil {
		err = w.Flush()
	}
	if cap(cw.buf) <= chunkSize {
		s.chunkBuf = cw.buf[:0]
	}
	s.needsReset = true // cleared once the transaction completes
	if err != nil {
		// The last chunk did not leave in full, so the server cannot
		// have accepted the message (unlike DATA, where the client cannot
		// tell a cut-off message from a complete one, BDAT LAST completes
		// only with its last byte): a kept session may be replaced. The
		// connection is mid-chunk, never to be reused.
		s.broken = true
		return false, classify(stageMail, err)
	}
	restore := s.ackRepliesAtOnce() // the replies may come in several writes (quickack.go)
	contentSent, err := s.readOneFlightReplies(reset, rcpt, cw.chunks)
	restore()
	if contentSent && err != nil && !isReply(err) && !errors.Is(err, os.ErrDeadlineExceeded) && resetByPeer(s.conn, resetWait) {
		// The connection ended without a reply, and the server's side
		// reset it. A server resets a connection it closes with data
		// unread, or data that arrives after it closed: either way it
		// never read the end of the flight, so the LAST chunk never
		// completed and nothing was delivered. (A server that read all of
		// it and then closed would have sent a FIN, no reset: that stays
		// an unknown outcome.) This is a kept session closed just as the
		// next send went out; the caller may dial a new one.
		return false, staleError(err)
	}
	return contentSent, err
}

// resetWait bounds the wait for the reset a closed server sends in answer
// to a flight that arrived after it closed: about one network round trip.
const resetWait = 250 * time.Millisecond

// readOneFlightReplies reads the replies of a one-flight send in order and
// decides what happened. The last chunk's reply is the verdict. A reply
// that already made delivery impossible (a 421 to RSET, a refused MAIL or
// RCPT, a refused chunk) means nothing was delivered even if the connection
// then breaks; without one, a broken connection or silence after the
// message was written leaves the outcome unknown (contentSent with no
// reply, which Transport marks ErrDeliveryUnknown). contentSent is false
// when the envelope was refused: the chunk was discarded unread, as after
// a refused DATA, and sending again is safe.
func (s *session) readOneFlightReplies(reset bool, rcpt string, chunks int) (contentSent bool, err error) {
	text := s.client.Text
	type step struct {
		st     stage
		expect int
		detail string
	}
	var steps []step
	if reset {
		steps = append(steps, step{stageReset, 250, ""})
	}
	steps = append(steps, step{stageMail, 250, ""}, step{stageRcpt, 25, " (" + rcpt + ")"})
	for i := 0; i < chunks; i++ {
		steps = append(steps, step{stageContent, 250, ""})
	}
	var first *gmailsend.Error
	resetFailed, refused, chunkRefused, verdictOK := false, false, false, false
	for i, sp := range steps {
		// A kept session's first reply is bounded by the reuse check
		// (SMTP_REUSE_CHECK_TIMEOUT) even though the message is already
		// written: a session a middlebox dropped without a word answers
		// nothing, and the caller learns "delivery unknown" within that
		// bound instead of at the invocation's deadline. A live server
		// answers RSET at once, so a slow success is not cut short.
		lift := func() {}
		if i == 0 {
			lift = s.boundFirstReply()
		}
		_, _, err := text.ReadResponse(sp.expect)
		lift()
		if err == nil {
			verdictOK = i == len(steps)-1
			continue
		}
		if !isReply(err) {
			s.broken = true
			switch {
			case refused && resetFailed:
				return false, staleError(first)
			case refused:
				return chunkRefused, first
			}
			return true, classify(sp.st, err)
		}
		e := classify(sp.st, err)
		e.Message += sp.detail
		if first == nil {
			first = e
		}
		switch sp.st {
		case stageReset:
			resetFailed = true
			refused = e.SMTP != nil && e.SMTP.Code == 421 // the server is closing
		case stageContent:
			chunkRefused = chunkRefused || !refused
			refused = true
		default:
			refused = true
		}
	}
	if verdictOK && !refused {
		// Delivered: RSET may have been refused (the transaction went on
		// regardless), never MAIL or RCPT.
		s.needsReset = resetFailed
		return true, nil
	}
	if resetFailed {
		s.broken = true
		return false, staleError(first)
	}
	return chunkRefused, first
}

// chunkWriter frames what is written to it as BDAT chunks of up to
// chunkSize bytes; finish sends the rest as the LAST chunk. BDAT carries
// the bytes as they are: no dot-stuffing, no scan for a lone dot.
type chunkWriter struct {
	w      *bufio.Writer
	buf    []byte
	chunks int
}

func (c *chunkWriter) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		room := chunkSize - len(c.buf)
		if room == 0 {
			if err := c.flushChunk(false); err != nil {
				return n - len(p), err
			}
			continue
		}
		take := min(room, len(p))
		c.buf = append(c.buf, p[:take]...)
		p = p[take:]
	}
	return n, nil
}

func (c *chunkWriter) finish() error { return c.flushChunk(true) }

func (c *chunkWriter) flushChunk(last bool) error {
	c.w.WriteString("BDAT ")
	c.w.WriteString(strconv.Itoa(len(c.buf)))
	if last {
		c.w.WriteString(" LAST")
	}
	c.w.WriteString("\r\n")
	_, err := c.w.Write(c.buf)
	c.buf = c.buf[:0]
	c.chunks++
	return err
}
