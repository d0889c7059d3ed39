package smtp

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	netsmtp "net/smtp"
	"time"

	"github.com/gmailsend/gmailsend/internal/email"
)

// ErrAccessTokenRejected is wrapped by the smtp_auth_failed error of an
// XOAUTH2 attempt whose token the server refused, so the caller can refresh
// the token once and try again.
var ErrAccessTokenRejected = errors.New("smtp: access token rejected")

// errStaleSession marks a kept session that failed its RSET check: whatever
// the server said (Gmail sends "421 4.4.2 Timeout - closing connection" to
// sessions idle too long), nothing of this message was sent, so the caller
// dials a new session instead of reporting the failure.
var errStaleSession = errors.New("smtp: kept session failed its RSET check")

// noDeadlineCap bounds a conversation when the context has no deadline
// (local tools), so nothing can hang for ever.
const noDeadlineCap = 2 * time.Minute

// session is one authenticated SMTP connection.
type session struct {
	key        string
	conn       net.Conn // the outermost connection; deadlines set here reach the TCP socket
	client     *netsmtp.Client
	pipelining bool
	needsReset bool // reused, or a transaction failed: RSET before the next MAIL
	broken     bool // the connection is in an unknown state: never reuse it
	lastUsed   time.Time
	stopWatch  func() bool
}

// bind bounds every following step by ctx: its deadline less margin, and
// an immediate abort if ctx is cancelled.
func (s *session) bind(ctx context.Context, margin time.Duration) {
	deadline := time.Now().Add(noDeadlineCap)
	if d, ok := ctx.Deadline(); ok {
		deadline = d.Add(-margin)
	}
	_ = s.conn.SetDeadline(deadline)
	s.stopWatch = context.AfterFunc(ctx, func() { _ = s.conn.SetDeadline(time.Unix(1, 0)) })
}

// unbind detaches the session from the invocation that used it.
func (s *session) unbind() {
	if s.stopWatch != nil {
		s.stopWatch()
		s.stopWatch = nil
	}
	_ = s.conn.SetDeadline(time.Time{})
}

// close says QUIT without waiting for the answer (it would cost a round
// trip and changes nothing) and closes the connection.
func (s *session) close() {
	_ = s.conn.SetDeadline(time.Now().Add(time.Second))
	_ = s.client.Text.PrintfLine("QUIT")
	_ = s.conn.Close()
}

// dial connects, secures and authenticates a new session. TLS comes before
// anything else is said about the account: on a STARTTLS port a server that
// does not offer STARTTLS, or fails it, gets no AUTH and no mail.
func dial(ctx context.Context, cfg Config, key string, creds Credentials) (*session, error) {
	if d, ok := ctx.Deadline(); ok && time.Until(d) <= cfg.SafetyMargin {
		return nil, classify(stageDial, context.DeadlineExceeded)
	}
	dctx := ctx
	if d, ok := ctx.Deadline(); ok {
		var cancel context.CancelFunc
		dctx, cancel = context.WithDeadline(ctx, d.Add(-cfg.SafetyMargin))
		defer cancel()
	}
	var nd net.Dialer
	raw, err := nd.DialContext(dctx, "tcp", cfg.address())
	if err != nil {
		return nil, classify(stageDial, err)
	}
	conn := raw
	s := &session{key: key, conn: raw}
	s.bind(ctx, cfg.SafetyMargin)
	fail := func(st stage, err error) (*session, error) {
		s.unbind()
		_ = raw.Close()
		return nil, classify(st, err)
	}
	if cfg.implicitTLS() {
		tc := tls.Client(raw, cfg.tlsConfig())
		if err := tc.HandshakeContext(dctx); err != nil {
			return fail(stageDial, err)
		}
		conn = tc
	}
	c, err := netsmtp.NewClient(conn, cfg.Host)
	if err != nil {
		return fail(stageGreeting, err)
	}
	s.client = c
	if err := c.Hello(cfg.HeloName); err != nil {
		return fail(stageEHLO, err)
	}
	if !cfg.implicitTLS() {
		if ok, _ := c.Extension("STARTTLS"); !ok {
			return fail(stageSTARTTLS, &email.Error{Code: email.CodeTLSRequired,
				Message: "the SMTP server does not offer STARTTLS; no credentials or mail were sent over the unencrypted connection"})
		}
		if err := c.StartTLS(cfg.tlsConfig()); err != nil {
			return fail(stageSTARTTLS, err)
		}
	}
	if err := authenticate(c, creds); err != nil {
		return fail(stageAuth, err)
	}
	s.pipelining, _ = c.Extension("PIPELINING")
	s.pipelining = s.pipelining && !cfg.DisablePipelining
	return s, nil
}

func authenticate(c *netsmtp.Client, creds Credentials) error {
	if _, isTLS := c.TLSConnectionState(); !isTLS {
		return errAuthWithoutTLS
	}
	ok, mechs := c.Extension("AUTH")
	if !ok {
		return &email.Error{Code: email.CodeSMTPRejected, Message: "the SMTP server offers no AUTH after TLS"}
	}
	a, err := chooseAuth(mechs, creds)
	if err != nil {
		return &email.Error{Code: email.CodeSMTPRejected, Message: "cannot authenticate: " + err.Error()}
	}
	err = c.Auth(a)
	if x, ok := a.(*xoauth2Auth); ok && err != nil {
		e := classify(stageAuth, err)
		if e.Code == email.CodeSMTPAuthFailed {
			e.Err = fmt.Errorf("%w: %w", ErrAccessTokenRejected, err)
			e.Message = xoauth2Message(x.failure)
		}
		return e
	}
	return err
}

func staleError(err error) *email.Error {
	e := classify(stageReset, err)
	e.Err = fmt.Errorf("%w: %w", errStaleSession, err)
	return e
}

func xoauth2Message(f *xoauth2Failure) string {
	if f != nil && f.Status == "400" {
		return "Gmail refused the OAuth access token: it lacks the https://mail.google.com/ scope; request that scope when obtaining the refresh token"
	}
	return "Gmail refused the OAuth access token (expired, revoked, or for another account)"
}

// send runs one mail transaction. contentSent reports whether any of the
// message went to the server: before that a failure can be retried on a new
// connection without risk of a duplicate.
func (s *session) send(from string, to []string, msg io.WriterTo) (contentSent bool, err error) {
	s.lastUsed = time.Now()
	if s.pipelining {
		return s.sendPipelined(from, to, msg)
	}
	c := s.client
	if s.needsReset {
		if err := c.Reset(); err != nil {
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
	w, err := c.Data()
	if err != nil {
		return false, classify(stageData, err)
	}
	if _, err := msg.WriteTo(w); err != nil {
		return true, classify(stageContent, err)
	}
	if err := w.Close(); err != nil {
		return true, classify(stageContent, err)
	}
	s.needsReset = false
	return true, nil
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
	var first *email.Error
	note := func(st stage, err error, detail string) {
		if first == nil {
			first = classify(st, err)
			first.Message += detail
		}
	}
	resetFailed := false
	if s.needsReset {
		if _, _, err := text.ReadResponse(250); err != nil {
			note(stageReset, err, "")
			resetFailed = true
		}
		s.needsReset = false
	}
	s.needsReset = true
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
