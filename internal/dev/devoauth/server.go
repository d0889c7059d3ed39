// Package devoauth is a local OAuth 2.0 token endpoint (RFC 6749 refresh
// token grant, answered as Google's endpoint answers) that issues
// short-lived access tokens, counts requests and can revoke refresh
// tokens. Its TokenStatus method tells the development SMTP server which access
// tokens to accept for XOAUTH2. For tests and `make run`.
package devoauth

import (
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
	URL string
	TTL time.Duration

	srv      *httptest.Server
	mu       sync.Mutex
	clients  map[string]Client // by refresh token
	revoked  map[string]bool
	tokens   map[string]issued // access token → what it is for
	requests int
}

type issued struct {
	user    string
	expires time.Time
	scoped  bool
}

// Start serves on loopback; tokens live for ttl.
func Start(ttl time.Duration) *Server {
	s := &Server{TTL: ttl, clients: map[string]Client{}, revoked: map[string]bool{}, tokens: map[string]issued{}}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	s.URL = s.srv.URL + "/token"
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
	s.mu.Lock()
	s.requests++
	s.mu.Unlock()
	if r.Method != http.MethodPost || r.ParseForm() != nil || r.PostForm.Get("grant_type") != "refresh_token" {
		fail(w, http.StatusBadRequest, "unsupported_grant_type")
		return
	}
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
	var b [20]byte
	_, _ = rand.Read(b[:])
	tok := "ya29.local-" + hex.EncodeToString(b[:])
	s.mu.Lock()
	s.tokens[tok] = issued{user: c.User, expires: time.Now().Add(s.TTL), scoped: !c.NoGmailScope}
	s.mu.Unlock()
	scope := "https://mail.google.com/"
	if c.NoGmailScope {
		scope = "https://www.googleapis.com/auth/userinfo.email"
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{
		"access_token": tok, "expires_in": int(s.TTL.Seconds()), "token_type": "Bearer", "scope": scope,
	})
}

func fail(w http.ResponseWriter, status int, code string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": code, "error_description": code})
}
