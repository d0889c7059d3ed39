package googleoauth

import (
	"encoding/base64"
	"encoding/json"
	"testing"
	"time"
)

func jwt(claims map[string]any) string {
	b, _ := json.Marshal(claims)
	return "eyJhbGciOiJSUzI1NiJ9." + base64.RawURLEncoding.EncodeToString(b) + ".c2ln"
}

// TestIDTokenEmail ensures only a live token issued to this client with a verified address yields the address.
func TestIDTokenEmail(t *testing.T) {
	exp := time.Now().Add(time.Hour).Unix()
	good := map[string]any{"aud": "me", "exp": exp, "email": "a@example.com", "email_verified": true}
	if got, err := idTokenEmail(jwt(good), "me"); err != nil || got != "a@example.com" {
		t.Fatalf("%q %v", got, err)
	}
	if got, err := idTokenEmail(jwt(map[string]any{"aud": []string{"x", "me"}, "exp": exp, "email": "b@example.com", "email_verified": "true"}), "me"); err != nil || got != "b@example.com" {
		t.Fatalf("array audience: %q %v", got, err)
	}
	for name, claims := range map[string]map[string]any{
		"other client": {"aud": "other", "exp": exp, "email": "a@example.com", "email_verified": true},
		"expired":      {"aud": "me", "exp": time.Now().Add(-time.Hour).Unix(), "email": "a@example.com", "email_verified": true},
		"unverified":   {"aud": "me", "exp": exp, "email": "a@example.com", "email_verified": false},
		"no email":     {"aud": "me", "exp": exp},
	} {
		if _, err := idTokenEmail(jwt(claims), "me"); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if _, err := idTokenEmail("not-a-jwt", "me"); err == nil {
		t.Error("junk accepted")
	}
}
