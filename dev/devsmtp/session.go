package devsmtp

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"github.com/emersion/go-sasl"
	gosmtp "github.com/emersion/go-smtp"
)

// session is one SMTP connection's state.
type session struct {
	s         *Server
	conn      *gosmtp.Conn
	user      string
	from      string
	to        []string
	delivered int
}

var _ gosmtp.AuthSession = (*session)(nil)

func (ss *session) AuthMechanisms() []string {
	if len(ss.s.opts.Mechanisms) > 0 {
		return ss.s.opts.Mechanisms
	}
	m := []string{sasl.Plain, sasl.Login}
	if ss.s.opts.TokenStatus != nil {
		m = append(m, "XOAUTH2")
	}
	return m
}

func (ss *session) Auth(mech string) (sasl.Server, error) {
	attempt := AuthAttempt{Mechanism: mech, TLS: isTLS(ss.conn)}
	check := func(user, password string) error {
		attempt.User = user
		want, ok := ss.s.opts.Users[normalize(user)]
		attempt.OK = ok && want == password
		ss.s.noteAuth(attempt)
		if !attempt.OK {
			return errAuthFailed
		}
		ss.user = user
		return nil
	}
	switch mech {
	case sasl.Plain:
		return sasl.NewPlainServer(func(_, user, password string) error { return check(user, password) }), nil
	case sasl.Login:
		return &loginServer{check: check}, nil
	case "XOAUTH2":
		if ss.s.opts.TokenStatus == nil {
			break
		}
		return &xoauth2Server{check: func(user, token string) string {
			attempt.User = user
			status := ss.s.opts.TokenStatus(user, token)
			attempt.OK = status == ""
			ss.s.noteAuth(attempt)
			if attempt.OK {
				ss.user = user
			}
			return status
		}}, nil
	}
	return nil, &gosmtp.SMTPError{Code: 504, EnhancedCode: gosmtp.EnhancedCode{5, 5, 4}, Message: "Unrecognized authentication type"}
}

func (ss *session) reject(stage, arg string) error {
	if ss.s.opts.Reject == nil {
		return nil
	}
	return ss.s.opts.Reject(stage, arg)
}

func (ss *session) Mail(from string, _ *gosmtp.MailOptions) error {
	if ss.user == "" {
		return errAuthRequired
	}
	ss.s.mails.Add(1)
	if err := ss.reject("MAIL", from); err != nil {
		return err
	}
	ss.from = from
	return nil
}

func (ss *session) Rcpt(to string, _ *gosmtp.RcptOptions) error {
	if err := ss.reject("RCPT", to); err != nil {
		return err
	}
	ss.to = append(ss.to, to)
	return nil
}

func (ss *session) Data(r io.Reader) error {
	var buf bytes.Buffer
	if _, err := io.Copy(&buf, r); err != nil {
		return err
	}
	if err := ss.reject("DATA", ss.from); err != nil {
		return err
	}
	if f := ss.s.opts.Content; f != nil {
		f(append([]string(nil), ss.to...))
	}
	ss.delivered++
	data := buf.Bytes()
	if ss.s.opts.DiscardData {
		data = nil
	}
	return ss.s.record(Message{From: ss.from, To: append([]string(nil), ss.to...), Data: data, User: ss.user})
}

// Reset runs after each message (once its reply is written) and on RSET;
// it is where a connection is dropped after DropAfter messages.
func (ss *session) Reset() {
	ss.from, ss.to = "", nil
	if n := ss.s.opts.DropAfter; n > 0 && ss.delivered >= n {
		_ = ss.conn.Conn().Close()
	}
}

func (ss *session) Logout() error { return nil }

// loginServer is SASL LOGIN, which go-sasl provides only as a client.
type loginServer struct {
	check func(user, password string) error
	user  string
	step  int
}

func (l *loginServer) Next(response []byte) ([]byte, bool, error) {
	switch l.step {
	case 0:
		l.step++
		if len(response) > 0 { // initial response carries the user name
			l.user = string(response)
			l.step++
			return []byte("Password:"), false, nil
		}
		return []byte("Username:"), false, nil
	case 1:
		l.user = string(response)
		l.step++
		return []byte("Password:"), false, nil
	default:
		return nil, true, l.check(l.user, string(response))
	}
}

// xoauth2Server is Google's SASL XOAUTH2: on a bad token it sends a base64
// JSON challenge, waits for the empty response, then fails with 535.
type xoauth2Server struct {
	check  func(user, token string) string
	failed bool
}

func (x *xoauth2Server) Next(response []byte) ([]byte, bool, error) {
	if x.failed {
		return nil, true, errAuthFailed
	}
	parts := bytes.Split(response, []byte{1})
	var user, token string
	for _, p := range parts {
		switch {
		case bytes.HasPrefix(p, []byte("user=")):
			user = string(p[len("user="):])
		case bytes.HasPrefix(p, []byte("auth=Bearer ")):
			token = string(p[len("auth=Bearer "):])
		}
	}
	if user == "" || token == "" {
		return nil, true, errors.New("malformed XOAUTH2 response")
	}
	status := x.check(user, token)
	if status == "" {
		return nil, true, nil
	}
	x.failed = true
	challenge := fmt.Sprintf(`{"status":%q,"schemes":"Bearer","scope":"https://mail.google.com/"}`, status)
	return []byte(challenge), false, nil
}
