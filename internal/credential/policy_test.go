package credential

import (
	"strings"
	"testing"

	"github.com/gmailsend/gmailsend"
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
		if e := gmailsend.AsError(err); e == nil || e.Code != gmailsend.CodeCredentialInvalid || strings.Contains(e.Message, "abcdefghijklmnop") {
			t.Errorf("%s: %v", bad, err)
		}
	}
}

// TestCallerAllowed ensures allowedCallers binds only API callers: other keys and key-less API calls are refused, IAM sources and credentials without a list pass.
func TestCallerAllowed(t *testing.T) {
	listed := Limits{AllowedCallers: []string{"k1"}}
	cases := []struct {
		limits Limits
		caller Caller
		ok     bool
	}{
		{listed, Caller{API: true, Key: "k1"}, true},
		{listed, Caller{API: true, Key: "k2"}, false},
		{listed, Caller{API: true}, false},
		{listed, IAM, true},
		{Limits{}, Caller{API: true, Key: "k2"}, true},
	}
	for _, c := range cases {
		if got := c.caller.allows(c.limits); got != c.ok {
			t.Errorf("%+v with %+v: allowed %v", c.caller, c.limits, got)
		}
	}
}
