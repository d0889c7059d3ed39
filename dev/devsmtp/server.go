package devsmtp

import (
	"crypto/tls"
	"errors"
	"io"
	"log"
	"net"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	gosmtp "github.com/emersion/go-smtp"
)

// Options configure a Server. The zero value is a server with no TLS and no
// accounts.
type Options struct {
	// Addr to listen on; default 127.0.0.1:0.
	Addr string
	// TLS enables STARTTLS (or implicit TLS with ImplicitTLS).
	TLS         *tls.Config
	ImplicitTLS bool
	// Users are accepted by AUTH PLAIN and LOGIN: address → password.
	Users map[string]string
	// Mechanisms restricts the AUTH mechanisms offered (default PLAIN and
	// LOGIN, plus XOAUTH2 when TokenStatus is set).
	Mechanisms []string
	// TokenStatus decides XOAUTH2: "" accepts the token, anything else is
	// the "status" of Google's JSON error challenge ("401" for an invalid
	// or expired token, "400" for a token without the Gmail scope). Nil
	// means XOAUTH2 is not offered.
	TokenStatus func(user, token string) string
	// AllowInsecureAuth offers AUTH before TLS, to prove a client refuses.
	AllowInsecureAuth bool
	// Dir, when set, receives each message as an .eml file.
	Dir string
	// RTT delays the first reply of every server flight.
	RTT time.Duration
	// Reject, when set, is asked at MAIL ("MAIL"), each RCPT ("RCPT") and
	// after DATA ("DATA") and may return an *gosmtp.SMTPError to send.
	Reject func(stage, arg string) error
	// Content, when set, is called with a message's recipients once its
	// content has arrived in full, before the server replies to it: the
	// server has the message (it is delivered when Content returns), and a
	// test that kills the client here leaves it never hearing the reply.
	Content func(to []string)
	// DiscardData keeps only the envelope of each message, not its bytes
	// (benchmarks send thousands).
	DiscardData bool
	// DropAfter closes a connection after it has delivered this many
	// messages (0: never).
	DropAfter int
	// Bounces, when set, receives a Gmail-style delivery status
	// notification for every recipient at BounceDomain (bounce.go).
	Bounces Inbox
}

// Message is one delivered message.
type Message struct {
	From string
	To   []string
	Data []byte
	Path string // the .eml file, when Options.Dir is set
	User string // the account that authenticated
}

// AuthAttempt records an AUTH command the server saw.
type AuthAttempt struct {
	Mechanism string
	TLS       bool
	User      string
	OK        bool
}

// Server is a running development SMTP server.
type Server struct {
	opts     Options
	srv      *gosmtp.Server
	ln       *countingListener
	Addr     string
	Host     string
	Port     int
	mu       sync.Mutex
	messages []Message
	auths    []AuthAttempt
	mails    atomic.Int64
	seq      atomic.Int64
	done     chan struct{}
}

// Start listens and serves in the background until Close.
func Start(o Options) (*Server, error) {
	if o.Addr == "" {
		o.Addr = "127.0.0.1:0"
	}
	raw, err := net.Listen("tcp", o.Addr)
	if err != nil {
		return nil, err
	}
	s := &Server{opts: o, done: make(chan struct{})}
	s.ln = &countingListener{Listener: raw, rtt: o.RTT}
	var ln net.Listener = s.ln
	if o.ImplicitTLS {
		ln = tls.NewListener(s.ln, o.TLS)
	}
	srv := gosmtp.NewServer(gosmtp.BackendFunc(func(c *gosmtp.Conn) (gosmtp.Session, error) {
		return &session{s: s, conn: c}, nil
	}))
	srv.Domain = "localhost"
	srv.MaxMessageBytes = 35 << 20 // what smtp.gmail.com advertises
	srv.MaxRecipients = 100
	srv.AllowInsecureAuth = o.AllowInsecureAuth || o.ImplicitTLS
	srv.ReadTimeout = time.Minute
	srv.WriteTimeout = time.Minute
	srv.ErrorLog = log.New(io.Discard, "", 0)
	if !o.ImplicitTLS {
		srv.TLSConfig = o.TLS
	}
	s.srv = srv
	tcp := raw.Addr().(*net.TCPAddr)
	s.Addr, s.Host, s.Port = raw.Addr().String(), tcp.IP.String(), tcp.Port
	go func() {
		defer close(s.done)
		_ = srv.Serve(ln)
	}()
	return s, nil
}

// Close stops the server and closes its connections.
func (s *Server) Close() error {
	err := s.srv.Close()
	// go-smtp closes only the listeners Serve has registered; if Close
	// wins the race with the serving goroutine, Serve would then block in
	// Accept for ever. Closing the listener here ends it either way.
	_ = s.ln.Close()
	<-s.done
	if errors.Is(err, net.ErrClosed) {
		err = nil
	}
	return err
}

// Messages returns the delivered messages in order.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.messages...)
}

// AuthAttempts returns every AUTH the server saw.
func (s *Server) AuthAttempts() []AuthAttempt {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]AuthAttempt(nil), s.auths...)
}

// Stats are the counters of a server.
type Stats struct {
	Connections int64 // accepted in all
	Open        int64 // open now
	RoundTrips  int64 // client→server flights, plus one per connection
	Mails       int64 // MAIL commands
	Messages    int64 // messages delivered
}

// Stats returns the counters.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	n := len(s.messages)
	s.mu.Unlock()
	return Stats{
		Connections: s.ln.connections.Load(),
		Open:        s.ln.open.Load(),
		RoundTrips:  s.ln.roundTrips.Load(),
		Mails:       s.mails.Load(),
		Messages:    int64(n),
	}
}

func (s *Server) record(m Message) error {
	if s.opts.Dir != "" {
		if err := os.MkdirAll(s.opts.Dir, 0o755); err != nil {
			return err
		}
		path, err := saveEML(s.opts.Dir, m.Data, time.Now(), func() int64 { return s.seq.Add(1) })
		if err != nil {
			return err
		}
		m.Path = path
	}
	s.mu.Lock()
	s.messages = append(s.messages, m)
	s.mu.Unlock()
	s.bounceBack(m)
	return nil
}

func (s *Server) noteAuth(a AuthAttempt) {
	s.mu.Lock()
	s.auths = append(s.auths, a)
	s.mu.Unlock()
}

// errAuthFailed is Gmail's own reply to a wrong password.
var errAuthFailed = &gosmtp.SMTPError{
	Code:         535,
	EnhancedCode: gosmtp.EnhancedCode{5, 7, 8},
	Message:      "Username and Password not accepted. For more information, go to https://support.google.com/mail/?p=BadCredentials",
}

var errAuthRequired = &gosmtp.SMTPError{Code: 530, EnhancedCode: gosmtp.EnhancedCode{5, 7, 0}, Message: "Authentication Required."}

func isTLS(c *gosmtp.Conn) bool {
	_, ok := c.TLSConnectionState()
	return ok
}

func normalize(addr string) string { return strings.ToLower(strings.TrimSpace(addr)) }
