package lambdahandler

import (
	"strings"
	"testing"
)

// TestStripSecrets ensures every password and accessToken member goes, in any case, at any depth and inside strings holding JSON (an SNS Message), each changed object says what went, an empty one does not count as a secret, and a body that is not JSON is never returned.
func TestStripSecrets(t *testing.T) {
	cases := []struct {
		in, want string
		had      bool
	}{
		{`{"user":"a@gmail.com","password":"abcd efgh","toEmail":"b@x.com"}`, `{"gmailsendStripped":["password"],"toEmail":"b@x.com","user":"a@gmail.com"}`, true},
		{`{"credential":"desk","toEmail":"b@x.com"}`, `{"credential":"desk","toEmail":"b@x.com"}`, false},
		{`{"password":""}`, `{"gmailsendStripped":["password"]}`, false},
		{`{"Password":"x"}`, `{"gmailsendStripped":["Password"]}`, true},
		{`{"requestPayload":{"detail":{"accessToken":"ya29.x","n":1.50}}}`, `{"requestPayload":{"detail":{"gmailsendStripped":["accessToken"],"n":1.50}}}`, true},
		{`{"Records":[{"Sns":{"Message":"{\"password\":\"p\",\"toEmail\":\"b@x.com\"}"}}]}`,
			`{"Records":[{"Sns":{"Message":"{\"gmailsendStripped\":[\"password\"],\"toEmail\":\"b@x.com\"}"}}]}`, true},
	}
	for _, c := range cases {
		got, had := stripSecrets([]byte(c.in))
		if string(got) != c.want || had != c.had {
			t.Errorf("%s:\n got %s %v\nwant %s %v", c.in, got, had, c.want, c.had)
		}
	}
	for in, had := range map[string]bool{`{"password":"p"`: true, `user=a password=p`: true, `hello`: false} {
		got, h := stripSecrets([]byte(in))
		if got != nil || h != had || strings.Contains(string(got), "p") {
			t.Errorf("%q: %q %v", in, got, h)
		}
	}
}
