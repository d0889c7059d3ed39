package devoauth

import (
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// App is an installed-app ("Desktop app") OAuth client and the account
// that signs in and consents when the scripted browser visits the
// authorization endpoint.
type App struct {
	ID, Secret, User string
}

// grant is an authorization code waiting to be exchanged.
type grant struct {
	app         App
	redirectURI string
	challenge   string
	scopes      []string
	offline     bool
	expires     time.Time
}

// RegisterApp adds an installed-app client; its codes are issued for
// a.User.
func (s *Server) RegisterApp(a App) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.apps[a.ID] = a
}

// authorize is the authorization endpoint as an installed app sees it:
// the user has signed in and consents at once, so it redirects straight
// back to the loopback redirect_uri with a code. It insists on what a
// careful client must send (PKCE S256, state, a loopback redirect), so a
// client that forgets one fails here as it should fail for real.
func (s *Server) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	s.mu.Lock()
	app, known := s.apps[q.Get("client_id")]
	s.mu.Unlock()
	redirect, err := url.Parse(q.Get("redirect_uri"))
	switch {
	case !known:
		// Errors about the client or redirect are shown, never redirected:
		// the redirect target is not trusted yet.
		http.Error(w, "Error 401: invalid_client", http.StatusUnauthorized)
		return
	case err != nil || !isLoopback(redirect):
		http.Error(w, "Error 400: redirect_uri_mismatch (an installed app must redirect to http://127.0.0.1:PORT)", http.StatusBadRequest)
		return
	}
	back := func(params url.Values) {
		if st := q.Get("state"); st != "" {
			params.Set("state", st)
		}
		u := *redirect
		u.RawQuery = params.Encode()
		http.Redirect(w, r, u.String(), http.StatusFound)
	}
	scopes := strings.Fields(q.Get("scope"))
	switch {
	case q.Get("response_type") != "code":
		back(url.Values{"error": {"unsupported_response_type"}})
		return
	case q.Get("code_challenge_method") != "S256" || len(q.Get("code_challenge")) != 43:
		back(url.Values{"error": {"invalid_request"}, "error_description": {"PKCE with code_challenge_method=S256 is required"}})
		return
	case q.Get("state") == "":
		back(url.Values{"error": {"invalid_request"}, "error_description": {"state is required"}})
		return
	case len(scopes) == 0:
		back(url.Values{"error": {"invalid_scope"}})
		return
	}
	code := "4/local-" + randomToken()
	s.mu.Lock()
	s.codes[code] = grant{app: app, redirectURI: redirect.String(), challenge: q.Get("code_challenge"), scopes: scopes,
		offline: q.Get("access_type") == "offline", expires: time.Now().Add(time.Minute)}
	s.mu.Unlock()
	back(url.Values{"code": {code}, "scope": {strings.Join(scopes, " ")}})
}

func isLoopback(u *url.URL) bool {
	return u.Scheme == "http" && (u.Hostname() == "127.0.0.1" || u.Hostname() == "::1" || u.Hostname() == "localhost") && u.Port() != ""
}

// exchangeCode is the authorization_code grant: the code once, for the
// client it was issued to, with the redirect_uri it was issued for, and a
// code_verifier whose S256 hash is the challenge.
func (s *Server) exchangeCode(w http.ResponseWriter, r *http.Request) {
	code := r.PostForm.Get("code")
	s.mu.Lock()
	g, ok := s.codes[code]
	delete(s.codes, code) // single use, whatever happens next
	s.mu.Unlock()
	id, secret := r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	if u, p, basic := r.BasicAuth(); basic {
		id, secret = u, p
	}
	sum := sha256.Sum256([]byte(r.PostForm.Get("code_verifier")))
	switch {
	case !ok || time.Now().After(g.expires):
		fail(w, http.StatusBadRequest, "invalid_grant")
		return
	case id != g.app.ID || secret != g.app.Secret:
		fail(w, http.StatusUnauthorized, "invalid_client")
		return
	case r.PostForm.Get("redirect_uri") != g.redirectURI:
		fail(w, http.StatusBadRequest, "redirect_uri_mismatch")
		return
	case subtle.ConstantTimeCompare([]byte(base64.RawURLEncoding.EncodeToString(sum[:])), []byte(g.challenge)) != 1:
		fail(w, http.StatusBadRequest, "invalid_grant")
		return
	}
	gmail := slices.Contains(g.scopes, "https://mail.google.com/")
	out := map[string]any{"token_type": "Bearer", "scope": strings.Join(g.scopes, " ")}
	out["access_token"], out["expires_in"] = s.issue(g.app.User, gmail)
	if g.offline {
		rt := "1//local-" + randomToken()
		s.Register(Client{ID: g.app.ID, Secret: g.app.Secret, RefreshToken: rt, User: g.app.User, NoGmailScope: !gmail})
		out["refresh_token"] = rt
	}
	if slices.Contains(g.scopes, "openid") {
		out["id_token"] = s.idToken(g.app, slices.Contains(g.scopes, "email"))
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(out)
}

// idToken is an OpenID Connect ID token signed with the endpoint's own key
// (ES256), carrying the account's address when the email scope was granted.
func (s *Server) idToken(a App, withEmail bool) string {
	now := time.Now()
	claims := map[string]any{"iss": s.srv.URL, "aud": a.ID, "azp": a.ID, "sub": subject(a.User), "iat": now.Unix(), "exp": now.Add(time.Hour).Unix()}
	if withEmail {
		claims["email"], claims["email_verified"] = a.User, true
	}
	head, _ := json.Marshal(map[string]string{"alg": "ES256", "typ": "JWT", "kid": "devoauth"})
	body, _ := json.Marshal(claims)
	signed := base64.RawURLEncoding.EncodeToString(head) + "." + base64.RawURLEncoding.EncodeToString(body)
	digest := sha256.Sum256([]byte(signed))
	r, sig, err := ecdsa.Sign(rand.Reader, s.key, digest[:])
	if err != nil {
		panic("devoauth: signing an ID token: " + err.Error())
	}
	return signed + "." + base64.RawURLEncoding.EncodeToString(append(pad32(r), pad32(sig)...))
}

func pad32(n *big.Int) []byte {
	b := make([]byte, 32)
	return n.FillBytes(b)
}

func subject(user string) string {
	h := sha256.Sum256([]byte(user))
	return new(big.Int).SetBytes(h[:8]).String()
}
