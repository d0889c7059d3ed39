package devimap

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
	"github.com/emersion/go-sasl"
)

// session is one connection: imapmemserver's mailbox commands once an
// account has authenticated, with LOGIN and AUTHENTICATE recorded.
type session struct {
	*imapmemserver.UserSession // nil until authenticated
	s                          *Server
	tls                        bool
}

var _ imapserver.SessionSASL = (*session)(nil)

func (ss *session) Close() error {
	if ss.UserSession == nil {
		return nil
	}
	return ss.UserSession.Close()
}

func (ss *session) Login(user, password string) error {
	return ss.check("LOGIN", user, func(u string) bool {
		return ss.s.opts.Users[u] == password && password != ""
	})
}

// check records an attempt and, when ok accepts it, opens the account.
func (ss *session) check(mech, user string, ok func(user string) bool) error {
	user = strings.ToLower(user)
	_, known := ss.s.users[user]
	a := AuthAttempt{Mechanism: mech, TLS: ss.tls, User: user, OK: known && ok(user)}
	ss.s.noteAuth(a)
	if !a.OK {
		return imapserver.ErrAuthFailed
	}
	ss.UserSession = imapmemserver.NewUserSession(ss.s.users[user])
	return nil
}

func (ss *session) AuthenticateMechanisms() []string {
	m := []string{sasl.Plain}
	if ss.s.opts.TokenStatus != nil {
		m = append(m, "XOAUTH2")
	}
	return m
}

func (ss *session) Authenticate(mech string) (sasl.Server, error) {
	switch mech {
	case sasl.Plain:
		return sasl.NewPlainServer(func(_, user, password string) error {
			return ss.check("PLAIN", user, func(u string) bool { return ss.s.opts.Users[u] == password && password != "" })
		}), nil
	case "XOAUTH2":
		if ss.s.opts.TokenStatus != nil {
			return &xoauth2Server{ss: ss}, nil
		}
	}
	return nil, errors.New("devimap: unsupported mechanism")
}

// xoauth2Server is Google's XOAUTH2: on a bad token a JSON challenge, the
// client's empty response, then NO.
type xoauth2Server struct {
	ss     *session
	failed bool
}

func (x *xoauth2Server) Next(response []byte) ([]byte, bool, error) {
	if x.failed {
		return nil, true, imapserver.ErrAuthFailed
	}
	var user, token string
	for _, p := range bytes.Split(response, []byte{1}) {
		switch {
		case bytes.HasPrefix(p, []byte("user=")):
			user = string(p[len("user="):])
		case bytes.HasPrefix(p, []byte("auth=Bearer ")):
			token = string(p[len("auth=Bearer "):])
		}
	}
	if user == "" || token == "" {
		return nil, true, errors.New("devimap: malformed XOAUTH2 response")
	}
	var status string
	err := x.ss.check("XOAUTH2", user, func(u string) bool {
		status = x.ss.s.opts.TokenStatus(u, token)
		return status == ""
	})
	if err == nil {
		return nil, true, nil
	}
	x.failed = true
	return []byte(fmt.Sprintf(`{"status":%q,"schemes":"Bearer","scope":"https://mail.google.com/"}`, status)), false, nil
}
