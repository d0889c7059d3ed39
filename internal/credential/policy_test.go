package credential

import (
	"strings"
	"testing"

	"github.com/gmailsend/gmailsend/internal/email"
)

// TestSecretCarriesLimits ensures allowedCallers and the daily limits are read from a stored secret and bad values are credential_invalid without quoting the secret.
func TestSecretCarriesLimits(t *testing.T) {
	s, err := ParseSecret("desk", []byte(`{"user":"a@gmail.com","password":"abcdefghijklmnop","allowedCallers":["k1","k2"],"dailyMessages":2000,"dailyRecipients":10000}`))
	if err != nil {
		t.Fatal(err)
	}
	if len(s.AllowedCallers) != 2 || s.DailyMessages != 2000 || s.DailyRecipients != 10000 {
		t.Fatalf("limits %+v", s.Limits)
	}
	for _, bad := range []string{
		`{"user":"a@gmail.com","password":"abcdefghijklmnop","dailyMessages":-1}`,
		`{"user":"a@gmail.com","password":"abcdefghijklmnop","allowedCallers":[""]}`,
	} {
		_, err := ParseSecret("desk", []byte(bad))
		if e := email.AsError(err); e == nil || e.Code != email.CodeCredentialInvalid || strings.Contains(e.Message, "abcdefghijklmnop") {
			t.Errorf("%s: %v", bad, err)
		}
	}
}

// TestCheckCaller ensures allowedCallers binds only API callers of stored credentials: other keys and key-less API calls are forbidden, IAM sources and inline credentials pass.
func TestCheckCaller(t *testing.T) {
	l := Login{Stored: "desk", Limits: Limits{AllowedCallers: []string{"k1"}}}
	cases := []struct {
		login   Login
		fromAPI bool
		caller  string
		ok      bool
	}{
		{l, true, "k1", true},
		{l, true, "k2", false},
		{l, true, "", false},
		{l, false, "", true},
		{Login{Stored: "desk"}, true, "k2", true},
		{Login{}, true, "k2", true},
	}
	for _, c := range cases {
		err := CheckCaller(c.login, c.fromAPI, c.caller)
		if (err == nil) != c.ok || err != nil && email.CodeOf(err) != email.CodeForbidden {
			t.Errorf("%+v: %v", c, err)
		}
	}
}
