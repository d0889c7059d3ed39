package smtp

import (
	"fmt"
	"io"

	"github.com/gmailsend/gmailsend"
)

// send runs one mail transaction. contentSent reports whether the message
// may have reached the server: until then a failure can be retried on a new
// connection without risk of a duplicate.
//
// Three ways, fastest first: one flight with BDAT when the server offers
// CHUNKING and PIPELINING (sendOneFlight says when it applies), MAIL, RCPT…
// and DATA pipelined, or one command per round trip.
func (s *session) send(from string, to []string, msg io.WriterTo) (contentSent bool, err error) {
	switch {
	case s.oneFlight(to):
		return s.sendOneFlight(from, to[0], msg)
	case s.pipelining:
		return s.sendPipelined(from, to, msg)
	}
	return s.sendStepwise(from, to, msg)
}

// sendStepwise waits for each reply before the next command.
func (s *session) sendStepwise(from string, to []string, msg io.WriterTo) (bool, error) {
	c := s.client
	if s.needsReset {
		lift := s.boundFirstReply()
		err := c.Reset()
		lift()
		if err != nil {
			s.broken = true
			return false, staleError(err)
		}
		s.needsReset = false
	}
	s.needsReset = true // cleared once the transaction completes
	if err := c.Mail(from); err != nil {
		return false, classify(stageMail, err)
	}
	for _, rcpt := range to {
		if err := c.Rcpt(rcpt); err != nil {
			e := classify(stageRcpt, err)
			e.Message += " (" + rcpt + ")"
			return false, e
		}
	}
	id, err := c.Text.Cmd("DATA")
	if err != nil {
		return false, classify(stageData, err)
	}
	c.Text.StartResponse(id)
	_, _, err = c.Text.ReadResponse(354)
	c.Text.EndResponse(id)
	if err != nil {
		return false, classify(stageData, err)
	}
	if err := s.passGate(); err != nil {
		return false, err
	}
	return s.transferData(msg)
}

// sendPipelined sends RSET (when needed), MAIL, every RCPT and DATA in one
// flight and reads their replies together (RFC 2920), then the message: two
// round trips per message.
func (s *session) sendPipelined(from string, to []string, msg io.WriterTo) (bool, error) {
	text := s.client.Text
	w := text.W
	if s.needsReset {
		fmt.Fprint(w, "RSET\r\n")
	}
	fmt.Fprintf(w, "MAIL FROM:<%s>\r\n", from)
	for _, rcpt := range to {
		fmt.Fprintf(w, "RCPT TO:<%s>\r\n", rcpt)
	}
	fmt.Fprint(w, "DATA\r\n")
	if err := w.Flush(); err != nil {
		return false, classify(stageMail, err)
	}
	restore := s.ackRepliesAtOnce() // the replies may come in several writes (quickack.go)
	defer restore()
	var first *gmailsend.Error
	note := func(st stage, err error, detail string) {
		if first == nil {
			first = classify(st, err)
			first.Message += detail
		}
	}
	resetFailed := false
	if s.needsReset {
		lift := s.boundFirstReply()
		_, _, err := text.ReadResponse(250)
		lift()
		if err != nil {
			note(stageReset, err, "")
			resetFailed = true
		}
		s.needsReset = false
	}
	s.needsReset = true
	if resetFailed && !isReply(first) {
		// Silence or a broken connection: the other replies cannot come.
		s.broken = true
		return false, staleError(first)
	}
	if _, _, err := text.ReadResponse(250); err != nil {
		note(stageMail, err, "")
	}
	for _, rcpt := range to {
		if _, _, err := text.ReadResponse(25); err != nil {
			note(stageRcpt, err, " ("+rcpt+")")
		}
	}
	_, _, dataErr := text.ReadResponse(354)
	if resetFailed {
		// The session is not what it was; whatever DATA got, abandon it.
		s.broken = true
		return false, staleError(first)
	}
	if first != nil {
		if dataErr == nil {
			// DATA was accepted for the recipients that passed. Ending it
			// with a lone dot would deliver an empty message to them, so
			// abandon the connection instead; the server discards it.
			s.broken = true
			return false, first
		}
		return false, first
	}
	if dataErr != nil {
		return false, classify(stageData, dataErr)
	}
	if err := s.passGate(); err != nil {
		return false, err
	}
	return s.transferData(msg)
}

// transferData sends the message after the server's 354 and reads its
// verdict. Any failure from here on reports contentSent, and Transport
// marks it (outcome.go): without a reply, delivery is unknown.
func (s *session) transferData(msg io.WriterTo) (bool, error) {
	text := s.client.Text
	dw := text.DotWriter()
	if _, err := msg.WriteTo(dw); err != nil {
		return true, classify(stageContent, err)
	}
	if err := dw.Close(); err != nil {
		return true, classify(stageContent, err)
	}
	if _, _, err := text.ReadResponse(250); err != nil {
		return true, classify(stageContent, err)
	}
	s.needsReset = false
	return true, nil
}
