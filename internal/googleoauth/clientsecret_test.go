package googleoauth

import (
	"testing"

	"github.com/gmailsend/gmailsend"
)

// TestParseClientSecretFile ensures a Desktop-app file is read with its endpoints, and web clients, junk and clear-text endpoints are refused naming the flag.
func TestParseClientSecretFile(t *testing.T) {
	c, err := ParseClientSecretFile([]byte(`{"installed":{"client_id":"1-abc.apps.googleusercontent.com","project_id":"p","auth_uri":"https://accounts.google.com/o/oauth2/auth",
		"token_uri":"https://oauth2.googleapis.com/token","auth_provider_x509_cert_url":"https://www.googleapis.com/oauth2/v1/certs","client_secret":"GOCSPX-x","redirect_uris":["http://localhost"]}}`))
	if err != nil || c.ClientID != "1-abc.apps.googleusercontent.com" || c.ClientSecret != "GOCSPX-x" || c.TokenURL != GoogleTokenURL || c.AuthURL != GoogleAuthURL {
		t.Fatalf("%+v %v", c, err)
	}
	local, err := ParseClientSecretFile([]byte(`{"installed":{"client_id":"a","client_secret":"b","auth_uri":"http://127.0.0.1:8080/authorize","token_uri":"http://127.0.0.1:8080/token"}}`))
	if err != nil || local.TokenURL != "http://127.0.0.1:8080/token" {
		t.Fatalf("loopback endpoints: %+v %v", local, err)
	}
	for name, raw := range map[string]string{
		"web client":  `{"web":{"client_id":"a","client_secret":"b"}}`,
		"not json":    `client_id=a`,
		"no secret":   `{"installed":{"client_id":"a"}}`,
		"http remote": `{"installed":{"client_id":"a","client_secret":"b","token_uri":"http://oauth.example.com/token"}}`,
	} {
		_, err := ParseClientSecretFile([]byte(raw))
		if e := gmailsend.AsError(err); e == nil || e.Code != gmailsend.CodeInvalidRequest || e.Field != "client-secret-file" {
			t.Errorf("%s: %v", name, err)
		}
	}
}
