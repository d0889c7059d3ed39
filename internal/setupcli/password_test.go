package setupcli_test

import (
	"strings"
	"testing"

	"github.com/gmailsend/gmailsend/dev/fixture"
	"github.com/gmailsend/gmailsend/internal/setupcli"
)

// TestPipedPasswordFirstLineOnly ensures a piped password is its first line (CRLF trimmed, spaces of Google's display removed) and an empty pipe is refused before any login.
func TestPipedPasswordFirstLineOnly(t *testing.T) {
	r := newRig(t)
	res := r.run(t, spacedPassword+"\r\nsecond line ignored\n", "credentials", "put", "desk", "--user", fixture.User)
	if sec, _ := r.secrets.Get("gmailsend/desk"); res.code != setupcli.ExitOK || !strings.Contains(sec.Value, `"password":"`+fixture.Password+`"`) {
		t.Fatalf("exit %d:\n%s", res.code, res.output())
	}
	res = r.run(t, "\n", "credentials", "put", "empty", "--user", fixture.User)
	if res.code != setupcli.ExitFailed || !strings.Contains(res.stderr, "no app password was given") {
		t.Fatalf("empty: exit %d:\n%s", res.code, res.output())
	}
	if n := len(r.smtp.AuthAttempts()); n != 1 {
		t.Fatalf("%d logins, want 1 (none for the empty password)", n)
	}
}
