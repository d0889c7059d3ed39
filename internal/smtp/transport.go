package smtp

import (
	"context"
	"errors"
	"io"
	"net/textproto"

	"github.com/go-gomail/gomail"

	"github.com/gmailsend/gmailsend"
)

// Client delivers messages to one SMTP server, keeping authenticated
// sessions for reuse. It is safe for concurrent use.
type Client struct {
	cfg  Config
	pool *pool
}

// New returns a Client for cfg.
func New(cfg Config) *Client {
	cfg = cfg.withDefaults()
	return &Client{cfg: cfg, pool: newPool(cfg.MaxIdlePerKey, cfg.IdleTimeout)}
}

// Close closes every kept session. Call it when the process is told to stop.
func (c *Client) Close() { c.pool.closeAll() }

// IdleSessions is the number of sessions kept for reuse.
func (c *Client) IdleSessions() int { return c.pool.size() }

// OneFlightReady reports whether a kept session is ready to take a
// single-recipient message in one flight (RSET, MAIL, RCPT and the
// content together): the content then goes at once, with no envelope round
// trip first. A guess for the sender, which may then write its "content
// may be at the server" mark earlier: another account's session, or one
// the server dropped meanwhile, only makes the mark early.
func (c *Client) OneFlightReady() bool { return c.pool.oneFlightReady() }

// Send delivers msg with gomail.Send over a Transport bound to ctx.
func (c *Client) Send(ctx context.Context, creds Credentials, msg *gomail.Message) error {
	t, err := c.Open(ctx, creds)
	if err != nil {
		return err
	}
	defer t.Close()
	if err := gomail.Send(t, msg); err != nil {
		// gomail.Send flattens errors with %v; the Transport kept the
		// classified one.
		if t.err != nil {
			return t.err
		}
		return gmailsend.AsError(err)
	}
	return nil
}

// Open returns a Transport authenticated as creds: a kept session when one
// is available, a new one otherwise.
func (c *Client) Open(ctx context.Context, creds Credentials) (*Transport, error) {
	key := sessionKey(c.cfg, creds)
	t := &Transport{client: c, ctx: ctx, creds: creds, key: key}
	if s := c.pool.get(key); s != nil {
		s.bind(ctx, c.cfg.SafetyMargin)
		s.kept, s.keptFor = true, c.pool.now().Sub(s.lastUsed)
		t.sess, t.reused = s, true
		return t, nil
	}
	s, err := dial(ctx, c.cfg, key, creds)
	if err != nil {
		if gmailsend.CodeOf(err) == gmailsend.CodeSMTPAuthFailed {
			c.pool.evict(key)
		}
		return nil, err
	}
	t.sess = s
	return t, nil
}

// Transport is one session bound to one invocation. It implements gomail's
// SendCloser; Close hands the session back for reuse.
type Transport struct {
	client *Client
	ctx    context.Context
	creds  Credentials
	key    string
	sess   *session
	reused bool
	err    *gmailsend.Error
}

var _ gomail.SendCloser = (*Transport)(nil)

// Send runs one mail transaction. A kept session found dead before any of
// the message could have reached the server (closed while idle, a failed
// or unanswered RSET) is replaced by a new one, once; after that point a
// failure is returned, never retried here, so nothing is sent twice.
func (t *Transport) Send(from string, to []string, msg io.WriterTo) error {
	if t.reused {
		if err := t.sess.check(); err != nil {
			if derr := t.redial(); derr != nil {
				return derr
			}
		}
	}
	contentSent, err := t.sess.send(from, to, msg)
	if err != nil && t.reused && !contentSent && (errors.Is(err, errStaleSession) || !isReply(err)) {
		if derr := t.redial(); derr != nil {
			return derr
		}
		contentSent, err = t.sess.send(from, to, msg)
	}
	if err != nil {
		if !isReply(err) {
			t.sess.broken = true
		}
		t.err = gmailsend.AsError(err)
		if contentSent {
			t.err = markContentSent(t.err) // outcome.go
		}
		return t.err
	}
	return nil
}

// Close returns the session to the pool, or closes it.
func (t *Transport) Close() error {
	if t.sess == nil {
		return nil
	}
	s := t.sess
	t.sess = nil
	s.unbind()
	if !t.client.pool.put(s) {
		s.close()
	}
	return nil
}

// redial replaces the kept session with a new one.
func (t *Transport) redial() error {
	t.sess.unbind()
	_ = t.sess.conn.Close()
	t.sess = nil
	s, err := dial(t.ctx, t.client.cfg, t.key, t.creds)
	if err != nil {
		t.err = gmailsend.AsError(err)
		return t.err
	}
	t.sess, t.reused = s, false
	return nil
}

// isReply reports whether err is the server's answer (the connection is
// still in a known state) rather than a transport failure.
func isReply(err error) bool {
	var te *textproto.Error
	return errors.As(err, &te)
}
