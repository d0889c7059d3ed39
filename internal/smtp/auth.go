package smtp

import (
	"encoding/json"
	"errors"
	netsmtp "net/smtp"
	"strings"
)

// Credentials authenticate one account. Exactly one of Password and
// AccessToken is set.
type Credentials struct {
	User        string
	Password    string
	AccessToken string // OAuth 2.0 access token, for SASL XOAUTH2
}

var errAuthWithoutTLS = errors.New("smtp: refusing to send credentials over an unencrypted connection")

// The mechanisms below refuse to run without TLS even though the session
// never calls them before TLS: like net/smtp's PlainAuth, a credential must
// not depend on one caller remembering ("that might just be the attacker
// saying it's ok"). Unlike PlainAuth they make no exception for localhost.

type plainAuth struct{ user, password string }

func (a plainAuth) Start(s *netsmtp.ServerInfo) (string, []byte, error) {
	if !s.TLS {
		return "", nil, errAuthWithoutTLS
	}
	return "PLAIN", []byte("\x00" + a.user + "\x00" + a.password), nil
}

func (a plainAuth) Next(_ []byte, more bool) ([]byte, error) {
	if more {
		return nil, errors.New("smtp: unexpected challenge during AUTH PLAIN")
	}
	return nil, nil
}

// loginAuth is the LOGIN mechanism, for servers that offer no PLAIN.
type loginAuth struct{ user, password string }

func (a loginAuth) Start(s *netsmtp.ServerInfo) (string, []byte, error) {
	if !s.TLS {
		return "", nil, errAuthWithoutTLS
	}
	return "LOGIN", nil, nil
}

func (a loginAuth) Next(challenge []byte, more bool) ([]byte, error) {
	if !more {
		return nil, nil
	}
	switch strings.ToLower(strings.TrimSpace(string(challenge))) {
	case "username:", "user name", "username":
		return []byte(a.user), nil
	case "password:", "password":
		return []byte(a.password), nil
	}
	return nil, errors.New("smtp: unexpected challenge during AUTH LOGIN")
}

// xoauth2Auth is Google's SASL XOAUTH2. On failure Google sends a base64
// JSON challenge that must be answered with an empty line; the JSON is kept
// so the error can say what went wrong.
type xoauth2Auth struct {
	user, token string
	failure     *xoauth2Failure
}

type xoauth2Failure struct {
	Status string `json:"status"`
	Scope  string `json:"scope"`
}

func (a *xoauth2Auth) Start(s *netsmtp.ServerInfo) (string, []byte, error) {
	if !s.TLS {
		return "", nil, errAuthWithoutTLS
	}
	return "XOAUTH2", []byte("user=" + a.user + "\x01auth=Bearer " + a.token + "\x01\x01"), nil
}

func (a *xoauth2Auth) Next(challenge []byte, more bool) ([]byte, error) {
	if more {
		var f xoauth2Failure
		if json.Unmarshal(challenge, &f) == nil {
			a.failure = &f
		} else {
			a.failure = &xoauth2Failure{}
		}
		return []byte{}, nil
	}
	return nil, nil
}

// chooseAuth picks the mechanism from what the server advertises.
func chooseAuth(advertised string, c Credentials) (netsmtp.Auth, error) {
	mechs := map[string]bool{}
	for _, m := range strings.Fields(strings.ToUpper(advertised)) {
		mechs[m] = true
	}
	switch {
	case c.AccessToken != "":
		if !mechs["XOAUTH2"] {
			return nil, errors.New("the server does not offer AUTH XOAUTH2")
		}
		return &xoauth2Auth{user: c.User, token: c.AccessToken}, nil
	case mechs["PLAIN"]:
		return plainAuth{c.User, c.Password}, nil
	case mechs["LOGIN"]:
		return loginAuth{c.User, c.Password}, nil
	}
	return nil, errors.New("the server offers neither AUTH PLAIN nor LOGIN")
}
