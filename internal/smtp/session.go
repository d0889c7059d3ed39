package smtp

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	netsmtp "net/smtp"
	"sync"
	"time"

	"github.com/gmailsend/gmailsend"
)

// ErrAccessTokenRejected is wrapped by the smtp_auth_failed error of an
// XOAUTH2 attempt whose token the server refused, so the caller can refresh
// the token once and try again.
var ErrAccessTokenRejected = errors.New("smtp: access token rejected")

// noDeadlineCap bounds a conversation when the context has no deadline
// (local tools), so nothing can hang for ever.
const noDeadlineCap = 2 * time.Minute

// session is one authenticated SMTP connection.
type session struct {
	key        string
	conn       net.Conn // the outermost connection; deadlines set here reach the TCP socket
	client     *netsmtp.Client
	pipelining bool
	chunking   bool // BDAT (RFC 3030) offered and allowed
	needsReset bool // reused, or a transaction failed: RSET before the next MAIL
	broken     bool // the connection is in an unknown state: never reuse it
	lastUsed   time.Time
	stopWatch  func() bool

	// kept is set when the session came from the pool, keptFor to how long
	// it idled there: the first reply it gives is bounded by
	// firstReplyLimit, and a long idle rules out the one-flight send.
	kept            bool
	keptFor         time.Duration
	firstReplyLimit time.Duration
	// deadline is what bind set: the invocation deadline less the margin.
	// cancelled records that the invocation's context ended; deadlineMu
	// orders that with boundFirstReply lifting its bound.
	deadline   time.Time
	deadlineMu sync.Mutex
	cancelled  bool
	// chunkBuf is kept between sends so a batch does not allocate a
	// message-sized buffer per record.
	chunkBuf []byte
	// gate is the bound invocation's ContentGate (gate.go), or nil.
	gate ContentGate
}

// bind bounds every following step by ctx: its deadline less margin, and
// an immediate abort if ctx is cancelled.
func (s *session) bind(ctx context.Context, margin time.Duration) {
	deadline := time.Now().Add(noDeadlineCap)
	if d, ok := ctx.Deadline(); ok {
		deadline = d.Add(-margin)
	}
	s.deadline = deadline
	s.gate = contentGateOf(ctx)
	_ = s.conn.SetDeadline(deadline)
	countRoundTrips(s.conn, roundTripsOf(ctx))
	s.cancelled = false
	s.stopWatch = context.AfterFunc(ctx, func() {
		s.deadlineMu.Lock()
		defer s.deadlineMu.Unlock()
		s.cancelled = true
		_ = s.conn.SetDeadline(time.Unix(1, 0))
	})
}

// unbind detaches the session from the invocation that used it.
func (s *session) unbind() {
	if s.stopWatch != nil {
		s.stopWatch()
		s.stopWatch = nil
	}
	countRoundTrips(s.conn, nil)
	s.gate = nil
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
	raw = countTurns(raw)
	conn := raw
	s := &session{key: key, conn: raw, firstReplyLimit: cfg.ReuseCheckTimeout}
	s.bind(ctx, cfg.SafetyMargin)
	// The handshake's answers come in several writes too: after STARTTLS,
	// Postfix (OpenSSL) writes TLS 1.3 session tickets, then the EHLO
	// reply, which Nagle holds until the tickets are acknowledged.
	defer s.ackRepliesAtOnce()()
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
			return fail(stageSTARTTLS, &gmailsend.Error{Code: gmailsend.CodeTLSRequired,
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
	s.chunking, _ = c.Extension("CHUNKING")
	s.chunking = s.chunking && !cfg.DisableChunking
	return s, nil
}

func authenticate(c *netsmtp.Client, creds Credentials) error {
	if _, isTLS := c.TLSConnectionState(); !isTLS {
		return errAuthWithoutTLS
	}
	ok, mechs := c.Extension("AUTH")
	if !ok {
		return &gmailsend.Error{Code: gmailsend.CodeSMTPRejected, Message: "the SMTP server offers no AUTH after TLS"}
	}
	a, err := chooseAuth(mechs, creds)
	if err != nil {
		return &gmailsend.Error{Code: gmailsend.CodeSMTPRejected, Message: "cannot authenticate: " + err.Error()}
	}
	err = c.Auth(a)
	if x, ok := a.(*xoauth2Auth); ok && err != nil {
		e := classify(stageAuth, err)
		if e.Code == gmailsend.CodeSMTPAuthFailed {
			e.Err = fmt.Errorf("%w: %w", ErrAccessTokenRejected, err)
			e.Message = xoauth2Message(x.failure)
		}
		return e
	}
	return err
}

func xoauth2Message(f *xoauth2Failure) string {
	if f != nil && f.Status == "400" {
		return "Gmail refused the OAuth access token: it lacks the https://mail.google.com/ scope; request that scope when obtaining the refresh token"
	}
	return "Gmail refused the OAuth access token (expired, revoked, or for another account)"
}
