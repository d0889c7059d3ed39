// Package devoauth is a local stand-in for Google's OAuth 2.0 endpoints,
// answered as Google answers: a token endpoint (RFC 6749 refresh_token and
// authorization_code grants) that issues short-lived access tokens, counts
// requests and can revoke refresh tokens, and an authorization endpoint for
// installed apps (loopback redirect, PKCE S256 and state required) whose
// codes come back with an OpenID Connect ID token naming the account. Its
// TokenStatus method tells the development SMTP server which access tokens
// to accept for XOAUTH2. For tests and `make run`. It has no consent screen
// and no user sign-in: a registered App's account consents at once.
package devoauth

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"time"
)

// Client is a registered OAuth client with its refresh token and account.
type Client struct {
	ID, Secret, RefreshToken, User string
	// NoGmailScope issues tokens without https://mail.google.com/.
	NoGmailScope bool
}

// Server is a running token endpoint.
type Server struct {
	URL     string // the token endpoint
	AuthURL string // the authorization endpoint
	TTL     time.Duration

	srv      *httptest.Server
	mu       sync.Mutex
	clients  map[string]Client // by refresh token
	revoked  map[string]bool
	tokens   map[string]issued // access token → what it is for
	requests int
	apps     map[string]App   // installed-app clients by ID
	codes    map[string]grant // authorization codes not yet exchanged
	key      *ecdsa.PrivateKey
}

type issued struct {
	user    string
	expires time.Time
	scoped  bool
}

// Start serves on loopback; tokens live for ttl.
func Start(ttl time.Duration) *Server {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic("devoauth: " + err.Error())
	}
	s := &Server{TTL: ttl, clients: map[string]Client{}, revoked: map[string]bool{}, tokens: map[string]issued{},
		apps: map[string]App{}, codes: map[string]grant{}, key: key}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	s.URL = s.srv.URL + "/token"
	s.AuthURL = s.srv.URL + "/authorize"
	return s
}

// Close stops the endpoint.
func (s *Server) Close() { s.srv.Close() }

// Register adds a client.
func (s *Server) Register(c Client) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.clients[c.RefreshToken] = c
}

// Revoke makes a refresh token answer invalid_grant, as Google does for a
// revoked or expired one.
func (s *Server) Revoke(refreshToken string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.revoked[refreshToken] = true
}

// ExpireAll makes every issued access token expired (the server-side view
// of a token the client still believes valid).
func (s *Server) ExpireAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for k, v := range s.tokens {
		v.expires = time.Now().Add(-time.Second)
		s.tokens[k] = v
	}
}

// Requests is the number of token requests served.
func (s *Server) Requests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests
}

// TokenStatus is what Gmail would say of token for user: "" when it is a
// live Gmail-scoped token, "400" when it lacks the scope, "401" otherwise.
// It plugs into devsmtp.Options.TokenStatus.
func (s *Server) TokenStatus(user, token string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.tokens[token]
	switch {
	case !ok || t.user != user || !time.Now().Before(t.expires):
		return "401"
	case !t.scoped:
		return "400"
	}
	return ""
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/authorize" {
		s.authorize(w, r)
		return
	}
	s.mu.Lock()
	s.requests++
	s.mu.Unlock()
	if r.Method != http.MethodPost || r.ParseForm() != nil {
		fail(w, http.StatusBadRequest, "invalid_request")
		return
	}
	switch r.PostForm.Get("grant_type") {
	case "refresh_token":
		s.refresh(w, r)
	case "authorization_code":
		s.exchangeCode(w, r)
	default:
		fail(w, http.StatusBadRequest, "unsupported_grant_type")
	}
}

func (s *Server) refresh(w http.ResponseWriter, r *http.Request) {
	rt := r.PostForm.Get("refresh_token")
	s.mu.Lock()
	c, known := s.clients[rt]
	revoked := s.revoked[rt]
	s.mu.Unlock()
	switch {
	case !known || revoked:
		fail(w, http.StatusBadRequest, "invalid_grant")
		return
	case r.PostForm.Get("client_id") != c.ID || r.PostForm.Get("client_secret") != c.Secret:
		fail(w, http.StatusUnauthorized, "invalid_client")
		return
	}
	tok, expiresIn := s.issue(c.User, !c.NoGmailScope)
	scope := "https://mail.google.com/"
	if c.NoGmailScope {
		scope = "https://www.googleapis.com/auth/userinfo.email"
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{
		"access_token": tok, "expires_in": expiresIn, "token_type": "Bearer", "scope": scope,
	})
}

// issue mints an access token for user, Gmail-scoped or not, and returns
// it with its lifetime in seconds.
func (s *Server) issue(user string, gmailScope bool) (string, int) {
	tok := "ya29.local-" + randomToken()
	s.mu.Lock()
	s.tokens[tok] = issued{user: user, expires: time.Now().Add(s.TTL), scoped: gmailScope}
	s.mu.Unlock()
	return tok, int(s.TTL.Seconds())
}

func randomToken() string {
	var b [20]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func fail(w http.ResponseWriter, status int, code string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": code, "error_description": code})
}
