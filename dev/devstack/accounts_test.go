package devstack

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestLoginHintNamesWhatTheStackHolds ensures every local account and every credential Start stores is in the hint, with the account each credential sends as.
func TestLoginHintNamesWhatTheStackHolds(t *testing.T) {
	st, err := Start(Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	hint := LoginHint()
	for user, pw := range Accounts {
		if !strings.Contains(hint, user) || !strings.Contains(hint, pw) {
			t.Errorf("hint lacks %s", user)
		}
	}
	for name, holds := range StoredCredentials {
		sec, ok := st.Secrets.Get("gmailsend/" + name)
		if !ok {
			t.Fatalf("the stack stores no %s", name)
		}
		var v struct{ User string }
		if err := json.Unmarshal([]byte(sec.Value), &v); err != nil || !strings.HasPrefix(holds, v.User+",") {
			t.Errorf("%s holds %q, the hint says %q", name, v.User, holds)
		}
		if !strings.Contains(hint, name) {
			t.Errorf("hint lacks %s", name)
		}
	}
}

// TestIsLoginFailure ensures refused logins and unknown credentials are recognised and a success is not.
func TestIsLoginFailure(t *testing.T) {
	if !IsLoginFailure(`{"error":{"code":"smtp_auth_failed"}}`) || !IsLoginFailure("function error credential_not_found: x") {
		t.Fatal("a login failure was not recognised")
	}
	if IsLoginFailure(`{"status":"sent"}`) {
		t.Fatal("a success was taken for a login failure")
	}
}
