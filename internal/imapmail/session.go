package imapmail

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// Config says where the mailbox is.
type Config struct {
	Host string // imap.gmail.com
	Port int    // 993 (implicit TLS)
	// RootCAs verifies the server; nil is the system roots.
	RootCAs *x509.CertPool
}

// DefaultConfig is Gmail.
func DefaultConfig() Config { return Config{Host: "imap.gmail.com", Port: 993} }

// Credentials authenticate one account; exactly one of Password and
// AccessToken is set.
type Credentials struct {
	User        string
	Password    string
	AccessToken string
}

// Failures a caller tells apart.
var (
	// ErrTLS: the connection could not be secured (no TLS, or a
	// certificate that does not verify). No credentials were sent.
	ErrTLS = errors.New("imapmail: TLS to the IMAP server failed; no credentials were sent")
	// ErrAuth: the server refused the credentials.
	ErrAuth = errors.New("imapmail: the IMAP server refused the credentials")
)

// Session is one authenticated IMAP connection. Not safe for concurrent use.
type Session struct {
	conn   *tls.Conn
	client *imapclient.Client
}

// Open dials the server with TLS, waits for its greeting and
// authenticates. The context bounds all of it.
func Open(ctx context.Context, cfg Config, cred Credentials) (*Session, error) {
	addr := net.JoinHostPort(cfg.Host, strconv.Itoa(cfg.Port))
	d := &tls.Dialer{Config: &tls.Config{ServerName: cfg.Host, RootCAs: cfg.RootCAs, MinVersion: tls.VersionTLS12, NextProtos: []string{"imap"}}}
	raw, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		var certErr *tls.CertificateVerificationError
		var recErr tls.RecordHeaderError
		if errors.As(err, &certErr) || errors.As(err, &recErr) || strings.Contains(err.Error(), "tls:") {
			return nil, fmt.Errorf("%w: %v", ErrTLS, err)
		}
		return nil, fmt.Errorf("imapmail: connecting to %s: %w", addr, err)
	}
	s := &Session{conn: raw.(*tls.Conn)}
	s.client = imapclient.New(s.conn, nil)
	if err := s.do(ctx, s.client.WaitGreeting); err != nil {
		s.client.Close()
		return nil, fmt.Errorf("imapmail: greeting: %w", err)
	}
	if err := s.authenticate(ctx, cred); err != nil {
		s.client.Close()
		return nil, err
	}
	return s, nil
}

// authenticate refuses to run on a connection whose TLS handshake is not
// complete: the dialer guarantees it today, and a password must not depend
// on that staying true.
func (s *Session) authenticate(ctx context.Context, cred Credentials) error {
	if !s.conn.ConnectionState().HandshakeComplete {
		return ErrTLS
	}
	var err error
	switch {
	case cred.AccessToken != "":
		err = s.do(ctx, func() error { return s.client.Authenticate(newXOAuth2(cred.User, cred.AccessToken)) })
	case cred.Password != "":
		if s.client.Caps().Has(imap.CapLoginDisabled) {
			return fmt.Errorf("%w: the server disabled LOGIN", ErrAuth)
		}
		err = s.do(ctx, func() error { return s.client.Login(cred.User, cred.Password).Wait() })
	default:
		return fmt.Errorf("%w: no password or access token", ErrAuth)
	}
	var imapErr *imap.Error
	if errors.As(err, &imapErr) {
		// The server's text is its own; it never contains our secret.
		return fmt.Errorf("%w: %s", ErrAuth, imapErr.Text)
	}
	if err != nil {
		return fmt.Errorf("imapmail: authenticating: %w", err)
	}
	return nil
}

// do runs one blocking client step, closing the connection when ctx ends
// first: imapclient has no context support and sets its own 30 s read
// deadlines, so closing is what makes the invocation deadline bind.
func (s *Session) do(ctx context.Context, step func() error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	stop := context.AfterFunc(ctx, func() { _ = s.conn.Close() })
	err := step()
	if !stop() {
		return fmt.Errorf("%w (%v)", ctx.Err(), err)
	}
	return err
}

// Close logs out (bounded by ctx) and closes the connection.
func (s *Session) Close(ctx context.Context) error {
	err := s.do(ctx, func() error { return s.client.Logout().Wait() })
	_ = s.client.Close()
	return err
}
