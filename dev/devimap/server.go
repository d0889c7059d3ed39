package devimap

import (
	"bytes"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
)

// Options configure a Server.
type Options struct {
	// Addr to listen on; default 127.0.0.1:0.
	Addr string
	// TLS serves implicit TLS (port 993 style). Nil serves plaintext and
	// accepts LOGIN without TLS, to prove a client refuses to use it.
	TLS *tls.Config
	// Users are the accounts: address → password. Each gets an INBOX.
	Users map[string]string
	// Folders are created for every account (e.g. an archive label).
	Folders []string
	// TokenStatus decides XOAUTH2 like devsmtp's: "" accepts the token,
	// anything else is the status of Google's JSON error challenge. Nil
	// means XOAUTH2 is not offered.
	TokenStatus func(user, token string) string
	// Capture keeps every byte clients send (up to 1 MiB), for tests that
	// prove a secret never crossed a plaintext connection.
	Capture bool
}

// AuthAttempt records a LOGIN or AUTHENTICATE the server saw.
type AuthAttempt struct {
	Mechanism string // LOGIN, PLAIN or XOAUTH2
	TLS       bool
	User      string
	OK        bool
}

// Server is a running development IMAP server.
type Server struct {
	opts  Options
	srv   *imapserver.Server
	ln    *countingListener
	mem   *imapmemserver.Server
	users map[string]*imapmemserver.User
	Addr  string
	Host  string
	Port  int
	mu    sync.Mutex
	auths []AuthAttempt
	done  chan struct{}
}

// Start listens and serves in the background until Close.
func Start(o Options) (*Server, error) {
	if o.Addr == "" {
		o.Addr = "127.0.0.1:0"
	}
	s := &Server{opts: o, mem: imapmemserver.New(), users: map[string]*imapmemserver.User{}, done: make(chan struct{})}
	for addr, password := range o.Users {
		u := imapmemserver.NewUser(strings.ToLower(addr), password)
		for _, box := range append([]string{"INBOX"}, o.Folders...) {
			if err := u.Create(box, nil); err != nil {
				return nil, fmt.Errorf("devimap: creating %s: %w", box, err)
			}
		}
		s.mem.AddUser(u)
		s.users[strings.ToLower(addr)] = u
	}
	raw, err := net.Listen("tcp", o.Addr)
	if err != nil {
		return nil, err
	}
	s.ln = &countingListener{Listener: raw, capture: o.Capture}
	var ln net.Listener = s.ln
	if o.TLS != nil {
		ln = tls.NewListener(s.ln, o.TLS)
	}
	s.srv = imapserver.New(&imapserver.Options{
		NewSession: func(c *imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			_, isTLS := c.NetConn().(*tls.Conn)
			return &session{s: s, tls: isTLS}, nil, nil
		},
		// IMAP4rev1 with MOVE and UIDPLUS, as imap.gmail.com offers.
		Caps:         imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapMove: {}, imap.CapUIDPlus: {}},
		InsecureAuth: o.TLS == nil,
		Logger:       log.New(io.Discard, "", 0),
	})
	tcp := raw.Addr().(*net.TCPAddr)
	s.Addr, s.Host, s.Port = raw.Addr().String(), tcp.IP.String(), tcp.Port
	go func() {
		defer close(s.done)
		_ = s.srv.Serve(ln)
	}()
	return s, nil
}

// Close stops the server and closes its connections.
func (s *Server) Close() error {
	err := s.srv.Close()
	_ = s.ln.Close() // Serve may not have registered the listener yet
	<-s.done
	if errors.Is(err, net.ErrClosed) {
		err = nil
	}
	return err
}

func (s *Server) user(addr string) (*imapmemserver.User, error) {
	u := s.users[strings.ToLower(addr)]
	if u == nil {
		return nil, fmt.Errorf("devimap: no account %s", addr)
	}
	return u, nil
}

// Append delivers raw to the account's INBOX as received at t (zero: now)
// and returns its UID.
func (s *Server) Append(account string, raw []byte, t time.Time) (uint32, error) {
	u, err := s.user(account)
	if err != nil {
		return 0, err
	}
	data, err := u.Append("INBOX", &literal{Reader: bytes.NewReader(raw), size: int64(len(raw))}, &imap.AppendOptions{Time: t})
	if err != nil {
		return 0, fmt.Errorf("devimap: append: %w", err)
	}
	return uint32(data.UID), nil
}

// Count is the number of messages in one of the account's mailboxes.
func (s *Server) Count(account, mailbox string) (uint32, error) {
	u, err := s.user(account)
	if err != nil {
		return 0, err
	}
	st, err := u.Status(mailbox, &imap.StatusOptions{NumMessages: true})
	if err != nil {
		return 0, err
	}
	return *st.NumMessages, nil
}

// ChangeUIDValidity renumbers the account's INBOX the way a server does
// after rebuilding it: the same messages under a new UIDVALIDITY and new
// UIDs. Clients must treat every UID they kept as meaningless.
func (s *Server) ChangeUIDValidity(account string) (uint32, error) {
	u, err := s.user(account)
	if err != nil {
		return 0, err
	}
	const old = "devimap-renumbering"
	if err := u.Rename("INBOX", old, nil); err != nil {
		return 0, err
	}
	if err := u.Create("INBOX", nil); err != nil {
		return 0, err
	}
	sess := imapmemserver.NewUserSession(u)
	if _, err := sess.Select(old, nil); err != nil {
		return 0, err
	}
	var all imap.SeqSet
	all.AddRange(1, 0)
	if _, err := sess.Copy(all, "INBOX"); err != nil {
		return 0, err
	}
	_ = sess.Close()
	if err := u.Delete(old); err != nil {
		return 0, err
	}
	st, err := u.Status("INBOX", &imap.StatusOptions{UIDValidity: true})
	if err != nil {
		return 0, err
	}
	return st.UIDValidity, nil
}

// AuthAttempts returns every LOGIN and AUTHENTICATE the server saw.
func (s *Server) AuthAttempts() []AuthAttempt {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]AuthAttempt(nil), s.auths...)
}

func (s *Server) noteAuth(a AuthAttempt) {
	s.mu.Lock()
	s.auths = append(s.auths, a)
	s.mu.Unlock()
}

// Stats are the server's counters.
type Stats struct {
	Connections int64 // accepted in all
	RoundTrips  int64 // client→server flights, plus one per connection
}

// Stats returns the counters.
func (s *Server) Stats() Stats {
	return Stats{Connections: s.ln.connections.Load(), RoundTrips: s.ln.roundTrips.Load()}
}

// Received is every byte clients sent, when Options.Capture is set.
func (s *Server) Received() []byte { return s.ln.received() }

// literal is an imap.LiteralReader over bytes.
type literal struct {
	*bytes.Reader
	size int64
}

func (l *literal) Size() int64 { return l.size }
