package credential

import (
	"bytes"
	"encoding/json"

	"github.com/gmailsend/gmailsend"
)

// Login is what a send authenticates with.
type Login struct {
	User        string
	Password    string
	AccessToken string
	// Stored names the stored credential it came from ("" for inline).
	Stored string
	// Limits is the stored credential's policy (zero for inline ones).
	Limits Limits
	// oauth is set for a stored OAuth credential, so a rejected token can
	// be refreshed.
	oauth *OAuth
}

// Refreshable reports whether a rejected access token can be replaced.
func (l Login) Refreshable() bool { return l.oauth != nil }

// Secret is the JSON stored per credential. Either Password (an app
// password) or OAuth is set.
type Secret struct {
	User     string `json:"user"`
	Password string `json:"password,omitempty"`
	OAuth    *OAuth `json:"oauth,omitempty"`
	// Limits is the optional per-caller and quota policy (policy.go).
	Limits
}

// OAuth is a stored OAuth 2.0 client and refresh token.
type OAuth struct {
	ClientID      string `json:"clientId"`
	ClientSecret  string `json:"clientSecret"`
	RefreshToken  string `json:"refreshToken"`
	TokenEndpoint string `json:"tokenEndpoint,omitempty"`
}

// ParseSecret validates a stored secret. Its errors name what is wrong and
// never quote the content.
func ParseSecret(name string, raw []byte) (*Secret, error) {
	bad := func(what string) error {
		return gmailsend.Errorf(gmailsend.CodeCredentialInvalid, "credential", "stored credential %q is malformed: %s", name, what)
	}
	var s Secret
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		return nil, bad("it must be a JSON object {\"user\", \"password\"} or {\"user\", \"oauth\": {…}} with no other fields")
	}
	if _, err := gmailsend.ParseAddress("user", s.User); err != nil || s.User == "" {
		return nil, bad(`"user" must be the Gmail address`)
	}
	switch {
	case s.Password != "" && s.OAuth != nil:
		return nil, bad(`set either "password" or "oauth", not both`)
	case s.OAuth != nil:
		if s.OAuth.ClientID == "" || s.OAuth.ClientSecret == "" || s.OAuth.RefreshToken == "" {
			return nil, bad(`"oauth" needs clientId, clientSecret and refreshToken`)
		}
	case s.Password == "":
		return nil, bad(`"password" (an app password) or "oauth" is required`)
	}
	if what := s.Limits.check(); what != "" {
		return nil, bad(what)
	}
	s.Password = gmailsend.NormalizePassword(s.Password)
	return &s, nil
}
