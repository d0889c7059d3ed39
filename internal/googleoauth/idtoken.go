package googleoauth

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"time"
)

// idTokenEmail returns the verified address in an OpenID Connect ID token
// issued to clientID.
//
// The signature is not checked, deliberately: the token came straight from
// the token endpoint over TLS in answer to this client's own code exchange,
// which OpenID Connect Core §3.1.3.7 accepts in place of a signature check.
// Audience and expiry are still checked, so a token meant for another
// client is never taken for this one.
func idTokenEmail(raw, clientID string) (string, error) {
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		return "", errors.New("googleoauth: the ID token is not a JWT")
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return "", errors.New("googleoauth: the ID token payload is not base64url")
	}
	var c struct {
		Aud           audience `json:"aud"`
		Exp           int64    `json:"exp"`
		Email         string   `json:"email"`
		EmailVerified any      `json:"email_verified"` // Google has sent both true and "true"
	}
	if err := json.Unmarshal(payload, &c); err != nil {
		return "", errors.New("googleoauth: the ID token payload is not JSON")
	}
	switch {
	case !c.Aud.has(clientID):
		return "", errors.New("googleoauth: the ID token was issued to another client")
	case time.Unix(c.Exp, 0).Before(time.Now().Add(-time.Minute)):
		return "", errors.New("googleoauth: the ID token has expired")
	case c.Email == "":
		return "", errors.New("googleoauth: the ID token carries no email (was the email scope granted?)")
	case c.EmailVerified != true && c.EmailVerified != "true":
		return "", errors.New("googleoauth: the ID token's email is not verified")
	}
	return c.Email, nil
}

// audience is "aud": one string or an array of them.
type audience []string

func (a *audience) UnmarshalJSON(b []byte) error {
	var one string
	if json.Unmarshal(b, &one) == nil {
		*a = audience{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return err
	}
	*a = many
	return nil
}

func (a audience) has(id string) bool {
	for _, v := range a {
		if v == id {
			return true
		}
	}
	return false
}
