package app_test

import (
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/gmailsend/gmailsend/dev/fixture"
)

// secrets are every password, token and secret the suite uses; none may
// appear in any log line any test produced.
var secrets = []string{
	fixture.Password, fixture.Password2, "abcd efgh ijkl mnop", "wrong-password", "old-password-xx",
	refreshToken, clientSecret, "ya29.", "rotatedpassword",
}

// TestMain runs the suite, then fails it if any handler logged a secret.
func TestMain(m *testing.M) {
	if os.Getenv(procsChildVar) != "" {
		os.Exit(procsChild()) // procs_test.go
	}
	code := m.Run()
	logs := fixture.Logs()
	for _, s := range secrets {
		if strings.Contains(logs, s) {
			fmt.Fprintf(os.Stderr, "secret hygiene: the logs of this test run contain %q\n", s)
			code = 1
		}
	}
	// A whole run must have captured sends, or the check proved nothing; a
	// run filtered with -run may legitimately capture none.
	if f := flag.Lookup("test.run"); code == 0 && f != nil && f.Value.String() == "" && !strings.Contains(logs, `"outcome":"sent"`) {
		fmt.Fprintln(os.Stderr, "secret hygiene: no log line was captured; the check would prove nothing")
		code = 1
	}
	os.Exit(code)
}
